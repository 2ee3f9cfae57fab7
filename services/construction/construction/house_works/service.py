"""House work rules: plan from an approval, then ready, start, progress, complete, cancel.

Each change records its transition (or progress report) and its event in the
caller's unit of work; nothing here commits. Every check runs before the
first write, so a refused request leaves no trace.
"""

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import does_not_exist
from baan_shared.clock import thai_date, utcnow
from baan_shared.clock import thai_today as today
from baan_shared.db import insert_rows
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.events.catalog import (
    GrantRejected,
    HouseCancelled,
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseMilestoneReached,
    HousePlanned,
    HouseReadyToBuild,
)
from baan_shared.fiscal import fiscal_year_be
from baan_shared.ids import new_id
from baan_shared.outbox import record_event, record_events
from baan_shared.reference import Programme
from construction import SERVICE_NAME
from construction.house_works import repository
from construction.house_works.models import (
    HouseWork,
    HouseWorkStatus,
    HouseWorkTransition,
    PendingGrantRejection,
    ProgressUpdate,
    WorkType,
)
from construction.house_works.repository import HouseWorkFilter, Row
from construction.house_works.schemas import (
    Cancellation,
    CompletionReport,
    PlannedEnd,
    ProgressReport,
    ReadyReport,
    StartReport,
)
from construction.house_works.status import RESUMES, check_progress, check_transition
from construction.labour import repository as labour
from construction.materials import repository as materials
from construction.milestones import service as milestones
from construction.milestones.models import HouseMilestone
from construction.milestones.templates import INSPECTED, Template, check_milestone

SOURCE = f"/services/{SERVICE_NAME}"


def _utc(moment: datetime) -> datetime:
    """Event times compared with stored ones; a naive time is taken to be UTC (as
    ``thai_date`` does), so comparing never fails on a producer's missing offset."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _house(work: HouseWork, on: date | None = None) -> dict[str, Any]:
    """The fields every house event carries, so no consumer has to ask.

    ``fiscal_year`` is that of ``on``, the day the event reports (a house started
    in October counts in the new fiscal year); house.planned keeps the approval's.
    """
    return _house_of(lambda name: getattr(work, name), on)


def _house_of(value: Callable[[str], Any], on: date | None = None) -> dict[str, Any]:
    """``_house`` of a work given as its column values (``value(name)``): a row the
    batch path inserts without an ORM object has no attributes to read."""
    return {
        "house_id": value("id"),
        "household_id": value("household_id"),
        "community_id": value("community_id"),
        "project_id": value("project_id"),
        "programme": value("programme").value,
        "province_code": value("province_code"),
        "district_code": value("district_code"),
        "subdistrict_code": value("subdistrict_code"),
        "fiscal_year": value("fiscal_year") if on is None else fiscal_year_be(on),
        "estimated_cost_satang": value("estimated_cost_satang"),
    }


async def plan(session: AsyncSession, approved: HouseholdApproved) -> HouseWork | None:
    """Plan the house work of a newly approved household; ``None`` if it already has one.

    Redelivered events never reach here (the inbox drops them), but survey may
    approve the same household again (waitlisted for budget, then approved when
    budget returns): that resumes the house work already planned, never a second.
    """
    existing = await repository.for_household(session, approved.household_id, for_update=True)
    if existing is not None:
        await _approved_again(session, existing, approved)
        return None
    work = _new_work(approved)
    session.add(work)
    await session.flush()
    await milestones.copy_onto(session, work)
    session.add(
        HouseWorkTransition(
            house_work_id=work.id,
            to_status=HouseWorkStatus.PLANNED,
            reason="household approved",
            reported_by=approved.approved_by or "survey",
            reported_at=work.created_at,
        )
    )
    await record_event(
        session, HousePlanned(**_house(work), work_type=work.work_type.value), source=SOURCE
    )
    # Finance may have answered this approval before construction saw it.
    pending = await repository.pending_rejection(session, approved.household_id)
    if pending is not None:
        if _utc(pending.rejected_at) >= _utc(approved.approved_at):
            await _hold_for_budget(session, work, pending.rejected_at, pending.reason)
        await session.delete(pending)
        await session.flush()
    return work


def _new_work(approved: HouseholdApproved) -> HouseWork:
    return HouseWork(**_new_work_values(approved))


def _new_work_values(approved: HouseholdApproved) -> dict[str, Any]:
    """What an approval says about its house work (the one-by-one and batch paths alike)."""
    planned_on = thai_date(approved.approved_at)
    return {
        "household_id": approved.household_id,
        "community_id": approved.community_id,
        "programme": Programme(approved.programme),
        "province_code": approved.province_code,
        "district_code": approved.district_code,
        "subdistrict_code": approved.subdistrict_code,
        "fiscal_year": approved.fiscal_year or fiscal_year_be(planned_on),
        "household_size": approved.household_size,
        "work_type": WorkType(approved.need),
        "estimated_cost_satang": approved.estimated_cost_satang,
        "planned_on": planned_on,
        "approved_at": _utc(approved.approved_at),
    }


async def plan_many(session: AsyncSession, approvals: Sequence[HouseholdApproved]) -> None:
    """``plan`` for a partition's batch of approvals, set-based (a committee decides
    thousands at once): the same rows and events as ``plan`` one after another.

    A household new to construction, named once in the batch and with no grant
    rejection waiting, gets its house work, milestones, transition and
    ``house.planned`` as rows written with one multi-row INSERT per table (SQLAlchemy
    Core, no ORM objects: one read of the batch's existing works and waiting
    rejections, one template lookup per programme and work type). Every other
    approval (a household approved again, twice in the batch, or with finance's
    answer already waiting) goes through ``plan`` in the batch's order.
    """
    named = Counter(a.household_id for a in approvals)
    ids = list(named)
    seen_before = await repository.households_known(session, ids)
    one_by_one = {h for h in ids if named[h] > 1 or h in seen_before}
    # Per (programme, work type): the template's name and its milestones as columns.
    templates: dict[tuple[Programme, WorkType], tuple[str, list[dict[str, Any]]]] = {}
    works: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    events: list[HousePlanned] = []
    now = utcnow()
    for approved in approvals:
        if approved.household_id in one_by_one:
            continue
        work = _new_work_values(approved)
        kind = (work["programme"], work["work_type"])
        if kind not in templates:
            template, _ = await milestones.effective_template(session, *kind)
            templates[kind] = (template.name, _unplanned_milestones(template))
        name, template_rows = templates[kind]
        work.update(_PLANNED_WORK, id=new_id(), milestone_template=name)
        work.update(created_at=now, updated_at=now)
        works.append(work)
        rows += [{**row, "id": new_id(), "house_work_id": work["id"]} for row in template_rows]
        transitions.append(
            {
                **_PLANNED_TRANSITION,
                "id": new_id(),
                "house_work_id": work["id"],
                "reported_by": approved.approved_by or "survey",
                "reported_at": now,
            }
        )
        events.append(HousePlanned(**_house_of(work.__getitem__), work_type=kind[1].value))
    if works:
        await insert_rows(session, HouseWork.__table__, works)
        await insert_rows(session, HouseMilestone.__table__, rows)
        await insert_rows(session, HouseWorkTransition.__table__, transitions)
        await record_events(session, events, source=SOURCE)
    for approved in approvals:
        if approved.household_id in one_by_one:
            await plan(session, approved)


# The columns a newly planned work, its first transition and its milestones start with,
# written out: a Core INSERT applies no ORM defaults, and every row of one INSERT
# names the same columns.
_PLANNED_WORK: dict[str, Any] = {
    "status": HouseWorkStatus.PLANNED,
    "progress_percent": 0,
    "last_milestone": None,
    "project_id": None,
    "planned_end_on": None,
    "ready_on": None,
    "started_on": None,
    "completed_on": None,
    "cancelled_on": None,
    "cancel_reason": None,
    "hold_reason": None,
    "held_on": None,
    "held_from": None,
    "grant_rejected_at": None,
    "grant_rejection": None,
    "inspected_by": None,
    "actual_cost_satang": None,
    "labour_days": None,
}
_PLANNED_TRANSITION: dict[str, Any] = {
    "from_status": None,
    "to_status": HouseWorkStatus.PLANNED,
    "reason": "household approved",
}


def _unplanned_milestones(template: Template) -> list[dict[str, Any]]:
    """A new work's milestones from ``template``: it has neither a project nor a
    planned end yet, so none is dated (as ``milestones.copy_onto`` leaves them)."""
    return [
        {
            "position": position,
            **asdict(milestone),
            "planned_on": None,
            "planned_on_fixed": False,
            "planned_by": None,
            "reached_on": None,
            "reported_by": None,
        }
        for position, milestone in enumerate(template.milestones)
    ]


async def _approved_again(
    session: AsyncSession, work: HouseWork, approved: HouseholdApproved
) -> None:
    """A later approval answers the budget problem: resume a held work, lower the flag."""
    approved_at = _utc(approved.approved_at)
    if work.approved_at is not None and approved_at <= _utc(work.approved_at):
        return  # the approval already applied, or an older one arriving late
    work.approved_at = approved_at
    work.community_id = work.community_id or approved.community_id
    work.grant_rejected_at = work.grant_rejection = None
    if work.status == HouseWorkStatus.ON_HOLD and work.hold_reason == BUDGET:
        resume_to = work.held_from if work.held_from in RESUMES else HouseWorkStatus.PLANNED
        work.hold_reason = work.held_on = work.held_from = None
        await _move(
            session,
            work,
            resume_to,
            reported_by=approved.approved_by or "survey",
            reason="household approved again",
        )
    else:
        work.updated_at = utcnow()
        session.add(work)
        await session.flush()


BUDGET = "budget"
# Before building starts a work can wait for its budget; after, it keeps going.
HOLDABLE = frozenset({HouseWorkStatus.PLANNED, HouseWorkStatus.READY_TO_BUILD})


async def grant_rejected(session: AsyncSession, rejected: GrantRejected, at: datetime) -> None:
    """Finance could not reserve the household's grant (survey waitlists the household).

    A work not yet under construction goes on hold (reason "budget"); one being
    built keeps going with the rejection flagged; a finished one is history.
    A rejection older than the household's latest approval was already answered.
    """
    at = _utc(at)
    work = await repository.for_household(session, rejected.household_id, for_update=True)
    if work is None:
        pending = await repository.pending_rejection(session, rejected.household_id)
        if pending is None:
            session.add(
                PendingGrantRejection(
                    household_id=rejected.household_id, rejected_at=at, reason=rejected.reason
                )
            )
        elif at > _utc(pending.rejected_at):
            pending.rejected_at, pending.reason = at, rejected.reason
            session.add(pending)
        await session.flush()
        return
    if work.approved_at is not None and at < _utc(work.approved_at):
        return
    await _hold_for_budget(session, work, at, rejected.reason)


async def _hold_for_budget(
    session: AsyncSession, work: HouseWork, at: datetime, reason: str
) -> None:
    if work.status in (HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED):
        return
    work.grant_rejected_at, work.grant_rejection = at, reason
    if work.status in HOLDABLE:
        check_transition(work.status, HouseWorkStatus.ON_HOLD)
        work.held_from, work.hold_reason, work.held_on = work.status, BUDGET, thai_date(at)
        await _move(
            session,
            work,
            HouseWorkStatus.ON_HOLD,
            reported_by="finance",
            reason=f"budget: {reason}",
        )
    else:
        work.updated_at = utcnow()
        session.add(work)
        await session.flush()


async def get(
    session: AsyncSession, house_work_id: uuid.UUID, *, for_update: bool = False
) -> HouseWork:
    work = await repository.get(session, house_work_id, for_update=for_update)
    if work is None:
        raise does_not_exist(f"house work {house_work_id}")
    return work


# --- reads the router serves -----------------------------------------------------------

EXPORT_LIMIT = 100_000


async def project_end(session: AsyncSession, work: HouseWork) -> date | None:
    """The planned end of the work's project, if it has one."""
    return await repository.project_end(session, work)


async def page(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    where: HouseWorkFilter,
    area: ColumnElement[bool],
) -> list[Row]:
    """House works in id order, each with its project's name and planned end, in ``area``."""
    return await repository.page(session, after=after, limit=limit, where=where, area=area)


async def export_rows(
    session: AsyncSession, where: HouseWorkFilter, area: ColumnElement[bool]
) -> list[Row]:
    """Every house work the filters select in ``area``; 422 past ``EXPORT_LIMIT``."""
    rows: list[Row] = []
    after = None
    while True:
        batch = await repository.page(session, after=after, limit=1000, where=where, area=area)
        rows += batch
        if len(batch) < 1000 or len(rows) > EXPORT_LIMIT:
            break
        after = batch[-1].work.id
    if len(rows) > EXPORT_LIMIT:
        raise Unprocessable(
            f"more than {EXPORT_LIMIT} house works match; narrow the filters",
            errors=[field_error("query", "too many rows", "export_limit")],
        )
    return rows


async def progress_updates(session: AsyncSession, house_work_id: uuid.UUID) -> list[ProgressUpdate]:
    """Every progress report of the work, oldest first."""
    return await repository.progress_updates(session, house_work_id)


async def transitions(session: AsyncSession, house_work_id: uuid.UUID) -> list[HouseWorkTransition]:
    """Every status change of the work, oldest first."""
    return await repository.transitions(session, house_work_id)


def _not_before(field: str, value: date, earliest: date, earlier_step: str) -> None:
    """A reported date may lie in the past, never before the step it follows."""
    if value < earliest:
        raise Unprocessable(
            f"{field} {value} is before {earlier_step} ({earliest})",
            errors=[
                field_error(
                    f"body.{field}", f"must not be before {earlier_step} {earliest}", "date_order"
                )
            ],
        )


async def mark_ready(
    session: AsyncSession, house_work_id: uuid.UUID, report: ReadyReport
) -> HouseWork:
    """Land, materials and labour are in place (พร้อมสร้าง)."""
    work = await get(session, house_work_id, for_update=True)
    await make_ready(session, work, report.ready_on or today(), report.reported_by)
    return work


async def make_ready(
    session: AsyncSession, work: HouseWork, ready_on: date, reported_by: str
) -> None:
    check_transition(work.status, HouseWorkStatus.READY_TO_BUILD)
    _not_before("ready_on", ready_on, work.planned_on, "the day it was planned")
    work.ready_on = ready_on
    await _move(session, work, HouseWorkStatus.READY_TO_BUILD, reported_by=reported_by)
    await record_event(
        session, HouseReadyToBuild(**_house(work, ready_on), ready_on=ready_on), source=SOURCE
    )


async def start(session: AsyncSession, house_work_id: uuid.UUID, report: StartReport) -> HouseWork:
    work = await get(session, house_work_id, for_update=True)
    await begin(session, work, report.started_on or today(), report.reported_by)
    return work


async def begin(session: AsyncSession, work: HouseWork, started_on: date, reported_by: str) -> None:
    """Construction started (เริ่มก่อสร้าง) on ``started_on``."""
    check_transition(work.status, HouseWorkStatus.UNDER_CONSTRUCTION)
    _not_before("started_on", started_on, work.ready_on or work.planned_on, "ready_on")
    work.started_on = started_on
    await _move(session, work, HouseWorkStatus.UNDER_CONSTRUCTION, reported_by=reported_by)
    await record_event(
        session,
        HouseConstructionStarted(**_house(work, started_on), started_on=started_on),
        source=SOURCE,
    )


async def report_progress(
    session: AsyncSession, house_work_id: uuid.UUID, report: ProgressReport
) -> HouseWork:
    """A milestone of the house's template reached on site, in template order."""
    work = await get(session, house_work_id, for_update=True)
    await progress_work(session, work, report)
    return work


async def progress_work(session: AsyncSession, work: HouseWork, report: ProgressReport) -> None:
    """``report_progress`` on a house work already locked (bulk reports lock many at once)."""
    check_progress(work.status)
    milestone = check_milestone(
        await milestones.house_template(session, work),
        work.last_milestone,
        report.milestone,
        report.percent,
    )
    now = utcnow()
    reached_on = report.reached_on or thai_date(now)
    if work.started_on is not None:
        _not_before("reached_on", reached_on, work.started_on, "started_on")
    last_reached = await repository.last_reached_on(session, work.id)
    if last_reached is not None:
        _not_before("reached_on", reached_on, last_reached, "the previous milestone")
    update = ProgressUpdate(
        house_work_id=work.id,
        milestone=milestone.code,
        percent=milestone.percent,
        reached_on=reached_on,
        reported_by=report.reported_by,
        reported_at=now,
    )
    session.add(update)
    work.progress_percent = milestone.percent
    work.last_milestone = milestone.code
    work.updated_at = now
    session.add(work)
    await session.flush()
    await milestones.mark_reached(
        session, work, milestone.code, update.reached_on, report.reported_by
    )
    await record_event(
        session,
        HouseMilestoneReached(
            **_house(work, update.reached_on),
            milestone=update.milestone,
            percent=update.percent,
            reached_on=update.reached_on,
        ),
        source=SOURCE,
    )


async def complete(
    session: AsyncSession, house_work_id: uuid.UUID, report: CompletionReport
) -> HouseWork:
    """The committee inspected the finished house and signed it off (ตรวจรับ)."""
    work = await get(session, house_work_id, for_update=True)
    await complete_work(session, work, report)
    return work


async def complete_work(session: AsyncSession, work: HouseWork, report: CompletionReport) -> None:
    """``complete`` on a house work already locked (bulk sign-offs lock many at once)."""
    check_transition(work.status, HouseWorkStatus.COMPLETED)
    completed_on = report.completed_on or today()
    if work.started_on is not None:
        _not_before("completed_on", completed_on, work.started_on, "started_on")
    last_reached = await repository.last_reached_on(session, work.id)
    if last_reached is not None:
        _not_before("completed_on", completed_on, last_reached, "the previous milestone")
    recorded_days = await labour.total_days(session, work.id)
    if (
        recorded_days is not None
        and report.labour_days is not None
        and report.labour_days != recorded_days
    ):
        raise Unprocessable(
            f"labour_days {report.labour_days} differs from the {recorded_days} recorded",
            errors=[
                field_error(
                    "body.labour_days",
                    f"must be {recorded_days}, the labour recorded (or left out)",
                    "labour_mismatch",
                )
            ],
        )
    labour_days = report.labour_days if recorded_days is None else recorded_days
    actual_cost = report.actual_cost_satang
    if actual_cost is None:
        actual_cost = await materials.materials_cost(session, work.id)
    work.completed_on = completed_on
    # The sign-off is the template's last milestone: record it like any other.
    session.add(
        ProgressUpdate(
            house_work_id=work.id,
            milestone=INSPECTED,
            percent=100,
            reached_on=completed_on,
            reported_by=report.inspected_by,
            reported_at=utcnow(),
        )
    )
    await milestones.mark_reached(session, work, INSPECTED, completed_on, report.inspected_by)
    work.last_milestone = INSPECTED
    work.progress_percent = 100
    work.inspected_by = report.inspected_by
    work.actual_cost_satang = actual_cost
    work.labour_days = labour_days or 0
    await _move(session, work, HouseWorkStatus.COMPLETED, reported_by=report.inspected_by)
    await record_event(
        session,
        HouseCompleted(
            **_house(work, completed_on),
            completed_on=completed_on,
            actual_cost_satang=actual_cost,
            labour_days=labour_days or 0,
        ),
        source=SOURCE,
    )


async def set_planned_end(
    session: AsyncSession, house_work_id: uuid.UUID, change: PlannedEnd
) -> HouseWork:
    work = await get(session, house_work_id, for_update=True)
    if work.status in (HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED):
        raise Conflict(
            f"a {work.status} house work has no planned end to change",
            current_status=str(work.status),
        )
    if change.planned_end_on is not None and change.planned_end_on < work.planned_on:
        raise Unprocessable(
            f"planned_end_on {change.planned_end_on} is before the work was planned",
            errors=[
                field_error(
                    "body.planned_end_on",
                    f"must not be before planned_on {work.planned_on}",
                    "date_order",
                )
            ],
        )
    work.planned_end_on = change.planned_end_on
    work.updated_at = utcnow()
    session.add(work)
    await session.flush()
    await milestones.replan(session, work)
    return work


async def cancel(
    session: AsyncSession, house_work_id: uuid.UUID, cancellation: Cancellation
) -> HouseWork:
    work = await get(session, house_work_id, for_update=True)
    check_transition(work.status, HouseWorkStatus.CANCELLED, reason=cancellation.reason)
    work.cancelled_on = today()
    work.cancel_reason = cancellation.reason
    await _move(
        session,
        work,
        HouseWorkStatus.CANCELLED,
        reported_by=cancellation.reported_by,
        reason=cancellation.reason,
    )
    await record_event(
        session,
        HouseCancelled(**_house(work, work.cancelled_on), reason=cancellation.reason),
        source=SOURCE,
    )
    return work


async def _move(
    session: AsyncSession,
    work: HouseWork,
    target: HouseWorkStatus,
    *,
    reported_by: str,
    reason: str | None = None,
) -> None:
    """Record the transition and set the status; the caller has checked it is allowed."""
    now = utcnow()
    session.add(
        HouseWorkTransition(
            house_work_id=work.id,
            from_status=work.status,
            to_status=target,
            reason=reason,
            reported_by=reported_by,
            reported_at=now,
        )
    )
    work.status = target
    work.updated_at = now
    session.add(work)
    await session.flush()

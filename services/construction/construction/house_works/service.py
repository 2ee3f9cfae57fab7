"""House work rules: plan from an approval, then ready, start, progress, complete, cancel.

Each change records its transition (or progress report) and its event in the
caller's unit of work; nothing here commits. Every check runs before the
first write, so a refused request leaves no trace.
"""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import thai_date, utcnow
from baan_shared.clock import thai_today as today
from baan_shared.events.catalog import (
    HouseCancelled,
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseMilestoneReached,
    HousePlanned,
    HouseReadyToBuild,
)
from baan_shared.fiscal import fiscal_year_be
from baan_shared.http.errors import Conflict, NotFound, Unprocessable
from baan_shared.outbox import record_event
from baan_shared.reference import Programme
from construction import SERVICE_NAME
from construction.house_works import repository
from construction.house_works.models import (
    HouseWork,
    HouseWorkStatus,
    HouseWorkTransition,
    ProgressUpdate,
    WorkType,
)
from construction.house_works.schemas import (
    Cancellation,
    CompletionReport,
    PlannedEnd,
    ProgressReport,
    ReadyReport,
    StartReport,
)
from construction.house_works.status import check_progress, check_transition
from construction.labour import repository as labour
from construction.materials import repository as materials
from construction.milestones import service as milestones
from construction.milestones.templates import INSPECTED, check_milestone

SOURCE = f"/services/{SERVICE_NAME}"


def _house(work: HouseWork) -> dict[str, Any]:
    """The fields every house event carries, so no consumer has to ask."""
    return {
        "house_id": work.id,
        "household_id": work.household_id,
        "community_id": work.community_id,
        "project_id": work.project_id,
        "programme": work.programme.value,
        "province_code": work.province_code,
        "district_code": work.district_code,
        "subdistrict_code": work.subdistrict_code,
        "fiscal_year": work.fiscal_year,
        "estimated_cost_satang": work.estimated_cost_satang,
    }


async def plan(session: AsyncSession, approved: HouseholdApproved) -> HouseWork | None:
    """Plan the house work of a newly approved household; ``None`` if it already has one.

    Redelivered events never reach here (the inbox drops them), but survey may
    approve the same household again (waitlisted, then approved when budget
    returns): that is a new event for a house work already planned.
    """
    if await repository.for_household(session, approved.household_id) is not None:
        return None
    planned_on = thai_date(approved.approved_at)
    work = HouseWork(
        household_id=approved.household_id,
        community_id=approved.community_id,
        programme=Programme(approved.programme),
        province_code=approved.province_code,
        district_code=approved.district_code,
        subdistrict_code=approved.subdistrict_code,
        fiscal_year=approved.fiscal_year or fiscal_year_be(planned_on),
        household_size=approved.household_size,
        work_type=WorkType(approved.need),
        estimated_cost_satang=approved.estimated_cost_satang,
        planned_on=planned_on,
    )
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
    return work


async def get(
    session: AsyncSession, house_work_id: uuid.UUID, *, for_update: bool = False
) -> HouseWork:
    work = await repository.get(session, house_work_id, for_update=for_update)
    if work is None:
        raise NotFound(f"house work {house_work_id} does not exist")
    return work


async def mark_ready(
    session: AsyncSession, house_work_id: uuid.UUID, report: ReadyReport
) -> HouseWork:
    """Land, materials and labour are in place (พร้อมสร้าง)."""
    work = await get(session, house_work_id, for_update=True)
    check_transition(work.status, HouseWorkStatus.READY_TO_BUILD)
    work.ready_on = today()
    await _move(session, work, HouseWorkStatus.READY_TO_BUILD, reported_by=report.reported_by)
    await record_event(
        session, HouseReadyToBuild(**_house(work), ready_on=work.ready_on), source=SOURCE
    )
    return work


async def start(session: AsyncSession, house_work_id: uuid.UUID, report: StartReport) -> HouseWork:
    work = await get(session, house_work_id, for_update=True)
    check_transition(work.status, HouseWorkStatus.UNDER_CONSTRUCTION)
    work.started_on = report.started_on or today()
    await _move(session, work, HouseWorkStatus.UNDER_CONSTRUCTION, reported_by=report.reported_by)
    await record_event(
        session,
        HouseConstructionStarted(**_house(work), started_on=work.started_on),
        source=SOURCE,
    )
    return work


async def report_progress(
    session: AsyncSession, house_work_id: uuid.UUID, report: ProgressReport
) -> HouseWork:
    """A milestone of the house's template reached on site, in template order."""
    work = await get(session, house_work_id, for_update=True)
    check_progress(work.status)
    milestone = check_milestone(
        await milestones.house_template(session, work),
        work.last_milestone,
        report.milestone,
        report.percent,
    )
    now = utcnow()
    update = ProgressUpdate(
        house_work_id=work.id,
        milestone=milestone.code,
        percent=milestone.percent,
        reached_on=thai_date(now),
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
            **_house(work),
            milestone=update.milestone,
            percent=update.percent,
            reached_on=update.reached_on,
        ),
        source=SOURCE,
    )
    return work


async def complete(
    session: AsyncSession, house_work_id: uuid.UUID, report: CompletionReport
) -> HouseWork:
    """The committee inspected the finished house and signed it off (ตรวจรับ)."""
    work = await get(session, house_work_id, for_update=True)
    check_transition(work.status, HouseWorkStatus.COMPLETED)
    completed_on = report.completed_on or today()
    if work.started_on is not None and completed_on < work.started_on:
        raise Unprocessable(
            f"completed_on {completed_on} is before the work started on {work.started_on}",
            errors=[
                {
                    "field": "body.completed_on",
                    "reason": f"must not be before started_on {work.started_on}",
                    "code": "date_order",
                }
            ],
        )
    recorded_days = await labour.total_days(session, work.id)
    if (
        recorded_days is not None
        and report.labour_days is not None
        and report.labour_days != recorded_days
    ):
        raise Unprocessable(
            f"labour_days {report.labour_days} differs from the {recorded_days} recorded",
            errors=[
                {
                    "field": "body.labour_days",
                    "reason": f"must be {recorded_days}, the labour recorded (or left out)",
                    "code": "labour_mismatch",
                }
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
            **_house(work),
            completed_on=completed_on,
            actual_cost_satang=actual_cost,
            labour_days=labour_days or 0,
        ),
        source=SOURCE,
    )
    return work


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
                {
                    "field": "body.planned_end_on",
                    "reason": f"must not be before planned_on {work.planned_on}",
                    "code": "date_order",
                }
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
        session, HouseCancelled(**_house(work), reason=cancellation.reason), source=SOURCE
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

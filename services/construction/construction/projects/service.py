"""Project rules: an area's project with dates, and which house works belong to it.

A house work joins a project only if it is of the project's programme and lies
in the project's area (every code the project names), is not finished, and
is not already in another project. Checks run before any write.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, taken_elsewhere, unknown_reference
from baan_shared.clock import thai_today, utcnow
from baan_shared.errors import AppError, Conflict, NotFound, Unprocessable, field_error
from baan_shared.pages import Page, Paging
from construction.access import HOUSE_WORK, covers
from construction.house_works import bulk
from construction.house_works import service as house_works
from construction.house_works.models import HouseWork, HouseWorkStatus
from construction.house_works.schemas import CompletionReport, ProgressReport
from construction.milestones import service as milestones
from construction.projects import repository
from construction.projects.models import Project
from construction.projects.repository import ProjectFilter
from construction.projects.schemas import (
    Assignment,
    BulkProgress,
    BulkReady,
    BulkSignOff,
    BulkStart,
    ProjectCreate,
    ProjectUpdate,
)

FINISHED = frozenset({HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED})
HOUSE_WORK_IDS = "body.house_work_ids"


def _dates_error(start: date, end: date) -> dict[str, Any] | None:
    if end < start:
        return field_error(
            "body.planned_end_on", "must not be before planned_start_on", "date_order"
        )
    return None


def _refuse(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise Unprocessable(
            "; ".join(f"{e['field']}: {e['reason']}" for e in errors), errors=errors
        )


async def create(session: AsyncSession, new: ProjectCreate) -> Project:
    errors = [e for e in [_dates_error(new.planned_start_on, new.planned_end_on)] if e]
    if new.district_code and not new.district_code.startswith(new.province_code):
        errors.append(field_error("body.district_code", "must lie in province_code", "area"))
    if new.subdistrict_code and not (
        new.district_code and new.subdistrict_code.startswith(new.district_code)
    ):
        errors.append(
            field_error("body.subdistrict_code", "must lie in district_code (give both)", "area")
        )
    _refuse(errors)
    project = Project(**new.model_dump())
    session.add(project)
    await session.flush()
    return project


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project:
    project = await repository.get(session, project_id)
    if project is None:
        raise does_not_exist(f"project {project_id}")
    return project


async def update(session: AsyncSession, project_id: uuid.UUID, change: ProjectUpdate) -> Project:
    """Rename or reschedule; house works without their own planned end follow the new end."""
    project = await get(session, project_id)
    start = change.planned_start_on or project.planned_start_on
    end = change.planned_end_on or project.planned_end_on
    _refuse([e for e in [_dates_error(start, end)] if e])
    project.name = change.name or project.name
    project.planned_start_on, project.planned_end_on = start, end
    project.updated_at = utcnow()
    session.add(project)
    await session.flush()
    await milestones.replan_many(session, await repository.works_of_project(session, project.id))
    return project


def _misfit(project: Project, work: HouseWork) -> str | None:
    """Why ``work`` cannot join ``project``, or ``None`` if it can."""
    if work.programme != project.programme:
        return f"is {work.programme}, the project is {project.programme}"
    for code in ("province_code", "district_code", "subdistrict_code"):
        wanted = getattr(project, code)
        if wanted is not None and getattr(work, code) != wanted:
            return f"lies outside the project's area ({code} {getattr(work, code)} ≠ {wanted})"
    return None


async def assign(
    session: AsyncSession,
    project_id: uuid.UUID,
    assignment: Assignment,
    principal: Principal | None = None,
) -> list[HouseWork]:
    """Put house works in the project; assigning one already in it is a no-op.

    ``principal``: the caller (None: internal, every area). A house work it cannot
    see is an unknown reference; one already in a project it cannot see is taken
    elsewhere, without that project's id.
    """
    project = await get(session, project_id)
    ids = list(dict.fromkeys(assignment.house_work_ids))
    works = {w.id: w for w in await repository.house_works(session, ids, for_update=True)}
    for index, house_work_id in enumerate(assignment.house_work_ids):
        work = works.get(house_work_id)
        if work is None or (principal is not None and not covers(principal, work)):
            raise unknown_reference(f"{HOUSE_WORK_IDS}.{index}", HOUSE_WORK, house_work_id)
    errors = []
    for index, house_work_id in enumerate(assignment.house_work_ids):
        reason = _misfit(project, works[house_work_id])
        if reason is not None:
            errors.append(field_error(f"{HOUSE_WORK_IDS}.{index}", reason, "project_misfit"))
    if errors:
        raise Unprocessable(f"{len(errors)} house work(s) cannot join this project", errors=errors)
    for index, house_work_id in enumerate(assignment.house_work_ids):
        work = works[house_work_id]
        if work.project_id not in (None, project.id):
            other = await repository.get(session, work.project_id)
            if principal is not None and (other is None or not covers(principal, other)):
                raise taken_elsewhere(f"{HOUSE_WORK_IDS}.{index}", HOUSE_WORK, work.id)
            raise Conflict(
                f"house work {work.id} already belongs to project {work.project_id}",
                house_work_id=str(work.id),
                project_id=str(work.project_id),
            )
        if work.project_id is None and work.status in FINISHED:
            raise Conflict(
                f"house work {work.id} is {work.status}; only unfinished works join a project",
                house_work_id=str(work.id),
                current_status=str(work.status),
            )
    now = utcnow()
    for work in works.values():
        if work.project_id is None:
            work.project_id = project.id
            work.updated_at = now
            session.add(work)
            await session.flush()
            await milestones.replan(session, work)
    return [works[i] for i in ids]


async def unassign(
    session: AsyncSession, project_id: uuid.UUID, house_work_id: uuid.UUID
) -> HouseWork:
    """Take a house work out of the project, unless it already received its materials."""
    await get(session, project_id)
    found = await repository.house_works(session, [house_work_id], for_update=True)
    work = found[0] if found else None
    if work is None or work.project_id != project_id:
        raise NotFound(f"house work {house_work_id} is not in project {project_id}")
    if work.status in FINISHED:
        raise Conflict(
            f"house work {work.id} is {work.status}; it stays in its project",
            current_status=str(work.status),
        )
    allocated = await repository.allocated_to(session, work.id)
    if allocated:
        raise Conflict(
            f"house work {work.id} received {allocated} satang of the project's materials",
            allocated_satang=allocated,
        )
    work.project_id = None
    work.updated_at = utcnow()
    session.add(work)
    await session.flush()
    await milestones.replan(session, work)
    return work


async def _bulk_targets(
    session: AsyncSession,
    project_id: uuid.UUID,
    chosen: list[uuid.UUID] | None,
    eligible: HouseWorkStatus,
) -> list[HouseWork]:
    """The project's house works to move: those named (each must be in the project), or
    every one in ``eligible`` status. Locked, in id order, so two bulk reports queue."""
    await get(session, project_id)
    works = await repository.works_of_project(session, project_id, for_update=True)
    if chosen is None:
        return [w for w in works if w.status == eligible]
    in_project = {w.id: w for w in works}
    outside = [
        field_error(f"{HOUSE_WORK_IDS}.{index}", f"not in project {project_id}", "not_in_project")
        for index, house_work_id in enumerate(chosen)
        if house_work_id not in in_project
    ]
    _refuse(outside)
    return [in_project[i] for i in dict.fromkeys(chosen)]


async def _each(works: list[HouseWork], move: Any) -> list[uuid.UUID]:
    """Move every work or none: the first refusal names its house work and the request's
    unit of work rolls back the ones already moved."""
    for work in works:
        try:
            await move(work)
        except AppError as refused:
            refused.extra["house_work_id"] = str(work.id)
            refused.detail = f"house work {work.id}: {refused.detail}"
            raise
    return [w.id for w in works]


async def ready_all(
    session: AsyncSession, project_id: uuid.UUID, report: BulkReady
) -> list[uuid.UUID]:
    """Report the project's planned house works ready to build on one day."""
    works = await _bulk_targets(session, project_id, report.house_work_ids, HouseWorkStatus.PLANNED)
    ready_on = report.ready_on or thai_today()

    async def move(work: HouseWork) -> None:
        await house_works.make_ready(session, work, ready_on, report.reported_by)

    return await _each(works, move)


async def start_all(
    session: AsyncSession, project_id: uuid.UUID, report: BulkStart
) -> list[uuid.UUID]:
    """Report the project's ready house works under construction from one day."""
    works = await _bulk_targets(
        session, project_id, report.house_work_ids, HouseWorkStatus.READY_TO_BUILD
    )
    started_on = report.started_on or thai_today()

    async def move(work: HouseWork) -> None:
        await house_works.begin(session, work, started_on, report.reported_by)

    return await _each(works, move)


async def _project_items(
    session: AsyncSession, project_id: uuid.UUID, chosen: list[uuid.UUID] | None
) -> list[bulk.Item]:
    """The project's house works a bulk report names (each must be in the project), or
    every one under construction; each item's errors stay under ``body``."""
    works = await _bulk_targets(session, project_id, chosen, HouseWorkStatus.UNDER_CONSTRUCTION)
    if chosen is None:
        return [bulk.Item("body", "house_work_id", w.id) for w in works]
    return [
        bulk.Item("body", f"{HOUSE_WORK_IDS}.{index}", house_work_id)
        for index, house_work_id in enumerate(chosen)
    ]


async def sign_off_all(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, report: BulkSignOff
) -> list[HouseWork]:
    """Sign off the project's houses under construction (or those named) in one inspection."""
    items = await _project_items(session, project_id, report.house_work_ids)
    each = CompletionReport(inspected_by=report.inspected_by, completed_on=report.completed_on)

    async def apply(index: int, work: HouseWork) -> None:
        await house_works.complete_work(session, work, each)

    return await bulk.apply_all(session, principal, items, apply)


async def progress_all(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, report: BulkProgress
) -> list[HouseWork]:
    """The project's houses under construction (or those named) reached one milestone."""
    items = await _project_items(session, project_id, report.house_work_ids)
    each = ProgressReport(
        reported_by=report.reported_by, milestone=report.milestone, reached_on=report.reached_on
    )

    async def apply(index: int, work: HouseWork) -> None:
        await house_works.progress_work(session, work, each)

    return await bulk.apply_all(session, principal, items, apply)


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, area: ColumnElement[bool], where: ProjectFilter, paging: Paging
) -> Page[Project]:
    return await repository.page(session, area, where, paging)


async def status_counts(session: AsyncSession, project_id: uuid.UUID) -> dict[str, int]:
    return await repository.status_counts(session, project_id)


async def overdue_count(session: AsyncSession, project_id: uuid.UUID, on: date) -> int:
    return await repository.overdue_count(session, project_id, on)


async def money_and_labour(session: AsyncSession, project_id: uuid.UUID) -> dict[str, int]:
    return await repository.money_and_labour(session, project_id)

"""Milestone rules: templates (default or as an administrator set them), each house's
copy of its template, when each milestone is planned, and which are reached.

A house's planned period runs from its project's planned start (else the day it
was planned) to its own planned end, else its project's. Each milestone is
planned ``schedule_percent`` of the way through that period, unless a build
team fixed its date by hand. Nothing here commits.
"""

import uuid
from dataclasses import asdict
from datetime import date, timedelta

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, NotFound, Unprocessable, field_error
from baan_shared.reference import Programme
from construction.house_works.models import HouseWork, HouseWorkStatus, WorkType
from construction.milestones import repository
from construction.milestones.models import HouseMilestone, MilestoneTemplate
from construction.milestones.repository import OverdueFilter, OverdueRow
from construction.milestones.schemas import PlannedOnChange, TemplateChange
from construction.milestones.templates import (
    Milestone,
    Template,
    default_template,
    template_errors,
)
from construction.projects.models import Project

FINISHED = (HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED)


def from_stored(stored: MilestoneTemplate) -> Template:
    return Template(stored.name, tuple(Milestone(**m) for m in stored.milestones))


async def effective_template(
    session: AsyncSession, programme: Programme, work_type: WorkType
) -> tuple[Template, MilestoneTemplate | None]:
    """The template new house works of (programme, work type) get, and its stored row if
    an administrator replaced the default."""
    stored = await repository.stored_template(session, programme, work_type)
    if stored is None:
        return default_template(programme, work_type), None
    return from_stored(stored), stored


async def set_template(
    session: AsyncSession, programme: Programme, work_type: WorkType, change: TemplateChange
) -> tuple[Template, MilestoneTemplate]:
    """Replace the template of (programme, work type) for house works planned from now on."""
    milestones = tuple(
        Milestone(
            code=m.code,
            percent=m.percent,
            label_th=m.label_th,
            schedule_percent=m.percent if m.schedule_percent is None else m.schedule_percent,
        )
        for m in change.milestones
    )
    errors = template_errors(milestones)
    if errors:
        raise Unprocessable(
            "; ".join(f"{e['field']}: {e['reason']}" for e in errors), errors=errors
        )
    stored = await repository.stored_template(session, programme, work_type, for_update=True)
    name = change.name or (stored.name if stored else default_template(programme, work_type).name)
    rows = [asdict(m) for m in milestones]
    if stored is None:
        stored = MilestoneTemplate(
            programme=programme,
            work_type=work_type,
            name=name,
            milestones=rows,
            updated_by=change.updated_by,
        )
    else:
        stored.name, stored.milestones = name, rows
        stored.version += 1
        stored.updated_by, stored.updated_at = change.updated_by, utcnow()
    session.add(stored)
    await session.flush()
    return from_stored(stored), stored


async def copy_onto(session: AsyncSession, work: HouseWork) -> None:
    """Give a newly planned house work its own milestones from today's template."""
    template, _ = await effective_template(session, work.programme, work.work_type)
    work.milestone_template = template.name
    session.add(work)
    for position, milestone in enumerate(template.milestones):
        session.add(HouseMilestone(house_work_id=work.id, position=position, **asdict(milestone)))
    await session.flush()
    await replan(session, work)


def as_template(work: HouseWork, milestones: list[HouseMilestone]) -> Template:
    """A house's own milestones in the shape the order rules check."""
    return Template(
        work.milestone_template,
        tuple(Milestone(m.code, m.percent, m.label_th, m.schedule_percent) for m in milestones),
    )


async def house_template(session: AsyncSession, work: HouseWork) -> Template:
    return as_template(work, await repository.of_house(session, work.id))


async def period(session: AsyncSession, work: HouseWork) -> tuple[date, date] | None:
    """The house's planned period, or None while it has no planned end."""
    project = await session.get(Project, work.project_id) if work.project_id else None
    end = work.planned_end_on or (project.planned_end_on if project else None)
    if end is None:
        return None
    start = project.planned_start_on if project else work.planned_on
    return min(start, end), end


def planned_date(start: date, end: date, schedule_percent: int) -> date:
    days = (end - start).days
    return start + timedelta(days=(days * schedule_percent + 50) // 100)


async def replan(session: AsyncSession, work: HouseWork) -> None:
    """Plan each milestone not fixed by hand from the house's period (none without one)."""
    await replan_many(session, [work])


async def replan_many(session: AsyncSession, works: list[HouseWork]) -> None:
    """``replan`` for many house works (a rescheduled project), in one read of milestones."""
    unfinished = [w for w in works if w.status not in FINISHED]
    rows = await repository.of_houses(session, [w.id for w in unfinished])
    for work in unfinished:
        span = await period(session, work)
        for milestone in rows[work.id]:
            if milestone.planned_on_fixed:
                continue
            milestone.planned_on = (
                planned_date(span[0], span[1], milestone.schedule_percent) if span else None
            )
            session.add(milestone)
    await session.flush()


async def mark_reached(
    session: AsyncSession, work: HouseWork, code: str, reached_on: date, reported_by: str
) -> None:
    for milestone in await repository.of_house(session, work.id):
        if milestone.code == code:
            milestone.reached_on, milestone.reported_by = reached_on, reported_by
            session.add(milestone)
    await session.flush()


async def set_planned_on(
    session: AsyncSession, work: HouseWork, code: str, change: PlannedOnChange
) -> HouseMilestone:
    """A build team's own date for one milestone; ``null`` goes back to the derived one."""
    milestones = await repository.of_house(session, work.id)
    milestone = next((m for m in milestones if m.code == code), None)
    if milestone is None:
        raise NotFound(
            f"house work {work.id} has no milestone {code!r}",
            milestones=[m.code for m in milestones],
        )
    if work.status in FINISHED:
        raise Conflict(
            f"a {work.status} house work has no milestone dates to plan",
            current_status=str(work.status),
        )
    if milestone.reached_on is not None:
        raise Conflict(
            f"{code} was reached on {milestone.reached_on}; its planned date is history",
            reached_on=milestone.reached_on.isoformat(),
        )
    if change.planned_on is not None and change.planned_on < work.planned_on:
        raise Unprocessable(
            f"planned_on {change.planned_on} is before the house work was planned",
            errors=[
                field_error(
                    "body.planned_on", f"must not be before {work.planned_on}", "date_order"
                )
            ],
        )
    milestone.planned_on_fixed = change.planned_on is not None
    milestone.planned_on = change.planned_on
    milestone.planned_by = change.reported_by
    session.add(milestone)
    await session.flush()
    if change.planned_on is None:
        await replan(session, work)  # updates this same row (one identity map)
    return milestone


# --- reads the router serves (the repository behind the service) ----------------------


async def stored_templates(session: AsyncSession) -> list[MilestoneTemplate]:
    return await repository.stored_templates(session)


async def of_house(session: AsyncSession, house_work_id: uuid.UUID) -> list[HouseMilestone]:
    return await repository.of_house(session, house_work_id)


async def overdue(
    session: AsyncSession,
    *,
    on: date,
    after: uuid.UUID | None,
    limit: int,
    where: OverdueFilter,
    area: ColumnElement[bool],
) -> list[OverdueRow]:
    """Milestones planned before ``on`` that the house has not reached nor passed, on
    house works in ``area`` (the caller's areas: ``access.house_works_in``)."""
    return await repository.overdue(
        session, on=on, after=after, limit=limit, where=where, area=area
    )

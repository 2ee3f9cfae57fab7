"""All SQL about house works."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.reference import Programme
from construction.house_works.models import (
    HouseWork,
    HouseWorkStatus,
    HouseWorkTransition,
    PendingGrantRejection,
    ProgressUpdate,
)
from construction.projects.models import Project


async def get(
    session: AsyncSession, house_work_id: uuid.UUID, *, for_update: bool = False
) -> HouseWork | None:
    query = select(HouseWork).where(HouseWork.id == house_work_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def for_household(
    session: AsyncSession, household_id: uuid.UUID, *, for_update: bool = False
) -> HouseWork | None:
    query = select(HouseWork).where(HouseWork.household_id == household_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def pending_rejection(
    session: AsyncSession, household_id: uuid.UUID
) -> PendingGrantRejection | None:
    query = (
        select(PendingGrantRejection)
        .where(PendingGrantRejection.household_id == household_id)
        .with_for_update()
    )
    return (await session.exec(query)).first()


async def households_known(session: AsyncSession, household_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the households already have a house work or a grant rejection waiting."""
    if not household_ids:
        return set()
    works = select(HouseWork.household_id).where(col(HouseWork.household_id).in_(household_ids))
    waiting = select(PendingGrantRejection.household_id).where(
        col(PendingGrantRejection.household_id).in_(household_ids)
    )
    found = set((await session.exec(works)).all())
    return found | set((await session.exec(waiting)).all())


def due_on() -> Any:
    """A house work's planned end: its own, else its project's."""
    return func.coalesce(HouseWork.planned_end_on, Project.planned_end_on)


@dataclass(frozen=True)
class HouseWorkFilter:
    """The list filters; ``None`` means any."""

    status: HouseWorkStatus | None = None
    programme: Programme | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    project_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    community_id: uuid.UUID | None = None
    overdue_on: date | None = None  # past its planned end on this day and not finished


async def project_end(session: AsyncSession, work: HouseWork) -> date | None:
    if work.project_id is None:
        return None
    project = await session.get(Project, work.project_id)
    return project.planned_end_on if project else None


class Row(NamedTuple):
    """A house work as lists show it: with its project's name and planned end."""

    work: HouseWork
    project_end: date | None
    project_name: str | None


async def page(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    where: HouseWorkFilter,
    area: ColumnElement[bool],
) -> list[Row]:
    """House works in id order, each with its project's name and planned end.

    ``area`` is the caller's areas (``access.house_works_in``), required so that no
    list or export can forget them; a national caller passes ``true()``.
    """
    query = (
        select(HouseWork, col(Project.planned_end_on), col(Project.name))
        .outerjoin(Project, col(HouseWork.project_id) == col(Project.id))
        .order_by(col(HouseWork.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(HouseWork.id > after)
    for name in (
        "status",
        "programme",
        "province_code",
        "district_code",
        "subdistrict_code",
        "project_id",
        "household_id",
        "community_id",
    ):
        value = getattr(where, name)
        if value is not None:
            query = query.where(getattr(HouseWork, name) == value)
    query = query.where(area)
    if where.overdue_on is not None:
        query = query.where(
            due_on() < where.overdue_on,
            col(HouseWork.status).not_in([HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED]),
        )
    return [Row(work, end, name) for work, end, name in (await session.exec(query)).all()]


async def progress_updates(session: AsyncSession, house_work_id: uuid.UUID) -> list[ProgressUpdate]:
    query = (
        select(ProgressUpdate)
        .where(ProgressUpdate.house_work_id == house_work_id)
        .order_by(col(ProgressUpdate.reported_at), col(ProgressUpdate.id))
    )
    return list((await session.exec(query)).all())


async def last_reached_on(session: AsyncSession, house_work_id: uuid.UUID) -> date | None:
    """The latest day a milestone of the house was reported reached."""
    query = select(func.max(ProgressUpdate.reached_on)).where(
        ProgressUpdate.house_work_id == house_work_id
    )
    value = (await session.exec(query)).one()
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


async def transitions(session: AsyncSession, house_work_id: uuid.UUID) -> list[HouseWorkTransition]:
    query = (
        select(HouseWorkTransition)
        .where(HouseWorkTransition.house_work_id == house_work_id)
        .order_by(col(HouseWorkTransition.reported_at), col(HouseWorkTransition.id))
    )
    return list((await session.exec(query)).all())

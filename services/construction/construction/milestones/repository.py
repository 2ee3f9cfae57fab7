"""All SQL about milestone templates and house milestones."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.reference import Programme
from construction.house_works.models import HouseWork, HouseWorkStatus, WorkType
from construction.milestones.models import HouseMilestone, MilestoneTemplate


async def stored_template(
    session: AsyncSession, programme: Programme, work_type: WorkType, *, for_update: bool = False
) -> MilestoneTemplate | None:
    query = select(MilestoneTemplate).where(
        MilestoneTemplate.programme == programme, MilestoneTemplate.work_type == work_type
    )
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def stored_templates(session: AsyncSession) -> list[MilestoneTemplate]:
    return list((await session.exec(select(MilestoneTemplate))).all())


async def of_house(session: AsyncSession, house_work_id: uuid.UUID) -> list[HouseMilestone]:
    query = (
        select(HouseMilestone)
        .where(HouseMilestone.house_work_id == house_work_id)
        .order_by(col(HouseMilestone.position))
    )
    return list((await session.exec(query)).all())


async def of_houses(
    session: AsyncSession, house_work_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[HouseMilestone]]:
    found: dict[uuid.UUID, list[HouseMilestone]] = {i: [] for i in house_work_ids}
    if not house_work_ids:
        return found
    query = (
        select(HouseMilestone)
        .where(col(HouseMilestone.house_work_id).in_(house_work_ids))
        .order_by(col(HouseMilestone.house_work_id), col(HouseMilestone.position))
    )
    for milestone in (await session.exec(query)).all():
        found[milestone.house_work_id].append(milestone)
    return found


# Works whose milestones can still be late: finished works have nothing due. A work
# on hold is late all the same (its status says why), as in the overdue house works.
SCHEDULED = (
    HouseWorkStatus.PLANNED,
    HouseWorkStatus.READY_TO_BUILD,
    HouseWorkStatus.UNDER_CONSTRUCTION,
    HouseWorkStatus.ON_HOLD,
)


@dataclass(frozen=True)
class OverdueFilter:
    project_id: uuid.UUID | None = None
    programme: Programme | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    community_id: uuid.UUID | None = None


class OverdueRow(NamedTuple):
    milestone: HouseMilestone
    work: HouseWork


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
    house works in ``area`` (the caller's areas: ``access.house_works_in``).

    A milestone skipped on site (a later one was reported) is passed, not late.
    """
    later = aliased(HouseMilestone)
    reached_or_passed = exists().where(
        and_(
            col(later.house_work_id) == col(HouseMilestone.house_work_id),
            col(later.position) >= col(HouseMilestone.position),
            col(later.reached_on).is_not(None),
        )
    )
    query = (
        select(HouseMilestone, HouseWork)
        .join(HouseWork, col(HouseWork.id) == col(HouseMilestone.house_work_id))
        .where(
            col(HouseMilestone.planned_on) < on,
            col(HouseWork.status).in_(SCHEDULED),
            ~reached_or_passed,
        )
        .order_by(col(HouseMilestone.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(HouseMilestone.id > after)
    for name in (
        "project_id",
        "programme",
        "province_code",
        "district_code",
        "subdistrict_code",
        "community_id",
    ):
        value = getattr(where, name)
        if value is not None:
            query = query.where(getattr(HouseWork, name) == value)
    query = query.where(area)
    return [OverdueRow(m, w) for m, w in (await session.exec(query)).all()]

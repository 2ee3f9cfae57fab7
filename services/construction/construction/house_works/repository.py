"""All SQL about house works."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from construction.house_works.models import (
    HouseWork,
    HouseWorkStatus,
    HouseWorkTransition,
    Programme,
    ProgressUpdate,
)


async def get(
    session: AsyncSession, house_work_id: uuid.UUID, *, for_update: bool = False
) -> HouseWork | None:
    query = select(HouseWork).where(HouseWork.id == house_work_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def for_household(session: AsyncSession, household_id: uuid.UUID) -> HouseWork | None:
    query = select(HouseWork).where(HouseWork.household_id == household_id)
    return (await session.exec(query)).first()


async def page(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    status: HouseWorkStatus | None,
    programme: Programme | None,
    province_code: str | None,
    household_id: uuid.UUID | None,
) -> list[HouseWork]:
    query = select(HouseWork).order_by(col(HouseWork.id)).limit(limit)
    if after is not None:
        query = query.where(HouseWork.id > after)
    if status is not None:
        query = query.where(HouseWork.status == status)
    if programme is not None:
        query = query.where(HouseWork.programme == programme)
    if province_code is not None:
        query = query.where(HouseWork.province_code == province_code)
    if household_id is not None:
        query = query.where(HouseWork.household_id == household_id)
    return list((await session.exec(query)).all())


async def progress_updates(session: AsyncSession, house_work_id: uuid.UUID) -> list[ProgressUpdate]:
    query = (
        select(ProgressUpdate)
        .where(ProgressUpdate.house_work_id == house_work_id)
        .order_by(col(ProgressUpdate.reported_at), col(ProgressUpdate.id))
    )
    return list((await session.exec(query)).all())


async def transitions(session: AsyncSession, house_work_id: uuid.UUID) -> list[HouseWorkTransition]:
    query = (
        select(HouseWorkTransition)
        .where(HouseWorkTransition.house_work_id == house_work_id)
        .order_by(col(HouseWorkTransition.reported_at), col(HouseWorkTransition.id))
    )
    return list((await session.exec(query)).all())

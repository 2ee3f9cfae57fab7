"""All SQL about household photos."""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from survey.photos.models import HouseholdPhoto


async def of_household(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdPhoto]:
    query = (
        select(HouseholdPhoto)
        .where(HouseholdPhoto.household_id == household_id)
        .order_by(col(HouseholdPhoto.id))
    )
    return list((await session.exec(query)).all())


async def count(session: AsyncSession, household_id: uuid.UUID) -> int:
    query = select(func.count()).where(HouseholdPhoto.household_id == household_id)
    return int((await session.exec(query)).one())


async def get(
    session: AsyncSession, household_id: uuid.UUID, photo_id: uuid.UUID
) -> HouseholdPhoto | None:
    query = select(HouseholdPhoto).where(
        HouseholdPhoto.id == photo_id, HouseholdPhoto.household_id == household_id
    )
    return (await session.exec(query)).first()

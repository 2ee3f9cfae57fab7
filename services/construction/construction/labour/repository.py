"""All SQL about labour."""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from construction.labour.models import LabourEntry


async def entries(session: AsyncSession, house_work_id: uuid.UUID) -> list[LabourEntry]:
    query = (
        select(LabourEntry)
        .where(LabourEntry.house_work_id == house_work_id)
        .order_by(col(LabourEntry.worked_on), col(LabourEntry.id))
    )
    return list((await session.exec(query)).all())


async def total_days(session: AsyncSession, house_work_id: uuid.UUID) -> int | None:
    """All person-days recorded for the house; ``None`` if none were recorded."""
    query = select(func.count(), func.coalesce(func.sum(LabourEntry.person_days), 0)).where(
        LabourEntry.house_work_id == house_work_id
    )
    count, days = (await session.exec(query)).one()
    return int(days) if count else None

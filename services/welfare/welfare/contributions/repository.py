"""All SQL about contributions."""

import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from welfare.contributions.models import Contribution


async def by_reference(
    session: AsyncSession, fund_id: uuid.UUID, reference: str
) -> Contribution | None:
    query = select(Contribution).where(
        Contribution.fund_id == fund_id, Contribution.reference == reference
    )
    return (await session.exec(query)).first()


async def page(
    session: AsyncSession, member_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
) -> list[Contribution]:
    query = (
        select(Contribution)
        .where(Contribution.member_id == member_id)
        .order_by(col(Contribution.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(col(Contribution.id) > after)
    return list((await session.exec(query)).all())


async def total_between(session: AsyncSession, fund_id: uuid.UUID, first: date, last: date) -> int:
    """Members' contributions paid from ``first`` to ``last`` (both counted)."""
    query = select(func.coalesce(func.sum(Contribution.amount_satang), 0)).where(
        Contribution.fund_id == fund_id,
        col(Contribution.paid_on) >= first,
        col(Contribution.paid_on) <= last,
    )
    return int((await session.exec(query)).one())

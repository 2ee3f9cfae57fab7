"""All SQL about contributions."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, insert
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


CHUNK = 5_000  # ids per IN (...) list, well under SQLite's bound-parameter limit


async def used_references(
    session: AsyncSession, fund_id: uuid.UUID, references: list[str]
) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(references), CHUNK):
        chunk = references[start : start + CHUNK]
        query = select(Contribution.reference).where(
            Contribution.fund_id == fund_id, col(Contribution.reference).in_(chunk)
        )
        found.update((await session.exec(query)).all())
    return found


async def insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT per chunk: a sheet's rows without a flush per row."""
    connection = await session.connection()
    for start in range(0, len(rows), CHUNK):
        await connection.execute(insert(Contribution), rows[start : start + CHUNK])

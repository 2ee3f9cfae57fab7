"""All SQL about contributions."""

import uuid
from datetime import date, datetime
from typing import Any, NamedTuple

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import String, Uuid, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.db import one_of
from welfare.contributions.models import Contribution
from welfare.sheets import insert_rows


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


async def paid_by_member(
    session: AsyncSession, member_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Each member's contributions so far (members who paid nothing are absent): summed
    from the contributions themselves, over the member's index, so a sheet of 20,000
    rows writes no member row and a member's total cannot drift from its payments."""
    paid: dict[uuid.UUID, int] = {}
    for among in await one_of(session, col(Contribution.member_id), member_ids, Uuid()):
        query = (
            select(col(Contribution.member_id), func.sum(Contribution.amount_satang))
            .where(among)
            .group_by(col(Contribution.member_id))
        )
        paid.update({member: int(total) for member, total in (await session.exec(query)).all()})
    return paid


_USED_REFERENCES = (
    "SELECT c.reference FROM unnest($2::text[]) AS r(reference) "
    "JOIN welfare_contributions AS c ON c.fund_id = $1 AND c.reference = r.reference"
)


async def used_references(
    session: AsyncSession, fund_id: uuid.UUID, references: list[str]
) -> set[str]:
    if not references:
        return set()
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # The sheet's receipt numbers joined as a table: one probe each of the unique
        # (fund, receipt) index. ``= ANY`` under a generic plan scanned the fund's whole
        # history instead, comparing every row with every receipt (60 ms a sheet of
        # 1,100 by the third month, growing each month).
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        rows = await driver.fetch(_USED_REFERENCES, fund_id, references)
        return {row[0] for row in rows}
    found: set[str] = set()
    for among in await one_of(session, col(Contribution.reference), references, String()):
        query = select(Contribution.reference).where(Contribution.fund_id == fund_id, among)
        found.update((await session.exec(query)).all())
    return found


# What a bulk write raises when a receipt number is already taken: SQLAlchemy's error
# for INSERTs, asyncpg's own for COPY (it runs on the driver's connection).
ALREADY_RECORDED: tuple[type[Exception], ...] = (IntegrityError, UniqueViolationError)


class Row(NamedTuple):
    """A contribution as a sheet writes it: the table's columns, in order."""

    id: uuid.UUID
    fund_id: uuid.UUID
    member_id: uuid.UUID | None
    paid_on: date
    amount_satang: int
    reference: str
    recorded_at: datetime


async def insert_many(session: AsyncSession, rows: list[Row]) -> None:
    """A sheet's rows in bulk (COPY on PostgreSQL), inside the session's transaction."""
    await insert_rows(session, Contribution, rows)

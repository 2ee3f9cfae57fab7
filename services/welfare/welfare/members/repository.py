"""All SQL about members."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import String, Uuid, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.db import one_of
from welfare.members.membership import ENDED, HOLDS_MEMBERSHIP, MemberStatus
from welfare.members.models import Member
from welfare.sheets import insert_rows


async def get(session: AsyncSession, member_id: uuid.UUID) -> Member | None:
    return await session.get(Member, member_id)


async def lock(session: AsyncSession, member_ids: Sequence[uuid.UUID]) -> None:
    """Hold the members' rows until commit: claims of one member are judged one at a time,
    so two claims cannot both fit a yearly cap only one of them fits. Many at once in id
    order (one statement), so two committees' sheets cannot deadlock each other."""
    for among in await one_of(session, col(Member.id), sorted(set(member_ids)), Uuid()):
        await session.exec(update(Member).where(among).values(updated_at=utcnow()))


async def held(session: AsyncSession, fund_id: uuid.UUID, national_id: str) -> Member | None:
    query = select(Member).where(
        Member.fund_id == fund_id,
        Member.national_id == national_id,
        col(Member.status).in_([s.value for s in HOLDS_MEMBERSHIP]),
    )
    return (await session.exec(query)).first()


async def held_elsewhere(session: AsyncSession, members: Sequence[Member]) -> set[uuid.UUID]:
    """Which of ``members`` share their national ID with a membership held in another fund."""
    if not members:
        return set()
    ids = sorted({m.national_id for m in members})
    query = (
        select(Member.national_id, Member.fund_id)
        .where(
            col(Member.national_id).in_(ids),
            col(Member.status).in_([s.value for s in HOLDS_MEMBERSHIP]),
        )
        .distinct()
    )
    funds_of: dict[str, set[uuid.UUID]] = {}
    for national_id, fund_id in (await session.exec(query)).all():
        funds_of.setdefault(national_id, set()).add(fund_id)
    return {m.id for m in members if funds_of.get(m.national_id, set()) - {m.fund_id}}


async def page(
    session: AsyncSession,
    fund_id: uuid.UUID,
    *,
    after: uuid.UUID | None,
    limit: int,
    status: MemberStatus | None = None,
    national_id: str | None = None,
) -> list[Member]:
    query = select(Member).where(Member.fund_id == fund_id).order_by(col(Member.id)).limit(limit)
    if after is not None:
        query = query.where(col(Member.id) > after)
    if status is not None:
        query = query.where(Member.status == status)
    if national_id is not None:
        query = query.where(Member.national_id == national_id)
    return list((await session.exec(query)).all())


async def count_held(session: AsyncSession, fund_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(Member)
        .where(
            Member.fund_id == fund_id,
            col(Member.status).in_([s.value for s in HOLDS_MEMBERSHIP]),
        )
    )
    return int((await session.exec(query)).one())


async def of_fund(
    session: AsyncSession, fund_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Member]:
    """Those of ``member_ids`` that are members of the fund (others are simply absent)."""
    found: dict[uuid.UUID, Member] = {}
    ids = sorted(set(member_ids))
    for start in range(0, len(ids), 5_000):
        query = select(Member).where(
            Member.fund_id == fund_id, col(Member.id).in_(ids[start : start + 5_000])
        )
        found.update({m.id: m for m in (await session.exec(query)).all()})
    return found


class Standing(NamedTuple):
    """What a contribution sheet checks of a member, without loading the member."""

    id: uuid.UUID
    status: MemberStatus
    joined_on: date


_STANDING = (col(Member.id), col(Member.status), col(Member.joined_on))
_STATUS = {status.value: status for status in MemberStatus}
_HELD = ", ".join(f"'{status.value}'" for status in HOLDS_MEMBERSHIP)
# A sheet's members in one statement on the driver's connection: a 20,000-row sheet's
# lookup took 0.2 s through the ORM's row processing, 0.04 s here. DISTINCT ON keeps
# each person's membership as ``standings_by_national_id`` ranks them.
# The keys are joined as a table (unnest), not filtered by ``= ANY``: once the driver's
# prepared statement gets a generic plan, ``= ANY($2)`` is a filter that compares each
# of the fund's members with every key of the sheet (1,100 × 1,100 a sheet).
_STANDINGS_BY_ID = (
    "SELECT m.id, m.id, m.status, m.joined_on "
    "FROM unnest($2::uuid[]) AS k(id) JOIN welfare_members AS m ON m.id = k.id "
    "WHERE m.fund_id = $1"
)
_STANDINGS_BY_NATIONAL_ID = (
    "SELECT DISTINCT ON (m.national_id) m.national_id, m.id, m.status, m.joined_on "
    "FROM unnest($2::text[]) AS k(national_id) "
    "JOIN welfare_members AS m ON m.national_id = k.national_id WHERE m.fund_id = $1 "
    f"ORDER BY m.national_id, m.status IN ({_HELD}) DESC, m.joined_on DESC"
)


async def _driver_standings(
    session: AsyncSession, statement: str, fund_id: uuid.UUID, keys: list[Any]
) -> dict[Any, Standing] | None:
    """``{key: Standing}`` from one of the statements above on PostgreSQL; None
    elsewhere."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return None
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    rows = await driver.fetch(statement, fund_id, keys)
    return {key: Standing(id_, _STATUS[status], joined) for key, id_, status, joined in rows}


async def standings(
    session: AsyncSession, fund_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Standing]:
    """Those of ``member_ids`` that are members of the fund (others are simply absent)."""
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    fast = await _driver_standings(session, _STANDINGS_BY_ID, fund_id, wanted)
    if fast is not None:
        return fast
    found: dict[uuid.UUID, Standing] = {}
    for among in await one_of(session, col(Member.id), wanted, Uuid()):
        query = select(*_STANDING).where(Member.fund_id == fund_id, among)
        found.update({row[0]: Standing(*row) for row in (await session.exec(query)).all()})
    return found


async def standings_by_national_id(
    session: AsyncSession, fund_id: uuid.UUID, national_ids: Sequence[str]
) -> dict[str, Standing]:
    """The fund's membership of each person: the one held if any, else the latest ended
    (so that its end is what refuses the payment)."""
    wanted = sorted(set(national_ids))
    if not wanted:
        return {}
    fast = await _driver_standings(session, _STANDINGS_BY_NATIONAL_ID, fund_id, wanted)
    if fast is not None:
        return fast
    found: dict[str, tuple[bool, date, Standing]] = {}
    for among in await one_of(session, col(Member.national_id), wanted, String()):
        query = select(*_STANDING, col(Member.national_id)).where(Member.fund_id == fund_id, among)
        for member_id, status, joined_on, national_id in (await session.exec(query)).all():
            rank = (status not in ENDED, joined_on, Standing(member_id, status, joined_on))
            if national_id not in found or rank[:2] > found[national_id][:2]:
                found[national_id] = rank
    return {national_id: rank[2] for national_id, rank in found.items()}


_HELD_IN_OTHER_FUNDS = (
    "SELECT DISTINCT m.national_id FROM unnest($2::text[]) AS k(national_id) "
    "JOIN welfare_members AS m ON m.national_id = k.national_id "
    f"WHERE m.fund_id <> $1 AND m.status IN ({_HELD})"
)


async def held_in_other_funds(
    session: AsyncSession, fund_id: uuid.UUID, national_ids: Sequence[str]
) -> set[str]:
    """Which of ``national_ids`` hold a membership of a fund other than ``fund_id``."""
    wanted = sorted(set(national_ids))
    if not wanted:
        return set()
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # joined as a table, one probe of the national ID index each (see above)
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        return {row[0] for row in await driver.fetch(_HELD_IN_OTHER_FUNDS, fund_id, wanted)}
    found: set[str] = set()
    for among in await one_of(session, col(Member.national_id), wanted, String()):
        query = (
            select(col(Member.national_id))
            .where(
                among,
                Member.fund_id != fund_id,
                col(Member.status).in_([s.value for s in HOLDS_MEMBERSHIP]),
            )
            .distinct()
        )
        found.update((await session.exec(query)).all())
    return found


class Row(NamedTuple):
    """A member as a sheet writes it: the table's columns."""

    id: uuid.UUID
    fund_id: uuid.UUID
    national_id: str
    name: str
    joined_on: date
    status: MemberStatus
    ended_on: date | None
    created_at: datetime
    updated_at: datetime


# What a bulk write raises when a membership is already held (the partial unique index):
# SQLAlchemy's error for INSERTs, asyncpg's own for COPY.
ALREADY_HELD: tuple[type[Exception], ...] = (IntegrityError, UniqueViolationError)


async def insert_many(session: AsyncSession, rows: list[Row]) -> None:
    """A sheet's members in bulk (COPY on PostgreSQL), inside the session's transaction."""
    await insert_rows(session, Member, rows)

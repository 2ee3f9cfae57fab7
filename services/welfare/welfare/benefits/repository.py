"""All SQL about claims."""

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Uuid, extract, func
from sqlalchemy import select as select_columns
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.db import one_of
from welfare.benefits.eligibility import Used, Year
from welfare.benefits.models import Claim, ClaimStatus
from welfare.funds.rules import BenefitKind


async def get(session: AsyncSession, claim_id: uuid.UUID) -> Claim | None:
    return await session.get(Claim, claim_id)


async def used(
    session: AsyncSession,
    member_id: uuid.UUID,
    kind: BenefitKind,
    year: int,
    *,
    besides: uuid.UUID | None = None,
) -> Used:
    """The member's claims of ``kind`` with events in calendar ``year`` that count toward
    the yearly limits: all but refused ones (and ``besides``, the claim being judged)."""
    query = select(
        func.count(),
        func.coalesce(func.sum(Claim.nights), 0),
        func.coalesce(func.sum(Claim.amount_satang), 0),
    ).where(
        Claim.member_id == member_id,
        Claim.kind == kind,
        col(Claim.event_date) >= date(year, 1, 1),
        col(Claim.event_date) <= date(year, 12, 31),
        Claim.status != ClaimStatus.REFUSED,
    )
    if besides is not None:
        query = query.where(col(Claim.id) != besides)
    claims, nights, amount = (await session.exec(query)).one()
    return Used(claims=int(claims), nights=int(nights), amount_satang=int(amount))


async def used_by_year(
    session: AsyncSession, member_ids: Sequence[uuid.UUID], first: int, last: int
) -> dict[Year, Used]:
    """``used`` for many members at once, per benefit and calendar year from ``first``
    to ``last``: one grouped query (per chunk of ids on SQLite)."""
    year = extract("year", col(Claim.event_date))
    found: dict[Year, Used] = {}
    connection = await session.connection()  # six columns: past sqlmodel's typed select
    for among in await one_of(session, col(Claim.member_id), sorted(set(member_ids)), Uuid()):
        query = (
            select_columns(
                col(Claim.member_id),
                col(Claim.kind),
                year,
                func.count(),
                func.coalesce(func.sum(Claim.nights), 0),
                func.coalesce(func.sum(Claim.amount_satang), 0),
            )
            .where(
                among,
                col(Claim.event_date) >= date(first, 1, 1),
                col(Claim.event_date) <= date(last, 12, 31),
                Claim.status != ClaimStatus.REFUSED,
            )
            .group_by(col(Claim.member_id), col(Claim.kind), year)
        )
        for member_id, kind, in_year, claims, nights, amount in await connection.execute(query):
            found[(member_id, BenefitKind(kind), int(in_year))] = Used(
                int(claims), int(nights), int(amount)
            )
    return found


async def of_fund(
    session: AsyncSession,
    fund_id: uuid.UUID,
    claim_ids: Sequence[uuid.UUID],
    *,
    for_update: bool = False,
) -> dict[uuid.UUID, Claim]:
    """Those of ``claim_ids`` that are claims of the fund (others are simply absent);
    ``for_update``: held until commit and read afresh (PostgreSQL)."""
    found: dict[uuid.UUID, Claim] = {}
    for among in await one_of(session, col(Claim.id), sorted(set(claim_ids)), Uuid()):
        query = select(Claim).where(Claim.fund_id == fund_id, among)
        if for_update:
            query = query.order_by(col(Claim.id)).with_for_update()
            query = query.execution_options(populate_existing=True)
        found.update({c.id: c for c in (await session.exec(query)).all()})
    return found


async def page(
    session: AsyncSession,
    fund_id: uuid.UUID,
    *,
    after: uuid.UUID | None,
    limit: int,
    status: ClaimStatus | None,
    member_id: uuid.UUID | None,
) -> list[Claim]:
    query = select(Claim).where(Claim.fund_id == fund_id).order_by(col(Claim.id)).limit(limit)
    if after is not None:
        query = query.where(col(Claim.id) > after)
    if status is not None:
        query = query.where(Claim.status == status)
    if member_id is not None:
        query = query.where(Claim.member_id == member_id)
    return list((await session.exec(query)).all())

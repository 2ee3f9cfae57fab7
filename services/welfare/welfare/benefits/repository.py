"""All SQL about claims."""

import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from welfare.benefits.eligibility import Used
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

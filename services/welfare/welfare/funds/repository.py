"""All SQL about funds and their rule versions."""

import uuid

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.clock import utcnow
from welfare.funds.models import Fund, FundKind, FundRuleVersion


async def get(session: AsyncSession, fund_id: uuid.UUID) -> Fund | None:
    return await session.get(Fund, fund_id)


async def lock(session: AsyncSession, fund_id: uuid.UUID) -> None:
    """Hold the fund's row until commit, before the rows that hang on it (its claims),
    in the order a booking takes them: the fund, then what it pays."""
    await session.exec(update(Fund).where(col(Fund.id) == fund_id).values(updated_at=utcnow()))


async def find(session: AsyncSession, kind: FundKind, subdistrict_code: str) -> Fund | None:
    query = select(Fund).where(Fund.kind == kind, Fund.subdistrict_code == subdistrict_code)
    return (await session.exec(query)).first()


async def page(
    session: AsyncSession,
    *,
    principal: Principal,
    after: uuid.UUID | None,
    limit: int,
    province_code: str | None,
    district_code: str | None,
    subdistrict_code: str | None,
) -> list[Fund]:
    query = (
        select(Fund)
        .where(
            area_filter(
                principal,
                province=col(Fund.province_code),
                district=col(Fund.district_code),
                subdistrict=col(Fund.subdistrict_code),
            )
        )
        .order_by(col(Fund.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(col(Fund.id) > after)
    if province_code is not None:
        query = query.where(Fund.province_code == province_code)
    if district_code is not None:
        query = query.where(Fund.district_code == district_code)
    if subdistrict_code is not None:
        query = query.where(Fund.subdistrict_code == subdistrict_code)
    return list((await session.exec(query)).all())


async def rule_versions(session: AsyncSession, fund_id: uuid.UUID) -> list[FundRuleVersion]:
    query = (
        select(FundRuleVersion)
        .where(FundRuleVersion.fund_id == fund_id)
        .order_by(col(FundRuleVersion.effective_from))
    )
    return list((await session.exec(query)).all())

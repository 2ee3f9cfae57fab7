"""All SQL about grants, their disbursements and the house stages behind them."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from finance.grants.models import Grant, GrantDisbursement, GrantStatus, HouseStage


async def get(
    session: AsyncSession, grant_id: uuid.UUID, *, for_update: bool = False
) -> Grant | None:
    query = select(Grant).where(Grant.id == grant_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def for_household(
    session: AsyncSession, household_id: uuid.UUID, *, for_update: bool = False
) -> Grant | None:
    query = select(Grant).where(Grant.household_id == household_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def page(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    programme: str | None,
    province_code: str | None,
    household_id: uuid.UUID | None,
    status: GrantStatus | None,
    fiscal_year: int | None,
    principal: Principal,
) -> list[Grant]:
    query = (
        select(Grant)
        .where(
            area_filter(
                principal,
                province=Grant.province_code,
                district=Grant.district_code,
                subdistrict=Grant.subdistrict_code,
            )
        )
        .order_by(col(Grant.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(Grant.id > after)
    if programme is not None:
        query = query.where(Grant.programme == programme)
    if province_code is not None:
        query = query.where(Grant.province_code == province_code)
    if household_id is not None:
        query = query.where(Grant.household_id == household_id)
    if status is not None:
        query = query.where(Grant.status == status)
    if fiscal_year is not None:
        query = query.where(Grant.fiscal_year == fiscal_year)
    return list((await session.exec(query)).all())


async def disbursements(session: AsyncSession, grant_id: uuid.UUID) -> list[GrantDisbursement]:
    query = (
        select(GrantDisbursement)
        .where(GrantDisbursement.grant_id == grant_id)
        .order_by(col(GrantDisbursement.tranche))
    )
    return list((await session.exec(query)).all())


async def stage(session: AsyncSession, household_id: uuid.UUID, key: str) -> HouseStage | None:
    query = select(HouseStage).where(
        HouseStage.household_id == household_id, HouseStage.stage == key
    )
    return (await session.exec(query)).first()


async def stages_reached(session: AsyncSession, household_id: uuid.UUID) -> set[str]:
    query = select(HouseStage.stage).where(HouseStage.household_id == household_id)
    return set((await session.exec(query)).all())


async def households_known(session: AsyncSession, household_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the households already have a grant, or a house stage reported."""
    if not household_ids:
        return set()
    grants = select(Grant.household_id).where(col(Grant.household_id).in_(household_ids))
    stages = select(HouseStage.household_id).where(col(HouseStage.household_id).in_(household_ids))
    found = set((await session.exec(grants)).all())
    return found | set((await session.exec(stages)).all())

"""All SQL about grants, their disbursements and the house stages behind them."""

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.pages import Page, Paging, page_in_areas
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


@dataclass(frozen=True)
class GrantFilter:
    programme: str | None = None
    province_code: str | None = None
    household_id: uuid.UUID | None = None
    status: GrantStatus | None = None
    fiscal_year: int | None = None


async def page(
    session: AsyncSession, principal: Principal, where: GrantFilter, paging: Paging
) -> Page[Grant]:
    return await page_in_areas(session, Grant, principal, where, paging)


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

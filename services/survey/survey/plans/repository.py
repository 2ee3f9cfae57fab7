"""All SQL about tambon plans."""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.pages import Page, Paging, page_in_areas
from survey.plans.models import PlanStatus, TambonPlan, TambonPlanLine


async def get(
    session: AsyncSession, plan_id: uuid.UUID, *, for_update: bool = False
) -> TambonPlan | None:
    query = select(TambonPlan).where(TambonPlan.id == plan_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def lines_of(
    session: AsyncSession, plan_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[TambonPlanLine]]:
    found: dict[uuid.UUID, list[TambonPlanLine]] = defaultdict(list)
    if not plan_ids:
        return found
    query = (
        select(TambonPlanLine)
        .where(col(TambonPlanLine.plan_id).in_(plan_ids))
        .order_by(
            col(TambonPlanLine.programme),
            col(TambonPlanLine.fiscal_year),
            col(TambonPlanLine.need),
        )
    )
    for line in (await session.exec(query)).all():
        found[line.plan_id].append(line)
    return found


async def latest_version(session: AsyncSession, subdistrict_code: str) -> int:
    query = select(func.max(TambonPlan.version)).where(
        TambonPlan.subdistrict_code == subdistrict_code
    )
    return (await session.exec(query)).one() or 0


async def adopted_overlapping(
    session: AsyncSession, subdistrict_code: str, first: int, last: int
) -> list[TambonPlan]:
    """The tambon's adopted plans whose span shares a fiscal year with first..last."""
    query = (
        select(TambonPlan)
        .where(
            TambonPlan.subdistrict_code == subdistrict_code,
            TambonPlan.status == PlanStatus.ADOPTED,
            TambonPlan.first_fiscal_year <= last,
            TambonPlan.first_fiscal_year + TambonPlan.years - 1 >= first,
        )
        .with_for_update()
    )
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class PlanFilter:
    subdistrict_code: str | None = None
    province_code: str | None = None
    status: PlanStatus | None = None


async def page(
    session: AsyncSession, principal: Principal, where: PlanFilter, paging: Paging
) -> Page[TambonPlan]:
    return await page_in_areas(session, TambonPlan, principal, where, paging)

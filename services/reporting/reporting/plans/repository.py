"""All SQL about planned lines."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from reporting.geography import COUNTRY_CODE, AreaLevel
from reporting.plans.models import PlannedLine


async def replace_lines(
    session: AsyncSession, plan_id: uuid.UUID, lines: list[PlannedLine]
) -> None:
    """The plan's lines become exactly ``lines``: a redelivered adoption changes nothing."""
    await session.exec(delete(PlannedLine).where(col(PlannedLine.plan_id) == plan_id))
    session.add_all(lines)
    await session.flush()


async def mark_superseded(session: AsyncSession, plan_id: uuid.UUID) -> None:
    await session.exec(
        update(PlannedLine).where(col(PlannedLine.plan_id) == plan_id).values(superseded=True)
    )


async def superseded(session: AsyncSession, plan_id: uuid.UUID) -> bool:
    """Whether an earlier event already superseded the plan (its lines are gone or marked)."""
    query = select(PlannedLine.superseded).where(PlannedLine.plan_id == plan_id).limit(1)
    return bool((await session.exec(query)).first())


@dataclass(frozen=True)
class Planned:
    programme: str
    area_code: str | None
    households: int
    budget_satang: int
    communities: int
    tambons: int


async def planned_by_area(
    session: AsyncSession,
    *,
    fiscal_year: int,
    level: AreaLevel,
    programme: str | None,
    region: str | None,
    province_code: str | None,
    district_code: str | None,
    principal: Principal | None,
) -> list[Planned]:
    area: Any = {
        AreaLevel.REGION: col(PlannedLine.region_code),
        AreaLevel.PROVINCE: col(PlannedLine.province_code),
        AreaLevel.DISTRICT: col(PlannedLine.district_code),
        AreaLevel.SUBDISTRICT: col(PlannedLine.subdistrict_code),
    }.get(level)
    programme_column = col(PlannedLine.programme)
    group: list[Any] = [programme_column] + ([area] if area is not None else [])
    columns: list[Any] = [
        *group,
        func.sum(PlannedLine.households),
        func.sum(PlannedLine.budget_satang),
        func.sum(PlannedLine.communities),
        func.count(func.distinct(PlannedLine.subdistrict_code)),
    ]
    query = select(*columns).where(
        PlannedLine.fiscal_year == fiscal_year, col(PlannedLine.superseded).is_(False)
    )
    if principal is not None:
        query = query.where(
            area_filter(
                principal,
                province=PlannedLine.province_code,
                district=PlannedLine.district_code,
                subdistrict=PlannedLine.subdistrict_code,
            )
        )
    if programme is not None:
        query = query.where(programme_column == programme)
    if region is not None:
        query = query.where(PlannedLine.region_code == region)
    if province_code is not None:
        query = query.where(PlannedLine.province_code == province_code)
    if district_code is not None:
        query = query.where(PlannedLine.district_code == district_code)
    rows = (await session.exec(query.group_by(*group).order_by(*group))).all()
    result = []
    for row in rows:
        code = row[1] if area is not None else COUNTRY_CODE
        figures = [int(n or 0) for n in row[-4:]]
        result.append(Planned(row[0], code, *figures))
    return result

"""All SQL about tambon coverage."""

from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from reporting.survey_coverage.models import TambonCoverage


async def get(session: AsyncSession, subdistrict_code: str) -> TambonCoverage | None:
    query = (
        select(TambonCoverage)
        .where(TambonCoverage.subdistrict_code == subdistrict_code)
        .with_for_update()
    )
    return (await session.exec(query)).first()


async def by_area(
    session: AsyncSession, area: Any, principal: Principal, province_code: str | None
) -> list[tuple[str, int, int, int, int]]:
    """(area code, tambons reported, surveyed whole, households surveyed, households in area)."""
    columns: list[Any] = [
        area,
        func.count(),
        func.sum(case((col(TambonCoverage.whole_tambon_surveyed), 1), else_=0)),
        func.sum(TambonCoverage.households_surveyed),
        func.sum(func.coalesce(col(TambonCoverage.households_in_area), 0)),
    ]
    query = select(*columns).where(
        area_filter(
            principal,
            province=TambonCoverage.province_code,
            district=TambonCoverage.district_code,
            subdistrict=TambonCoverage.subdistrict_code,
        )
    )
    if province_code is not None:
        query = query.where(TambonCoverage.province_code == province_code)
    rows = (await session.exec(query.group_by(area))).all()
    return [(str(r[0]), *(int(n or 0) for n in r[1:])) for r in rows]  # type: ignore[misc]

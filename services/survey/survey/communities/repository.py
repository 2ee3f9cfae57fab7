"""All SQL about communities."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from survey.communities.models import Community


async def get(session: AsyncSession, community_id: uuid.UUID) -> Community | None:
    return (await session.exec(select(Community).where(Community.id == community_id))).first()


async def page(
    session: AsyncSession,
    *,
    principal: Principal,
    after: uuid.UUID | None,
    limit: int,
    subdistrict_code: str | None,
) -> list[Community]:
    query = (
        select(Community)
        .where(
            area_filter(
                principal,
                province=Community.province_code,
                district=Community.district_code,
                subdistrict=Community.subdistrict_code,
            )
        )
        .order_by(col(Community.id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(Community.id > after)
    if subdistrict_code is not None:
        query = query.where(Community.subdistrict_code == subdistrict_code)
    return list((await session.exec(query)).all())

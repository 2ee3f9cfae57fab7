"""All SQL about communities."""

import uuid
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.pages import Page, Paging, page_in_areas
from survey.communities.models import Community


async def get(session: AsyncSession, community_id: uuid.UUID) -> Community | None:
    return (await session.exec(select(Community).where(Community.id == community_id))).first()


@dataclass(frozen=True)
class CommunityFilter:
    subdistrict_code: str | None = None


async def page(
    session: AsyncSession, principal: Principal, where: CommunityFilter, paging: Paging
) -> Page[Community]:
    return await page_in_areas(session, Community, principal, where, paging)

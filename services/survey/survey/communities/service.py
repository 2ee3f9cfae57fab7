"""Registering and finding communities."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist
from baan_shared.pages import Page, Paging
from survey.communities import repository
from survey.communities.models import Community
from survey.communities.repository import CommunityFilter
from survey.communities.schemas import CommunityCreate


async def register(session: AsyncSession, data: CommunityCreate) -> Community:
    code = data.subdistrict_code
    community = Community(**data.model_dump(), province_code=code[:2], district_code=code[:4])
    session.add(community)
    await session.flush()
    return community


async def get(session: AsyncSession, community_id: uuid.UUID) -> Community:
    community = await repository.get(session, community_id)
    if community is None:
        raise does_not_exist(f"community {community_id}")
    return community


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: CommunityFilter, paging: Paging
) -> Page[Community]:
    """The caller's communities in id order (time-ordered: oldest first), after ``after``."""
    return await repository.page(session, principal, where, paging)

"""All SQL about projects."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from construction.house_works.models import HouseWork, Programme
from construction.projects.models import Project


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await session.get(Project, project_id)


async def page(
    session: AsyncSession,
    *,
    after: uuid.UUID | None,
    limit: int,
    programme: Programme | None,
    province_code: str | None,
    subdistrict_code: str | None,
) -> list[Project]:
    query = select(Project).order_by(col(Project.id)).limit(limit)
    if after is not None:
        query = query.where(Project.id > after)
    if programme is not None:
        query = query.where(Project.programme == programme)
    if province_code is not None:
        query = query.where(Project.province_code == province_code)
    if subdistrict_code is not None:
        query = query.where(Project.subdistrict_code == subdistrict_code)
    return list((await session.exec(query)).all())


async def house_works(
    session: AsyncSession, ids: list[uuid.UUID], *, for_update: bool = False
) -> list[HouseWork]:
    query = select(HouseWork).where(col(HouseWork.id).in_(ids))
    if for_update:
        query = query.with_for_update()
    return list((await session.exec(query)).all())

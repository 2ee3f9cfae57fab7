"""Rebuild runs in reporting's live database."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from reporting.rebuilds.models import RebuildRun


async def save(session: AsyncSession, run: RebuildRun) -> None:
    session.add(run)
    await session.commit()


async def get(session: AsyncSession, run_id: uuid.UUID) -> RebuildRun | None:
    return await session.get(RebuildRun, run_id)


async def latest(session: AsyncSession, limit: int) -> list[RebuildRun]:
    query = select(RebuildRun).order_by(col(RebuildRun.started_at).desc()).limit(limit)
    return list((await session.exec(query)).all())

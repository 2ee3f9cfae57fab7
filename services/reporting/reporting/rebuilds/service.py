"""Rebuild runs as ops read them: done, total, rate and time left."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.errors import NotFound
from reporting.rebuilds import repository
from reporting.rebuilds.models import RebuildRun
from reporting.rebuilds.schemas import RebuildRunPublic, RebuildRunsPublic

FINISHED = ("done", "failed")


def public(run: RebuildRun) -> RebuildRunPublic:
    elapsed = (run.updated_at - run.started_at).total_seconds()
    rate = run.events_done / elapsed if elapsed > 0 and run.events_done else None
    left = max(0, run.events_total - run.events_done)
    return RebuildRunPublic(
        id=run.id,
        group_id=run.group_id,
        phase=run.phase,
        events_done=run.events_done,
        events_total=run.events_total,
        percent_done=(
            round(100 * run.events_done / run.events_total, 1) if run.events_total else None
        ),
        events_per_second=round(rate, 1) if rate is not None else None,
        seconds_left=(None if run.phase in FINISHED or rate is None else round(left / rate, 1)),
        peak_memory_bytes=run.peak_memory_bytes,
        started_at=run.started_at,
        updated_at=run.updated_at,
        finished_at=run.finished_at,
        error=run.error,
    )


async def latest(session: AsyncSession, limit: int) -> RebuildRunsPublic:
    return RebuildRunsPublic(items=[public(run) for run in await repository.latest(session, limit)])


async def get(session: AsyncSession, run_id: uuid.UUID) -> RebuildRunPublic:
    run = await repository.get(session, run_id)
    if run is None:
        raise NotFound(f"No rebuild run {run_id}")
    return public(run)

"""Reports over the projections: progress by programme × province, the funnel, freshness.

The counting happens in the database (see ``projections.repository``); this
module shapes the answer and stamps it with ``as_of``. The freshness is read
first, so a report never claims to be fresher than the counts it carries.
"""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from reporting.projections import repository
from reporting.projections.models import MAIN_PATH, Stage, as_utc
from reporting.projections.repository import AreaCounts, AreaFilter
from reporting.projections.stage import latest
from reporting.reports.schemas import (
    FreshnessReport,
    FunnelReport,
    FunnelStep,
    HouseholdCounts,
    ProgressReport,
    ProgressRow,
    StreamFreshness,
)

COUNT_FIELDS = tuple(HouseholdCounts.model_fields)


async def freshness(session: AsyncSession) -> FreshnessReport:
    states = await repository.stream_states(session)
    streams = [
        StreamFreshness(
            stream=state.stream,
            last_event_time=as_utc(state.last_event_time) or state.last_event_time,
            last_applied_at=as_utc(state.last_applied_at) or state.last_applied_at,
            events_applied=state.events_applied,
        )
        for state in states
    ]
    return FreshnessReport(
        as_of=latest(*(s.last_event_time for s in streams)),
        last_applied_at=latest(*(s.last_applied_at for s in streams)),
        streams=streams,
    )


async def as_of(session: AsyncSession) -> datetime | None:
    return (await freshness(session)).as_of


def _counts(area: AreaCounts) -> dict[str, int]:
    return {name: getattr(area, name) for name in COUNT_FIELDS}


async def progress(session: AsyncSession, where: AreaFilter) -> ProgressReport:
    fresh_as_of = await as_of(session)
    areas = await repository.counts_by_area(session, where)
    rows = [
        ProgressRow(programme=a.programme, province_code=a.province_code, **_counts(a))
        for a in areas
    ]
    totals = HouseholdCounts(
        **{name: sum(getattr(row, name) for row in rows) for name in COUNT_FIELDS}
    )
    return ProgressReport(as_of=fresh_as_of, rows=rows, totals=totals)


async def funnel(session: AsyncSession, where: AreaFilter) -> FunnelReport:
    fresh_as_of = await as_of(session)
    at_stage = await repository.households_by_stage(session, where)
    households = sum(at_stage.values())
    steps = []
    for stage in Stage:
        if stage == MAIN_PATH[0]:
            reached = households  # every household heard of was surveyed
        elif stage in MAIN_PATH:
            reached = sum(at_stage.get(s, 0) for s in MAIN_PATH[MAIN_PATH.index(stage) :])
        else:
            reached = at_stage.get(stage, 0)
        steps.append(FunnelStep(stage=stage, households=at_stage.get(stage, 0), reached=reached))
    return FunnelReport(as_of=fresh_as_of, households=households, stages=steps)

"""Reports over the projections: progress by programme × province, the funnel, freshness.

The counting happens in the database (see ``projections.repository``); this
module shapes the answer and stamps it with ``as_of``. The freshness is read
first, so a report never claims to be fresher than the counts it carries.
"""

from collections.abc import Awaitable, Callable, Hashable, Mapping
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel
from pydantic_core import to_json
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from reporting.drilldown.links import drill_link
from reporting.projections import repository
from reporting.projections.models import MAIN_PATH, Stage, as_utc
from reporting.projections.repository import AreaFilter
from reporting.projections.stage import latest
from reporting.reports import repository as own_areas
from reporting.reports.answers import Answer, AnswerCache, areas_key
from reporting.reports.schemas import (
    FreshnessReport,
    FunnelReport,
    FunnelStep,
    HouseholdCounts,
    ProgressReport,
    StreamFreshness,
)

COUNT_FIELDS = tuple(HouseholdCounts.model_fields)
# How each household count of the progress report drills down (money has no list).
PROGRESS_DRILLS: dict[str, dict[str, str]] = {
    "surveyed": {"measure": "households"},
    "approved": {"measure": "approved"},
    **{
        stage.value: {"stage": stage.value}
        for stage in Stage
        if stage not in (Stage.SURVEYED, Stage.APPROVED)
    },
}

Filters = Mapping[str, object]
"""The report's own filters as the drill-down takes them (programme, fiscal_year...)."""


def _progress_links(filters: Filters, **row: object) -> dict[str, str]:
    return dict(_links_of(tuple(filters.items()), tuple(row.items())))


@lru_cache(maxsize=4096)
def _links_of(
    filters: tuple[tuple[str, object], ...], row: tuple[tuple[str, object], ...]
) -> dict[str, str]:
    # A programme × province report has up to 462 rows of 10 links, the same ones at
    # every call with the same filters: building them was most of the report's time.
    # Callers never change the dict they get (validating a report copies it).
    return {
        name: drill_link(**{**dict(filters), **dict(row), **drill})
        for name, drill in PROGRESS_DRILLS.items()
    }


async def freshness(session: AsyncSession, principal: Principal | None = None) -> FreshnessReport:
    """The freshness a caller may see. A national caller (or an internal one, None) gets
    every stream's mark. The marks are the country's: the latest event time on the
    loans stream may be a loan in another province, and ``events_applied`` counts the
    whole country's activity. So a caller bound to areas gets ``as_of`` over its own
    areas' rows only, and neither the streams nor when the consumer last applied an
    event (operations figures; the lag is on the internal ``/metrics``)."""
    if principal is not None and not principal.all_areas:
        national = latest(*(s.last_event_time for s in await repository.stream_states(session)))
        own = await own_areas.last_event_in_areas(session, principal)
        # A row's event is in its stream's mark, so ``own`` is never later; ``min``
        # keeps the promise "every event up to as_of is counted" if it ever were.
        as_of_areas = min(own, national) if own is not None and national is not None else own
        return FreshnessReport(as_of=as_of_areas, last_applied_at=None, streams=[])
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


async def as_of(session: AsyncSession, principal: Principal | None = None) -> datetime | None:
    """The time of the last event applied, over the caller's areas (see ``freshness``).

    Read once per session (a request's): an answer made of several reports (the query
    API's years, targets and money) stamps them all with the mark read before the first
    of them counted anything, which every later count includes too."""
    key = _as_of_key(principal)
    if key not in session.info:
        session.info[key] = (await freshness(session, principal)).as_of
    found: datetime | None = session.info[key]
    return found


def _as_of_key(principal: Principal | None) -> tuple[str, Principal | None]:
    return ("reports.as_of", principal)


async def progress(
    session: AsyncSession, where: AreaFilter, filters: Filters | None = None
) -> ProgressReport:
    return ProgressReport.model_validate(await _progress_document(session, where, filters))


async def kept_answer(
    session: AsyncSession,
    answers: AnswerCache | None,
    key: Hashable,
    principal: Principal | None,
    make: Callable[[], Awaitable[bytes]],
    *,
    edited: bool = False,
) -> Answer:
    """A report's JSON bytes: the answer kept for ``key`` and the caller's areas while
    the projections are at the version it was made at, else ``make``'s, kept.

    For reports made of projected rows (every commit that changes them moves a mark)
    and, when ``edited``, of rows edited through the API as well (each edit counted in
    ``report_edits``, in its own transaction). The version is read before anything is
    counted, so an answer is never kept for a version older than its figures (and
    never claims to be fresher than them)."""
    marks = await own_areas.projections_version(session)
    version = (marks, await own_areas.edits_version(session)) if edited else marks
    key = (key, areas_key(principal))
    found = answers.get(key, version) if answers is not None else None
    if found is not None:
        return found
    if principal is None or principal.all_areas:
        # A national caller's as_of is the latest of these marks (``freshness``): no
        # need to read them again.
        session.info.setdefault(
            _as_of_key(principal), latest(*(mark.last_event_time for mark in marks))
        )
    answer = Answer.of(await make())
    if answers is not None:
        answers.put(key, version, answer)
    return answer


async def kept_model_answer(
    session: AsyncSession,
    answers: AnswerCache | None,
    key: Hashable,
    principal: Principal | None,
    build: Callable[[], Awaitable[BaseModel]],
    *,
    edited: bool = False,
) -> Answer:
    """``kept_answer`` for a report ``build`` makes as its documented model: the answer
    is the model's JSON."""

    async def make() -> bytes:
        return (await build()).model_dump_json().encode()

    return await kept_answer(session, answers, key, principal, make, edited=edited)


async def progress_answer(
    session: AsyncSession,
    where: AreaFilter,
    filters: Filters | None = None,
    answers: AnswerCache | None = None,
) -> Answer:
    """The progress report as the JSON bytes ``ProgressReport`` serialises to."""
    filters = filters or {}

    async def make() -> bytes:
        # Plain dicts in the model's field order to JSON in pydantic's core: the bytes
        # ProgressReport would give, without building (and copying) 462 row models.
        return to_json(await _progress_document(session, where, filters))

    return await kept_answer(
        session, answers, ("progress", tuple(filters.items())), where.principal, make
    )


async def _progress_document(
    session: AsyncSession, where: AreaFilter, filters: Filters | None = None
) -> dict[str, object]:
    """A ``ProgressReport`` as plain data, fields in the model's order."""
    filters = filters or {}
    fresh_as_of = await as_of(session, where.principal)
    areas = await repository.counts_by_area(session, where)
    key = tuple(filters.items())
    rows = [
        {
            "drill_down": _links_of(
                key, (("programme", a.programme), ("province_code", a.province_code))
            ),
            **vars(a),
        }
        for a in areas
    ]
    totals = {
        "drill_down": _progress_links(filters),
        **{name: sum(row[name] for row in rows) for name in COUNT_FIELDS},
    }
    return {"as_of": fresh_as_of, "rows": rows, "totals": totals}


async def funnel(
    session: AsyncSession, where: AreaFilter, filters: Filters | None = None
) -> FunnelReport:
    """With ``where.stage_at``, the stages households were at then (``filters`` carries
    the ``as_of_date`` that set it, for the links)."""
    filters = filters or {}
    fresh_as_of = await as_of(session, where.principal)
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
        links = {
            "households": drill_link(**filters, stage=stage.value),
            "reached": drill_link(**filters, measure="reached", stage=stage.value),
        }
        steps.append(
            FunnelStep(
                stage=stage, households=at_stage.get(stage, 0), reached=reached, drill_down=links
            )
        )
    return FunnelReport(
        as_of=fresh_as_of,
        stages_as_of=where.stage_at,
        households=households,
        stages=steps,
        drill_down={"households": drill_link(**filters)},
    )

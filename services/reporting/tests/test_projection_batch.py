"""A partition's batch applied set-based gives exactly the rows the one-event handlers give.

The live consumer and the rebuild hand reporting a partition's polled records at
once (``reporting.projections.batch``); these tests apply the same events both
ways, on SQLite and on PostgreSQL, and compare every projection row; so do the
rebuild's fold (``reporting.rebuild.fold``) and the one-event handlers.
"""

import asyncio
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from reporting_factories import (
    T0,
    Household,
    StartApp,
    allocation,
    apply_events,
    cloud_event,
    journey,
    realistic_mix,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from baan_shared.bus.consumer import EventConsumer
from baan_shared.events import EVENT_TYPES, CloudEvent
from baan_testkit.events import kafka_record, kafka_records
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import summaries
from reporting.projections.models import (
    BudgetMoney,
    GrantProgress,
    HouseholdProgress,
    ProjectionState,
)
from reporting.rebuild.fold import NOT_OURS, Fold, FoldedEvent, decode


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, database_url: Callable[[], str]
) -> Callable[[], str]:
    if request.param == "sqlite":
        return database_url
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return lambda: str(make_database("reporting"))


def _consumer(app: FastAPI) -> EventConsumer:
    return EventConsumer(
        name=SERVICE_NAME,
        bootstrap_servers="unused:9092",
        subscriptions=SUBSCRIPTIONS,
        session_factory=app.state.runtime.session_factory,
    )


def _by_stream(events: list[CloudEvent]) -> dict[str, list[CloudEvent]]:
    """Each stream's events in its own order, as its partitions deliver them."""
    streams: dict[str, list[CloudEvent]] = {}
    for event in events:
        streams.setdefault(EVENT_TYPES[event.type].topic, []).append(event)
    return streams


async def _apply_in_batches(app: FastAPI, events: list[CloudEvent], size: int) -> None:
    consumer = _consumer(app)
    for stream in _by_stream(events).values():
        for start in range(0, len(stream), size):
            assert await consumer.apply_batch(kafka_records(stream[start : start + size]))


_NOT_COMPARED = {"updated_at", "last_applied_at"}


async def _rows(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, Any] = {
        "households": (HouseholdProgress, HouseholdProgress.household_id),
        "grants": (GrantProgress, GrantProgress.grant_id),
        "budgets": (BudgetMoney, BudgetMoney.budget_id),
        "streams": (ProjectionState, ProjectionState.stream),
    }
    found = {}
    async with app.state.runtime.session_factory() as session:
        for name, (table, key) in tables.items():
            rows = (await session.exec(select(table).order_by(key))).all()
            found[name] = [
                {k: v for k, v in row.model_dump().items() if k not in _NOT_COMPARED}
                for row in rows
            ]
    return found


def _story() -> list[CloudEvent]:
    """Every way a household goes, two allocations to one budget, and one household
    whose grant events come before survey's (streams are not ordered among themselves)."""
    events = realistic_mix()
    budget = allocation("province", "57", 50_000_000)
    top_up = allocation("province", "57", 10_000_000, total=60_000_000, budget_id=budget.budget_id)
    events += [cloud_event(budget, time=T0), cloud_event(top_up, time=T0 + timedelta(days=1))]
    late = journey("completed", household=Household(programme="CANAL", province_code="10"))
    events += sorted(late, key=lambda e: not e.type.startswith("grant."))
    return events


@pytest.mark.parametrize("batch_size", [1, 4, 500])
async def test_a_batch_gives_the_rows_one_event_at_a_time_gives(
    start_app: StartApp, batch_size: int
) -> None:
    events = _story()
    one_by_one, batched = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    await _apply_in_batches(batched, events, batch_size)
    expected = await _rows(one_by_one)
    assert await _rows(batched) == expected
    assert len(expected["households"]) == 12
    assert sum(row["events_applied"] for row in expected["streams"]) == len(events)


async def test_a_redelivered_batch_changes_nothing(start_app: StartApp) -> None:
    app = await start_app()
    events = _story()
    await _apply_in_batches(app, events, 500)
    before = await _rows(app)
    # A crash after the commit, before the offsets: the whole poll comes again, twice.
    await _apply_in_batches(app, events, 7)
    await _apply_in_batches(app, events, 500)
    assert await _rows(app) == before


async def test_the_three_streams_batched_at_once_give_the_same_rows(start_app: StartApp) -> None:
    # Partitions apply concurrently: the three streams of the same households race.
    rng = random.Random(11)
    events = [
        event
        for n in range(30)
        for event in journey(
            rng.choice(["completed", "under_construction", "waitlisted", "cancelled"]),
            household=Household(province_code=rng.choice(["57", "10"])),
            start=T0 + timedelta(days=n),
        )
    ]
    one_by_one, concurrent = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    await asyncio.gather(
        *(_apply_in_batches(concurrent, stream, 9) for stream in _by_stream(events).values())
    )
    assert await _rows(concurrent) == await _rows(one_by_one)


# --- the rebuild's fold ---------------------------------------------------------------
# ``reporting.rebuild.fold`` holds a window of households while a replay catches up and
# writes them out as they leave it; a household met again is read back. The same
# events folded, with windows small enough that households leave and come back
# mid-story, and a redelivered copy among them, give the rows the one-event handlers
# give.


def _household_story() -> list[CloudEvent]:
    """``_story`` without the budget: the events the rebuild's fold takes."""
    events = realistic_mix()
    late = journey("completed", household=Household(programme="CANAL", province_code="10"))
    return events + sorted(late, key=lambda e: not e.type.startswith("grant."))


async def _fold(
    app: FastAPI, events: list[CloudEvent], *, held: int, size: int, others_wrote: bool = False
) -> Fold:
    """``events`` folded as a catch-up takes them: each stream's in its order, ``size``
    records a fetch, streams taking turns (``others_wrote``: told first that rows may
    already be in the tables)."""
    fold = Fold(held=held)
    if others_wrote:
        fold.others_wrote()
    streams = list(_by_stream(events).values())
    fetches = [
        stream[start : start + size]
        for start in range(0, max(len(s) for s in streams), size)
        for stream in streams
    ]
    with summaries.deferred():
        for fetch in fetches:
            if not fetch:
                continue
            decoded = []
            for record in kafka_records(fetch):
                event = decode(record, SUBSCRIPTIONS.handlers)
                assert isinstance(event, FoldedEvent)
                decoded.append((event, record))
            async with app.state.runtime.session_factory() as session:
                await fold.apply(session, decoded)
                await session.commit()
        async with app.state.runtime.session_factory() as session:
            await fold.write_out(session)
            await session.commit()
    return fold


@pytest.mark.parametrize(("held", "size"), [(1, 1), (2, 3), (5, 7), (10_000, 500)])
async def test_folding_gives_the_rows_one_event_at_a_time_gives(
    start_app: StartApp, held: int, size: int
) -> None:
    events = _household_story()
    one_by_one, folded = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    fold = await _fold(folded, events, held=held, size=size)
    assert await _rows(folded) == await _rows(one_by_one)
    households = len({e.data["household_id"] for e in events})
    if held < households:
        assert fold.read_back > 0  # households left the window and came back
    assert not fold.held


async def test_a_redelivered_event_is_folded_once(start_app: StartApp) -> None:
    events = _household_story()
    rng = random.Random(7)
    copies = rng.sample(events, 5)
    once, twice = await start_app(), await start_app()
    await apply_events(once, events)
    await _fold(twice, events + copies, held=3, size=4)
    assert await _rows(twice) == await _rows(once)


async def test_households_others_wrote_are_read_back_once_the_fold_is_told(
    start_app: StartApp,
) -> None:
    # The fold knows the households it wrote out (a Bloom filter) and looks only those
    # up; rows the live way or another process wrote are found once it is told.
    events = _household_story()
    one_by_one, split = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    half = len(events) // 2
    await apply_events(split, events[:half])
    fold = await _fold(split, events[half:], held=3, size=4, others_wrote=True)
    assert fold.read_back > 0
    assert await _rows(split) == await _rows(one_by_one)


async def test_a_fold_not_told_of_rows_others_wrote_does_not_look_for_them(
    start_app: StartApp,
) -> None:
    # What telling it is for: untold, it takes a stored household for a new one.
    events = _household_story()
    app = await start_app()
    await apply_events(app, events[: len(events) // 2])
    with pytest.raises(IntegrityError):
        await _fold(app, events[len(events) // 2 :], held=10_000, size=500)


def test_what_the_fold_takes_and_what_it_leaves_to_the_live_way() -> None:
    surveyed = journey("surveyed", start=T0)[0]
    record = kafka_record(surveyed)
    event = decode(record, SUBSCRIPTIONS.handlers)
    assert isinstance(event, FoldedEvent)
    assert (event.id, event.type, event.time) == (surveyed.id, surveyed.type, surveyed.time)
    assert str(event.data.household_id) == str(surveyed.data["household_id"])
    # A type reporting does not listen to is passed over.
    assert decode(record, {}) == NOT_OURS
    # A malformed body, or a type folded by none, goes the live way (dead letters).
    broken = replace(record, value=b'{"household_id": "not-a-uuid"}')
    assert decode(broken, SUBSCRIPTIONS.handlers) is None
    budget = next(t for t in SUBSCRIPTIONS.handlers if t.startswith("budget."))
    headers = tuple(
        (name, budget.encode() if name == "ce_type" else raw) for name, raw in record.headers
    )
    assert decode(replace(record, headers=headers), SUBSCRIPTIONS.handlers) is None

"""The rebuild's catch-up with households in memory gives the rows the live path gives.

``reporting.rebuild.fold`` holds a window of households while a replay catches up
and writes them out as they leave it; a household met again is read back. These
tests fold the same events the one-event handlers apply, with windows small enough
that households leave and come back mid-story, a redelivered copy among them, on
SQLite and on PostgreSQL, and compare every household, grant and stream row.
"""

import random
from collections.abc import Callable
from dataclasses import replace

import pytest
from fastapi import FastAPI
from reporting_factories import T0, Household, StartApp, apply_events, journey, realistic_mix
from test_projection_batch import _by_stream, _rows

from baan_shared.events import CloudEvent
from baan_testkit.events import kafka_record, kafka_records
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import summaries
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


def _story() -> list[CloudEvent]:
    """Every way a household goes, and one whose grant events come before survey's."""
    events = realistic_mix()
    late = journey("completed", household=Household(programme="CANAL", province_code="10"))
    return events + sorted(late, key=lambda e: not e.type.startswith("grant."))


async def _fold(app: FastAPI, events: list[CloudEvent], *, held: int, size: int) -> Fold:
    """``events`` folded as a catch-up takes them: each stream's in its order, ``size``
    records a fetch, streams taking turns."""
    fold = Fold(held=held)
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
    events = _story()
    one_by_one, folded = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    fold = await _fold(folded, events, held=held, size=size)
    assert await _rows(folded) == await _rows(one_by_one)
    households = len({e.data["household_id"] for e in events})
    if held < households:
        assert fold.read_back > 0  # households left the window and came back
    assert not fold.held


async def test_a_redelivered_event_is_folded_once(start_app: StartApp) -> None:
    events = _story()
    rng = random.Random(7)
    copies = rng.sample(events, 5)
    once, twice = await start_app(), await start_app()
    await apply_events(once, events)
    await _fold(twice, events + copies, held=3, size=4)
    assert await _rows(twice) == await _rows(once)


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


async def test_a_catch_up_reads_the_streams_in_step() -> None:
    """A partition further through its records than the one furthest behind by more
    than ``IN_STEP`` waits for it: a household's events on the three streams then
    arrive while the fold still holds it."""
    from aiokafka import TopicPartition

    from reporting.rebuild.replay import IN_STEP, _in_step

    surveys, houses, grants = (TopicPartition(t, 0) for t in ("s", "h", "g"))
    starts = {surveys: 0, houses: 100, grants: 0}
    ends = {surveys: 1_000, houses: 1_100, grants: 4_000}
    at = {surveys: 550, houses: 100 + 480, grants: 1_000}

    class Consumer:
        async def position(self, tp: TopicPartition) -> int:
            return at[tp]

    # Surveys are 55 % through, houses 48 %, grants a quarter: only grants are read.
    assert await _in_step(Consumer(), starts, ends) == {grants}
    at[grants] = int(4_000 * (0.48 + IN_STEP / 2))
    assert await _in_step(Consumer(), starts, ends) == {houses, grants}
    at[houses], at[grants] = 100 + 550, int(4_000 * 0.54)
    assert await _in_step(Consumer(), starts, ends) == {surveys, houses, grants}

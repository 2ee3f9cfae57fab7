"""Rebuilding the projections from the topics while the API keeps serving.

Against a real Kafka broker (the ``kafka_broker`` fixture) on SQLite and on
PostgreSQL. The broker is shared with other tests, so each test's households
belong to a fiscal year of their own far in the future (2599, 2598, ...) and
the checks read that fiscal year only.
"""

import asyncio
import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import national_headers
from reporting_factories import (
    Household,
    StartApp,
    allocation,
    apply_events,
    cloud_event,
    journey,
    latest_time,
    summary_rows,
    target,
)
from reporting_welfare_events import Fund
from sqlalchemy import inspect, text

from baan_local.kafka import LocalKafka
from baan_shared.bus.admin import ensure_topics
from baan_shared.bus.producer import create_producer
from baan_shared.events import EVENT_TYPES, CloudEvent
from baan_shared.events.topics import dead_letter_topic
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import summaries
from reporting.rebuild.replay import rebuild
from reporting.rebuild.shadow import DEFERRED_INDEXES

pytestmark = pytest.mark.kafka

_fiscal_years = itertools.count(2599, -1)


@pytest.fixture
def fiscal_year() -> int:
    return next(_fiscal_years)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Callable[[], str]:
    if request.param == "sqlite":
        return lambda: f"sqlite+aiosqlite:///{tmp_path}/reporting-{uuid.uuid4().hex[:8]}.db"
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return lambda: str(make_database("reporting"))


def households(count: int, stage: str, fiscal_year: int, *, day: int = 0) -> list[CloudEvent]:
    november = datetime(fiscal_year - 544, 11, 7, 2, 0, tzinfo=UTC)
    events: list[CloudEvent] = []
    for n in range(count):
        h = Household(fiscal_year=fiscal_year)
        events += journey(stage, household=h, start=november + timedelta(days=day + n))
    return events


async def publish(bootstrap: str, events: list[CloudEvent]) -> None:
    producer = create_producer(bootstrap, "rebuild-test")
    await producer.start()
    try:
        for event in events:
            key, value, headers = event.to_kafka()
            topic = EVENT_TYPES[event.type].topic
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def progress(app: FastAPI, fiscal_year: int) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.get("/v1/reports/progress", params={"fiscal_year": fiscal_year})
    assert response.status_code == 200, response.text
    totals: dict[str, Any] = response.json()["totals"]
    return {"as_of": response.json()["as_of"], **totals}


async def money(app: FastAPI, fiscal_year: int) -> tuple[int, int]:
    """(budget allocated, grants reserved) in the fiscal year, all programmes."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.get("/v1/reports/money", params={"fiscal_year": fiscal_year})
    assert response.status_code == 200, response.text
    totals = response.json()["totals"]
    return (
        sum(t["budget_allocated_satang"] for t in totals),
        sum(t["grant_reserved_satang"] for t in totals),
    )


def welfare_year(fiscal_year: int) -> tuple[list[CloudEvent], date]:
    """A welfare fund's year: registered, two members, their dues, one benefit."""
    day = date(fiscal_year - 544, 11, 10)
    fund = Fund("570101", registered_on=day)
    first, joined = fund.join(day)
    _, other = fund.join(day)
    events = [fund.registered(), joined, other, fund.movement("contribution", 73_000, day)]
    return [*events, *fund.benefit(first, 20_000, day)], day


async def welfare(app: FastAPI, fiscal_year: int) -> tuple[int, int, int, int]:
    """(members joined, contributions, benefits paid, people helped) of the fiscal year
    in Chiang Rai's sub-district 570101 (other tests' funds have other years)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.get(
            "/v1/reports/welfare",
            params={"fiscal_year": fiscal_year, "level": "subdistrict", "province_code": "57"},
        )
    assert response.status_code == 200, response.text
    row = {r["area_code"]: r for r in response.json()["rows"]}.get("570101")
    if row is None:
        return (0, 0, 0, 0)
    members = await _members_joined(app, fiscal_year)
    return (
        members,
        row["contributions_satang"],
        row["benefits_paid_satang"],
        row["people_helped"],
    )


async def _members_joined(app: FastAPI, fiscal_year: int) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.get(
            "/v1/reports/welfare/members",
            params={"fiscal_year": fiscal_year, "subdistrict_code": "570101"},
        )
    first_day = date(fiscal_year - 544, 10, 1)
    return sum(
        1 for m in response.json()["items"] if date.fromisoformat(m["joined_on"]) >= first_day
    )


async def wait_for(check: Callable[[], Any], what: str) -> None:
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never saw {what}")


@pytest.fixture
async def broker(kafka_broker: LocalKafka) -> str:
    # As the service creates them at start-up: its streams and its dead-letter topics.
    dead_letters = [dead_letter_topic(topic, SERVICE_NAME) for topic in SUBSCRIPTIONS.topics]
    await ensure_topics(
        kafka_broker.bootstrap, [*SUBSCRIPTIONS.topics, *dead_letters], partitions=3
    )
    return kafka_broker.bootstrap


async def test_rebuild_replaces_a_projection_that_missed_events_while_reports_keep_answering(
    start_app: StartApp, broker: str, fiscal_year: int
) -> None:
    app = await start_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.put(
            "/v1/targets", json={"targets": [target(fiscal_year=fiscal_year)]}
        )
        assert response.status_code == 200
    budget = cloud_event(
        allocation("province", "57", 500_000_000, fiscal_year=fiscal_year),
        time=datetime(fiscal_year - 544, 10, 2, tzinfo=UTC),
    )
    welfare_events, _ = welfare_year(fiscal_year)
    first, missed = (
        households(3, "completed", fiscal_year),
        [budget, *households(2, "under_construction", fiscal_year, day=10), *welfare_events],
    )
    await publish(broker, first + missed)
    await apply_events(app, first)  # the live projection never saw ``missed``
    assert (await progress(app, fiscal_year))["under_construction"] == 0

    answers: list[dict[str, Any]] = []
    # Caught up in two worker processes, a share of the partitions each (on PostgreSQL;
    # SQLite replays in this one).
    rebuilding = asyncio.create_task(
        rebuild(app.state.runtime.settings.database_url, broker, workers=2)
    )
    # Five requests a second at most, as a dashboard polls: well within the national
    # client's 600 a minute however long the rebuild takes (a kept answer takes a few
    # milliseconds, so a loop without a pause ran into the rate limit on a slow run).
    while not rebuilding.done():
        answers.append(await progress(app, fiscal_year))
        await asyncio.sleep(0.2)
    result = rebuilding.result()

    after = await progress(app, fiscal_year)
    assert (after["completed"], after["under_construction"]) == (3, 2)
    assert datetime.fromisoformat(after["as_of"]) >= latest_time(first + missed)
    # While it ran, every answer was the old projection or the new one, never a mix.
    assert {(a["completed"], a["under_construction"]) for a in answers} <= {(3, 0), (3, 2)}
    assert result.events_replayed >= len(first + missed)
    assert result.workers == (1 if "sqlite" in app.state.runtime.settings.database_url else 2)
    # The money projections are rebuilt too: the budget it had missed, the grants' money.
    assert await money(app, fiscal_year) == (500_000_000, 5 * 2_000_000)
    # And welfare's: the fund, its members, dues and the benefit it had missed.
    assert await welfare(app, fiscal_year) == (2, 73_000, 20_000, 1)
    # The summary rows were rebuilt with the households: they are their GROUP BY, and
    # the live projector keeps them so from there on.
    rebuilt = await summary_rows(app, recomputed=False)
    assert rebuilt == await summary_rows(app, recomputed=True)
    assert rebuilt["place_summary"] and rebuilt["grant_summary"]
    # The rebuilt inbox holds every replayed event: redelivering them changes nothing.
    await apply_events(app, first + missed)
    assert await progress(app, fiscal_year) == after
    assert await summary_rows(app, recomputed=False) == rebuilt
    assert await welfare(app, fiscal_year) == (2, 73_000, 20_000, 1)
    # Targets are the agency's, not derived from events: the rebuild keeps them.
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        kept = (await http.get("/v1/targets", params={"fiscal_year": fiscal_year})).json()[
            "targets"
        ]
    assert [t["quantity"] for t in kept] == [11_500]
    # The indexes the replay built only at its end are there, as the migrations made them.
    async with app.state.runtime.session_factory() as session:
        connection = await session.connection()
        indexes = await connection.run_sync(
            lambda sync: {
                index["name"]
                for table in ("household_progress", "place_summary")
                for index in inspect(sync).get_indexes(table)
            }
        )
    deferred = {
        index.name
        for index in DEFERRED_INDEXES
        if index.table is not None and index.table.name in ("household_progress", "place_summary")
    }
    assert "ix_household_progress_report" in deferred
    assert deferred <= indexes
    # So are the summary tables' primary keys, which the replay added after summing.
    async with app.state.runtime.session_factory() as session:
        connection = await session.connection()
        keys = await connection.run_sync(
            lambda sync: {
                table.name: inspect(sync).get_pk_constraint(table.name)
                for table, _key, _values in summaries.SUMMED
            }
        )
    for table, _key, _values in summaries.SUMMED:
        columns = [column.name for column in table.primary_key.columns]
        assert keys[table.name]["constrained_columns"] == columns
        if "postgresql" in app.state.runtime.settings.database_url:
            assert keys[table.name]["name"] == table.primary_key.name
    if "postgresql" in app.state.runtime.settings.database_url:
        # Autovacuum was off while the tables filled; they went live analysed, and with
        # autovacuum on again.
        async with app.state.runtime.engine.connect() as conn:
            found = (
                await conn.execute(
                    text(
                        "SELECT c.relname, c.reloptions, s.last_analyze FROM pg_class c "
                        "JOIN pg_stat_user_tables s ON s.relid = c.oid "
                        "WHERE c.relname IN ('household_progress', 'processed_events') "
                        "AND s.schemaname = current_schema()"
                    )
                )
            ).all()
        assert len(found) == 2
        assert all(options is None and analysed is not None for _, options, analysed in found)


async def test_rebuild_hands_over_to_the_live_consumer_without_losing_or_doubling_events(
    database_url: Callable[[], str], broker: str, fiscal_year: int
) -> None:
    from reporting.main import create_app
    from reporting.settings import ReportingSettings

    settings = ReportingSettings(
        database_url=database_url(),
        kafka_bootstrap_servers=broker,
        consumer_group=f"reporting-test-{uuid.uuid4().hex[:8]}",
        create_topics=False,
        relay_enabled=False,
        log_json=False,
        consumer_retry_backoff_seconds=0.05,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        before = households(4, "completed", fiscal_year)
        await publish(broker, before)

        async def live_has_first_batch() -> bool:
            return bool((await progress(app, fiscal_year))["completed"] == 4)

        await wait_for(live_has_first_batch, "the live consumer apply the first batch")

        during = households(3, "under_construction", fiscal_year, day=20)
        rebuilding = asyncio.create_task(rebuild(settings.database_url, broker))
        await publish(broker, during)
        await rebuilding
        later = households(2, "approved", fiscal_year, day=40)
        await publish(broker, later)

        async def everything_once() -> bool:
            now = await progress(app, fiscal_year)
            return bool(now["approved"] == 9 and now["under_construction"] == 3)

        await wait_for(everything_once, "every batch applied once")
        now = await progress(app, fiscal_year)
        assert (now["completed"], now["under_construction"], now["surveyed"]) == (4, 3, 9)
        assert now["grant_disbursed_satang"] == 4 * 2_000_000 + 3 * 1_400_000


async def test_a_poison_event_in_a_replayed_batch_goes_to_the_dead_letters_and_the_rest_counts(
    start_app: StartApp, broker: str, fiscal_year: int
) -> None:
    """The catch-up applies a fetched batch in one transaction; a batch holding an event
    no projector can apply falls back to one by one, so only that event is set aside."""
    app = await start_app()
    good = households(4, "completed", fiscal_year)
    poison = households(1, "completed", fiscal_year, day=30)[0]
    poison.data["household_id"] = "not-a-uuid"
    await publish(broker, [*good[:10], poison, *good[10:]])

    result = await rebuild(app.state.runtime.settings.database_url, broker)

    assert (await progress(app, fiscal_year))["completed"] == 4
    assert result.events_replayed >= len(good) + 1
    dead = await dead_letters(broker, "survey.households.dlq.reporting")
    assert poison.id in dead


async def dead_letters(bootstrap: str, topic: str) -> set[uuid.UUID]:
    """Ids of every event now in a dead-letter topic."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from baan_shared.bus.security import client_options  # the admin's, from kafka_broker

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **client_options()
    )
    await consumer.start()
    try:
        await consumer._client.set_topics([topic])
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: set[uuid.UUID] = set()
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found |= {CloudEvent.from_kafka(r.value, r.headers).id for r in records}
        return found
    finally:
        await consumer.stop()


def test_every_projection_table_is_rebuilt() -> None:
    """A projection table left out of the rebuild makes a replay fail on its first event
    (no such table in the shadow namespace): every table the projections define, and
    the inbox, must be in ``REBUILT_TABLES``."""
    from sqlmodel import SQLModel

    from reporting.plans import models as plans
    from reporting.projections import models
    from reporting.rebuild.shadow import REBUILT_TABLES
    from reporting.survey_coverage import models as coverage
    from reporting.welfare import models as welfare

    # Projections of survey's tambon plans and coverage, and welfare's, live in their
    # own modules.
    defined = {
        cls.__tablename__
        for module in (models, plans, coverage, welfare)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, SQLModel)
        and cls.__module__ == module.__name__
        and hasattr(cls, "__table__")
    }
    assert "fund_money" in defined
    assert {table.name for table in REBUILT_TABLES} == defined | {"processed_events"}


async def test_a_rebuild_reports_its_progress_where_ops_can_poll_it(
    start_app: StartApp, broker: str, fiscal_year: int
) -> None:
    """``GET /v1/rebuilds`` (national admin) shows each rebuild: events done of the
    total, the rate and the peak memory it reported, finished with no time left."""
    from reporting_auth import ISSUER

    from baan_shared.auth.scopes import ADMIN, REPORTS_READ

    app = await start_app()
    events = households(3, "completed", fiscal_year)
    await publish(broker, events)
    result = await rebuild(app.state.runtime.settings.database_url, broker)

    admin = ISSUER.mint_token("ops", (ADMIN,), ["*"])
    province_reader = ISSUER.mint_token("partner-57", (REPORTS_READ,), ["57"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as http:
        as_admin = {"Authorization": f"Bearer {admin}"}
        listed = await http.get("/v1/rebuilds", headers=as_admin)
        assert listed.status_code == 200, listed.text
        run = listed.json()["items"][0]
        assert run["id"] == str(result.run_id)
        assert run["group_id"] == result.group_id
        assert run["phase"] == "done"
        assert run["events_done"] == result.events_replayed >= len(events)
        assert run["events_total"] == run["events_done"]
        assert run["percent_done"] == 100.0
        assert run["seconds_left"] is None
        assert run["peak_memory_bytes"] > 0
        assert run["finished_at"] is not None and run["error"] is None
        one = await http.get(f"/v1/rebuilds/{result.run_id}", headers=as_admin)
        assert one.json() == run
        unknown = await http.get(f"/v1/rebuilds/{uuid.uuid4()}", headers=as_admin)
        assert unknown.status_code == 404
        assert unknown.headers["content-type"].startswith("application/problem+json")
        # Rebuilds are the national administration's: a partner's reader token gets none.
        refused = await http.get(
            "/v1/rebuilds", headers={"Authorization": f"Bearer {province_reader}"}
        )
        assert refused.status_code == 403


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

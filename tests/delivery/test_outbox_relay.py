"""The outbox relay on PostgreSQL and the real broker: when several replicas
run, exactly one publishes (advisory-lock leader), in outbox order, and
another takes over when it stops."""

import uuid
from collections.abc import AsyncIterator

import pytest
from platform_harness import eventually, header, read_topic
from sqlmodel import select

from baan_local.kafka import LocalKafka
from baan_local.postgres import LocalPostgres
from baan_shared.bus.admin import ensure_topics
from baan_shared.db import create_engine, create_session_factory, unit_of_work
from baan_shared.events.catalog import HouseholdSurveyed
from baan_shared.outbox import OutboxMessage, OutboxRelay, record_event

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

TOPIC = "survey.households"


@pytest.fixture
async def outbox_database(postgres_server: LocalPostgres) -> AsyncIterator[str]:
    url = postgres_server.create_database(f"relay_{uuid.uuid4().hex[:8]}")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(OutboxMessage.__table__.create)  # type: ignore[attr-defined]
    await engine.dispose()
    yield url


async def _write_events(url: str, household_ids: list[uuid.UUID]) -> None:
    engine = create_engine(url)
    async with unit_of_work(create_session_factory(engine)) as session:
        for household_id in household_ids:
            await record_event(
                session,
                HouseholdSurveyed(
                    household_id=household_id,
                    programme="BAAN_PHO_PHIANG",
                    province_code="40",
                    household_size=3,
                    surveyed_at="2019-01-10T00:00:00+07:00",
                ),
                source="/services/relay-test",
            )
    await engine.dispose()


async def _pending(url: str) -> int:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        rows = await session.exec(select(OutboxMessage).where(OutboxMessage.sent_at == None))  # noqa: E711
        count = len(rows.all())
    await engine.dispose()
    return count


def _relay(url: str, bootstrap: str) -> OutboxRelay:
    engine = create_engine(url)
    return OutboxRelay(
        service="relay-test",
        engine=engine,
        session_factory=create_session_factory(engine),
        bootstrap_servers=bootstrap,
        batch_size=7,  # several batches, so order across batches is exercised
        idle_seconds=0.1,
    )


async def test_one_leader_publishes_everything_once_in_order_and_a_follower_takes_over(
    kafka_broker: LocalKafka, outbox_database: str
) -> None:
    await ensure_topics(kafka_broker.bootstrap, [TOPIC], partitions=3)
    first_batch = [uuid.uuid4() for _ in range(20)]
    await _write_events(outbox_database, first_batch)
    replicas = [_relay(outbox_database, kafka_broker.bootstrap) for _ in range(2)]
    for relay in replicas:
        relay.start()
    try:
        await eventually(lambda: _drained(outbox_database), what="the first batch to drain")
        leaders = [r for r in replicas if r.is_leader]
        assert len(leaders) == 1
        leader, follower = leaders[0], next(r for r in replicas if r is not leaders[0])

        await leader.stop()
        second_batch = [uuid.uuid4() for _ in range(5)]
        await _write_events(outbox_database, second_batch)
        await eventually(lambda: _drained(outbox_database), what="the follower to take over")
        assert follower.is_leader
    finally:
        for relay in replicas:
            await relay.stop()
            await relay.engine.dispose()

    published = [
        r
        for r in await read_topic(kafka_broker.bootstrap, TOPIC)
        if header(r, "ce_source") == "/services/relay-test"
    ]
    keys = [r.key.decode() for r in published]
    expected = {str(h) for h in first_batch + second_batch}
    assert sorted(keys) == sorted(expected)  # everything, each once
    ids = [header(r, "ce_id") for r in published]
    assert len(ids) == len(set(ids))
    written = [str(h) for h in first_batch + second_batch]
    for partition in {r.partition for r in published}:
        in_partition = [
            written.index(r.key.decode()) for r in published if r.partition == partition
        ]
        assert in_partition == sorted(in_partition)  # outbox order kept on each partition


async def _drained(url: str) -> bool:
    return await _pending(url) == 0


async def test_rows_written_while_the_broker_is_away_wait_and_then_drain(
    kafka_broker: LocalKafka, outbox_database: str
) -> None:
    relay = _relay(outbox_database, "127.0.0.1:1")  # nothing listens there
    relay.start()
    try:
        await _write_events(outbox_database, [uuid.uuid4() for _ in range(3)])

        async def failing() -> str | None:
            return relay.last_error

        await eventually(failing, what="the relay to report the broker away")
        assert await _pending(outbox_database) == 3  # kept, not dropped
    finally:
        await relay.stop()
        await relay.engine.dispose()
    relay = _relay(outbox_database, kafka_broker.bootstrap)
    relay.start()
    try:
        await eventually(lambda: _drained(outbox_database), what="the backlog to drain")
    finally:
        await relay.stop()
        await relay.engine.dispose()

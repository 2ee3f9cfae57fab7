"""The outbox relay sends each row as exactly the CloudEvent the writer recorded (issue 17:
it builds the record from the row's columns, skipping the envelope model), under a
producer span of the row's trace, on SQLite and on PostgreSQL. The broker is faked
here; tests/delivery runs the relay against the real one."""

import asyncio
import contextlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import SpanKind
from sqlalchemy import event
from sqlmodel import col, select

from baan_shared.db import create_engine, create_session_factory, unit_of_work
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected, HouseholdApproved
from baan_shared.observability.tracing import configure_tracing, span_from, trace_id
from baan_shared.outbox import OutboxMessage, OutboxRelay, record_event, record_events
from baan_testkit import apps
from baan_testkit.apps import ON_BOTH_DATABASES
from baan_testkit.pytest_plugin import MakeDatabase

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class _Producer:
    """What the relay hands aiokafka, kept; every send acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []

    async def send(
        self, topic: str, *, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> "asyncio.Future[None]":
        self.sent.append((topic, key, value, headers))
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return apps.database_url(request, tmp_path, "relay_records")


def _approved(**overrides: Any) -> HouseholdApproved:
    fields: dict[str, Any] = {
        "household_id": uuid.uuid4(),
        "programme": "CANAL",
        "province_code": "10",
        "district_code": "1005",
        "subdistrict_code": "100502",
        "fiscal_year": 2569,
        "household_size": 5,
        "need": "rebuild",
        "estimated_cost_satang": 50_700_000,
        "approved_at": "2026-01-15T09:00:00+07:00",
        "approved_by": "คณะกรรมการชุมชนริมคลองลาดพร้าว",
    }
    return HouseholdApproved(**(fields | overrides))


async def test_each_row_goes_out_as_the_cloud_event_it_records_under_its_trace(
    database_url: str,
) -> None:
    configure_tracing("relay-test")
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(OutboxMessage.__table__.create)
    factory = create_session_factory(engine)
    async with unit_of_work(factory) as session:
        with span_from(CALLER, "a committee meeting", SpanKind.SERVER):
            await record_events(session, [_approved(), _approved(need="repair")], source="/s")
        await record_event(
            session,
            GrantRejected(
                grant_id=uuid.uuid4(),
                household_id=uuid.uuid4(),
                programme="CANAL",
                province_code="10",
                fiscal_year=2569,
                reason='no budget: "CANAL" 2569, จังหวัด 10',
                amount_satang=14_700_000,
            ),
            source="/services/finance",
        )
    relay = OutboxRelay(
        service="relay-test", engine=engine, session_factory=factory, bootstrap_servers="unused"
    )
    producer = _Producer()
    relay._producer = producer
    try:
        assert await relay.publish_pending() == 3
        async with factory() as session:
            rows = (
                await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.position)))
            ).all()
    finally:
        await engine.dispose()

    assert [r.sent_at is not None for r in rows] == [True] * 3
    assert len(producer.sent) == 3
    # One producer span for the two rows the meeting wrote (a sheet's thousands of rows
    # are a span per batch, not per row), another for the grant's row.
    sent_traces = [dict(headers)["traceparent"] for *_, headers in producer.sent]
    assert sent_traces[0] == sent_traces[1] != sent_traces[2]
    for row, (topic, key, value, headers) in zip(rows, producer.sent, strict=True):
        sent_trace = dict(headers).pop("traceparent").decode()
        # What the envelope model makes of the row, with the producer span's traceparent.
        expected = CloudEvent(
            id=row.id,
            source=row.source,
            type=row.type,
            subject=row.aggregateid,
            time=row.occurred_at,
            dataschema=row.dataschema,
            traceparent=sent_trace,
            data=json.loads(row.payload),
        )
        assert (topic, key, value, headers) == (row.topic, *expected.to_kafka())
        # A producer span of its own, in the trace of the request that wrote the row.
        assert sent_trace != row.traceparent
        if row.traceparent is not None:
            assert trace_id(sent_trace) == trace_id(row.traceparent)
    assert trace_id(rows[0].traceparent) == trace_id(CALLER)
    assert json.loads(producer.sent[0][2])["approved_by"] == "คณะกรรมการชุมชนริมคลองลาดพร้าว"


class _AckingLater:
    """A producer whose acks come only once the relay has handed it ``hold_until`` records
    (or after a second), as a broker's come while the relay goes on; the ack of each
    record whose household is in ``failing`` fails, as when the broker goes away."""

    def __init__(self, hold_until: int, failing: frozenset[str] = frozenset()) -> None:
        self.sent: list[bytes] = []
        self.sent_before_first_ack: int | None = None
        self.failing = failing
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._enough = asyncio.Event()
        self._hold_until = hold_until
        self._acker = asyncio.get_running_loop().create_task(self._ack())

    async def send(
        self, topic: str, *, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> "asyncio.Future[None]":
        self.sent.append(key)
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((key, acked))
        if len(self.sent) >= self._hold_until:
            self._enough.set()
        return acked

    async def _ack(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._enough.wait(), timeout=1.0)
        self.sent_before_first_ack = len(self.sent)
        while True:
            pending, self._pending = self._pending, []
            for key, acked in pending:
                if key.decode() in self.failing:
                    acked.set_exception(ConnectionError("broker away"))
                else:
                    acked.set_result(None)
            await asyncio.sleep(0.001)


async def _outbox_of(database_url: str, households: list[uuid.UUID]) -> OutboxRelay:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(OutboxMessage.__table__.create)
    factory = create_session_factory(engine)
    async with unit_of_work(factory) as session:
        await record_events(session, [_approved(household_id=h) for h in households], source="/s")
    return OutboxRelay(
        service="relay-test",
        engine=engine,
        session_factory=factory,
        bootstrap_servers="unused",
        batch_size=2,
    )


async def _sent_and_attempts(relay: OutboxRelay) -> list[tuple[bool, int]]:
    async with relay.session_factory() as session:
        rows = (
            await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.position)))
        ).all()
    return [(row.sent_at is not None, row.attempts) for row in rows]


async def test_the_next_batch_goes_out_while_the_broker_acknowledges_the_last(
    database_url: str,
) -> None:
    households = [uuid.uuid4() for _ in range(5)]
    relay = await _outbox_of(database_url, households)
    producer = _AckingLater(hold_until=4)
    relay._producer = producer
    try:
        assert await relay.publish_pending() == 5
        sent = await _sent_and_attempts(relay)
    finally:
        producer._acker.cancel()
        await relay.engine.dispose()

    # The second batch of two was handed on before the first batch's acks came back.
    assert producer.sent_before_first_ack == 4
    assert producer.sent == [str(h).encode() for h in households]  # once each, in order
    assert sent == [(True, 0)] * 5


async def test_a_failed_ack_leaves_its_batch_and_every_later_one_pending_in_order(
    database_url: str,
) -> None:
    households = [uuid.uuid4() for _ in range(5)]
    relay = await _outbox_of(database_url, households)
    failing = _AckingLater(hold_until=4, failing=frozenset({str(households[2])}))
    relay._producer = failing
    try:
        with pytest.raises(ConnectionError):
            await relay.publish_pending()
        after_failure = await _sent_and_attempts(relay)
        failing._acker.cancel()
        working = _AckingLater(hold_until=0)
        relay._producer = working
        assert await relay.publish_pending() == 3
        after_retry = await _sent_and_attempts(relay)
    finally:
        failing._acker.cancel()
        working._acker.cancel()
        await relay.engine.dispose()

    # The first batch was acknowledged; the second failed (counted on its rows); the
    # third, sent meanwhile, is not marked either: all of it goes out again, in order.
    assert after_failure == [(True, 0), (True, 0), (False, 1), (False, 1), (False, 0)]
    assert working.sent == [str(h).encode() for h in households[2:]]
    assert after_retry == [(True, 0), (True, 0), (True, 1), (True, 1), (True, 0)]


@pytest.mark.postgres
async def test_the_relay_reads_its_line_through_the_pending_index_past_published_rows(
    make_postgres_database: MakeDatabase,
) -> None:
    """Statistics taken while most rows were pending (as during a feed), then most of
    them published: ``ORDER BY position`` alone walked the primary key through every
    published row before the first pending one (75 ms a read past 300,000 of them)."""
    relay = await _outbox_of(
        make_postgres_database("relay_line"), [uuid.uuid4() for _ in range(2_000)]
    )
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    try:
        async with relay.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE outbox")
            await connection.exec_driver_sql(
                "UPDATE outbox SET sent_at = now() WHERE position <= 1990"
            )
        relay._producer = _Producer()  # type: ignore[assignment]
        event.listen(relay.engine.sync_engine, "before_cursor_execute", keep)
        relay.batch_size = 500
        assert await relay.publish_pending() == 10
        event.remove(relay.engine.sync_engine, "before_cursor_execute", keep)
        read, parameters = next(s for s in statements if "ORDER BY" in s[0])
        async with relay.engine.connect() as connection:
            plan = "\n".join(
                row[0] for row in await connection.exec_driver_sql("EXPLAIN " + read, parameters)
            )
    finally:
        await relay.engine.dispose()

    assert "ix_outbox_pending" in plan and "Sort" not in plan, plan

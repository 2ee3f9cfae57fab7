"""The consumer's per-record rules, on a real SQLite inbox with the Kafka
producer for dead letters replaced by a recorder (the real broker is
exercised in tests/delivery)."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.bus import consumer as consumer_module
from baan_shared.bus.consumer import EventConsumer, Subscriptions
from baan_shared.db import create_engine, create_session_factory
from baan_shared.events import CloudEvent
from baan_shared.inbox import ProcessedEvent


class RecordingProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, list[tuple[str, bytes]]]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_and_wait(
        self, topic: str, *, value: bytes | None, key: Any, headers: Any
    ) -> None:
        self.sent.append((topic, value, list(headers)))


def _record(
    event: CloudEvent | None, *, value: bytes | None = None, offset: int = 0
) -> ConsumerRecord:  # type: ignore[type-arg]
    headers: list[tuple[str, bytes]] = []
    key = b"k"
    if event is not None:
        key, value, headers = event.to_kafka()
    return ConsumerRecord(
        topic="survey.households", partition=0, offset=offset, timestamp=0, timestamp_type=0,
        key=key, value=value, checksum=None, serialized_key_size=1,
        serialized_value_size=len(value or b""), headers=tuple(headers),
    )  # fmt: skip


def _event(event_type: str = "household.approved") -> CloudEvent:
    return CloudEvent(source="/services/test", type=event_type, subject="h1", data={"n": 1})


@pytest.fixture
async def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/inbox.db")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all, tables=[ProcessedEvent.__table__])  # type: ignore[attr-defined]
    producer = RecordingProducer()
    monkeypatch.setattr(consumer_module, "create_producer", lambda *_a, **_k: producer)
    applied: list[uuid.UUID] = []
    failures: dict[str, int] = {"left": 0}

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise failures.get("error", ValueError("bad data"))  # type: ignore[misc]
        applied.append(event.id)

    consumer = EventConsumer(
        name="tester",
        bootstrap_servers="unused:9092",
        subscriptions=Subscriptions({"household.approved": handler}),
        session_factory=create_session_factory(engine),
        max_attempts=3,
        retry_backoff_seconds=0.001,
    )
    yield consumer, producer, applied, failures, engine
    await engine.dispose()


def _traced(n: int, *, trace: str, span: int) -> CloudEvent:
    """Household ``n``'s approval, sent under trace ``trace`` from span ``span``."""
    return CloudEvent(
        source="/services/test",
        type="household.approved",
        subject=f"h{n}",
        data={"n": n},
        traceparent=f"00-{trace}-{span:016x}-01",
    )


async def _inbox_rows(engine: Any) -> int:
    async with create_session_factory(engine)() as session:
        return len((await session.exec(select(ProcessedEvent))).all())


async def test_a_redelivered_record_is_applied_once(harness: Any) -> None:
    consumer, _producer, applied, _failures, engine = harness
    event = _event()
    await consumer.handle_record(_record(event, offset=5))
    await consumer.handle_record(_record(event, offset=5))
    assert applied == [event.id]
    assert await _inbox_rows(engine) == 1


async def test_a_failing_event_gets_bounded_attempts_then_a_dead_letter(harness: Any) -> None:
    consumer, producer, applied, failures, engine = harness
    failures["left"] = 10
    await consumer.handle_record(_record(_event()))
    assert applied == []
    assert failures["left"] == 7  # three attempts, then it stopped trying
    [(topic, _value, headers)] = producer.sent
    assert topic == "survey.households.dlq.tester"
    assert dict(headers)["dlq_attempts"] == b"3"
    assert b"bad data" in dict(headers)["dlq_error"]
    assert await _inbox_rows(engine) == 0  # its failed attempts left nothing behind


async def test_a_transient_failure_is_retried_until_it_applies(harness: Any) -> None:
    consumer, producer, applied, failures, _engine = harness
    failures["left"] = 2
    event = _event()
    await consumer.handle_record(_record(event))
    assert applied == [event.id]
    assert producer.sent == []


async def test_database_outage_is_never_dead_lettered(harness: Any) -> None:
    consumer, producer, applied, failures, _engine = harness
    failures["left"] = 6  # more than max_attempts
    failures["error"] = OperationalError("SELECT 1", {}, Exception("connection refused"))
    event = _event()
    await consumer.handle_record(_record(event))
    assert applied == [event.id]
    assert producer.sent == []


async def test_a_record_that_is_not_a_cloud_event_goes_straight_to_dead_letters(
    harness: Any,
) -> None:
    consumer, producer, applied, _failures, _engine = harness
    await consumer.handle_record(_record(None, value=b"\x00garbage"))
    assert applied == []
    assert [value for _t, value, _h in producer.sent] == [b"\x00garbage"]


async def test_events_nobody_here_handles_are_passed_over(harness: Any) -> None:
    consumer, producer, applied, _failures, engine = harness
    await consumer.handle_record(_record(_event("household.surveyed")))
    assert applied == [] and producer.sent == []
    assert await _inbox_rows(engine) == 0


async def test_events_nobody_here_handles_are_passed_over_by_their_type_header_unparsed(
    harness: Any,
) -> None:
    consumer, producer, applied, _failures, engine = harness
    # Its ce_type says it is not ours: the body is not even read (garbage here).
    _key, _value, headers = _event("household.surveyed").to_kafka()
    record = _record(None, value=b"\x00garbage")
    record.headers = tuple(headers)
    await consumer.handle_record(record)
    assert await consumer.apply_batch([record]) is True
    assert applied == [] and producer.sent == []
    assert await _inbox_rows(engine) == 0


async def test_a_commit_that_applied_events_wakes_the_outbox_relay(harness: Any) -> None:
    consumer, _producer, _applied, _failures, _engine = harness
    commits: list[int] = []
    consumer.wrote = lambda: commits.append(1)
    event, other = _event(), _event()
    await consumer.handle_record(_record(event, offset=0))
    assert len(commits) == 1
    await consumer.handle_record(_record(event, offset=0))  # a redelivery: nothing new
    assert len(commits) == 1
    assert await consumer.apply_batch([_record(event, offset=0), _record(other, offset=1)])
    assert len(commits) == 2
    assert await consumer.apply_batch([_record(other, offset=1)])  # all seen before
    assert len(commits) == 2


class _DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter raises: the server's SQLSTATE attached."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def test_a_database_shutting_down_is_waited_for_not_dead_lettered() -> None:
    from sqlalchemy.exc import DBAPIError

    from baan_shared.bus.consumer import _is_unavailable

    def wrapped(message: str, sqlstate: str) -> DBAPIError:
        return DBAPIError("INSERT ...", {}, _DriverError(message, sqlstate))

    assert _is_unavailable(wrapped("the database system is shutting down", "57P01"))
    assert _is_unavailable(wrapped("the database system is starting up", "57P03"))
    assert _is_unavailable(wrapped("connection failure", "08006"))
    # A bad event stays a bad event: a check violation is not an outage.
    assert not _is_unavailable(wrapped("new row violates check constraint", "23514"))
    assert not _is_unavailable(ValueError("no such programme"))


# --- a partition's batch in one transaction ------------------------------------------------


async def test_a_batch_applies_each_event_once_in_stream_order(harness: Any) -> None:
    consumer, producer, applied, _failures, engine = harness
    first, second, third = _event(), _event(), _event()
    already = _event()
    await consumer.handle_record(_record(already, offset=0))
    # A redelivered copy inside the batch and one applied before it: each once.
    batch = [
        _record(already, offset=1),
        _record(first, offset=2),
        _record(second, offset=3),
        _record(first, offset=4),
        _record(_event("household.surveyed"), offset=5),
        _record(third, offset=6),
    ]
    assert await consumer.apply_batch(batch) is True
    assert applied == [already.id, first.id, second.id, third.id]
    assert await _inbox_rows(engine) == 4
    assert producer.sent == []


async def test_a_failing_event_rolls_back_its_whole_batch(harness: Any) -> None:
    consumer, producer, applied, _failures, engine = harness
    good, bad = _event(), _event()

    async def fail_on_bad(session: AsyncSession, event: CloudEvent) -> None:
        if event.id == bad.id:
            raise ValueError("bad data")
        applied.append(event.id)

    consumer.subscriptions = Subscriptions({"household.approved": fail_on_bad})
    assert await consumer.apply_batch([_record(good, offset=0), _record(bad, offset=1)]) is False
    # Nothing of the batch is kept: the caller applies the records one by one.
    assert await _inbox_rows(engine) == 0
    assert producer.sent == []


async def test_a_batch_with_a_malformed_record_is_left_to_the_record_by_record_rules(
    harness: Any,
) -> None:
    consumer, _producer, applied, _failures, engine = harness
    records = [_record(_event(), offset=0), _record(None, value=b"\x00garbage", offset=1)]
    assert await consumer.apply_batch(records) is False
    assert applied == [] and await _inbox_rows(engine) == 0


async def test_a_batch_handler_gets_only_the_new_events(harness: Any) -> None:
    consumer, _producer, _applied, _failures, engine = harness
    seen: list[list[uuid.UUID]] = []

    async def apply_all(session: AsyncSession, events: Any) -> None:
        seen.append([event.id for event in events])

    consumer.subscriptions = Subscriptions(
        {"household.approved": consumer.subscriptions.handlers["household.approved"]},
        batch_handler=apply_all,
    )
    old, new = _event(), _event()
    await consumer.handle_record(_record(old, offset=0))
    assert await consumer.apply_batch([_record(old, offset=0), _record(new, offset=1)])
    assert seen == [[new.id]]
    assert await _inbox_rows(engine) == 2


def test_a_deadlock_is_a_collision_to_retry_not_a_poison_event() -> None:
    from sqlalchemy.exc import DBAPIError

    from baan_shared.bus.consumer import _is_collision, _is_unavailable

    deadlock = DBAPIError("UPDATE ...", {}, _DriverError("deadlock detected", "40P01"))
    assert _is_collision(deadlock) and not _is_unavailable(deadlock)
    assert not _is_collision(DBAPIError("UPDATE ...", {}, _DriverError("bad", "22003")))


async def test_a_collision_in_record_by_record_handling_is_retried_beyond_max_attempts(
    harness: Any,
) -> None:
    from sqlalchemy.exc import DBAPIError

    consumer, producer, applied, failures, _engine = harness
    failures["left"] = 5  # more than max_attempts (3)
    failures["error"] = DBAPIError("UPDATE ...", {}, _DriverError("deadlock detected", "40P01"))
    event = _event()
    await consumer.handle_record(_record(event))
    assert applied == [event.id]
    assert producer.sent == []


async def test_each_handler_in_a_batch_continues_its_own_events_trace(harness: Any) -> None:
    from baan_shared.observability.tracing import current_traceparent, trace_id

    consumer, _producer, _applied, _failures, _engine = harness
    seen: dict[uuid.UUID, str | None] = {}

    async def remember_trace(session: AsyncSession, event: CloudEvent) -> None:
        # What a handler's outbox row would carry on: the current traceparent.
        seen[event.id] = trace_id(current_traceparent())

    consumer.subscriptions = Subscriptions({"household.approved": remember_trace})
    events = [_traced(n, trace=f"{n:032x}", span=n) for n in range(1, 4)]
    records = [_record(event, offset=n) for n, event in enumerate(events)]
    assert await consumer.apply_batch(records)
    assert seen == {event.id: f"{n:032x}" for n, event in enumerate(events, start=1)}


async def test_a_batch_handler_s_events_get_a_consumer_span_per_trace(
    harness: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A committee's sheet (one request, one trace) costs a span per batch, not per event:
    under its first event's producer span, linked to the others and naming every id;
    an event of another trace keeps a span of its own."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(consumer_module, "_tracer", provider.get_tracer("test"))
    consumer, _producer, _applied, _failures, _engine = harness

    async def apply_all(session: AsyncSession, events: Any) -> None: ...

    consumer.subscriptions = Subscriptions(
        {"household.approved": apply_all}, batch_handler=apply_all
    )
    sheet = f"{7:032x}"
    events = [_traced(n, trace=sheet if n < 3 else f"{n:032x}", span=n + 1) for n in range(4)]
    assert await consumer.apply_batch([_record(e, offset=n) for n, e in enumerate(events)])

    spans = exporter.get_finished_spans()
    assert len(spans) == 2
    by_trace = {f"{span.context.trace_id:032x}": span for span in spans}
    of_sheet = by_trace[sheet]
    assert of_sheet.parent is not None and of_sheet.parent.span_id == 1
    assert [link.context.span_id for link in of_sheet.links] == [2, 3]
    assert of_sheet.attributes is not None
    assert of_sheet.attributes[consumer_module.MESSAGE_IDS] == tuple(str(e.id) for e in events[:3])
    alone = by_trace[f"{3:032x}"]
    assert alone.parent is not None and alone.parent.span_id == 4
    assert alone.attributes is not None
    assert alone.attributes["messaging.message.id"] == str(events[3].id)

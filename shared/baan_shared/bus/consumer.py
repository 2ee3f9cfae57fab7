"""The event consumer: decode, dispatch to a handler, record in the inbox, commit.

The handlers' effects and the ``processed_events`` rows commit in one database
transaction; only then is the Kafka offset committed, per partition. So a
crash between the two redelivers the records, and the inbox turns the
redelivery into a no-op: exactly once in effect.

Throughput: each poll's records of one partition are applied in one
transaction (one commit, one inbox lookup and one inbox insert for the lot,
instead of per event), and the partitions of a poll are applied concurrently,
each in its own transaction, which keeps the order within a partition (the
order that matters: one aggregate's events share a partition). A batch that
fails for any reason is rolled back whole and its records are applied again
one at a time, with the per-record rules below.

Failures are split in two:
- the database or broker is away (connection errors): retry without limit,
  with backoff, and report not-ready; nothing is skipped;
- anything else (a poison event, a bug): a bounded number of attempts, then
  the record goes to ``<topic>.dlq.<consumer>`` with the error in headers and
  the stream moves on. A record that is not a CloudEvent at all goes there at once.

A record whose ``ce_type`` header names a type this consumer does not handle is
passed over unread (another consumer's event on a shared stream). After a commit
that applied new events, ``wrote`` is called: the service wakes its outbox relay,
so what the handlers recorded is published now rather than at its next poll.
"""

import asyncio
import contextlib
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from baan_shared.bus.producer import create_producer
from baan_shared.bus.security import KafkaSecurity, client_options
from baan_shared.db import SessionFactory
from baan_shared.events.envelope import CloudEvent, MalformedEvent
from baan_shared.events.subscriptions import BatchHandler, Handler, Subscriptions
from baan_shared.events.topics import dead_letter_topic
from baan_shared.inbox.table import already_processed, apply_once, claim_new_events
from baan_shared.observability.metrics import (
    CONSUMER_LAG,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_DUPLICATE,
    LAST_EVENT_APPLIED,
)
from baan_shared.observability.tracing import span_from, trace_id

_consumed_from: ContextVar[tuple[str, int] | None] = ContextVar("consumed_from", default=None)


def consumed_from() -> tuple[str, int] | None:
    """The topic and partition whose records this task is applying (None outside a
    consumer): lets a handler spread what partitions would otherwise all write to the
    same row (reporting's summary rows) over rows of their own."""
    return _consumed_from.get()


@contextlib.contextmanager
def consuming(topic: str, partition: int) -> Iterator[None]:
    """Within this block ``consumed_from`` answers ``(topic, partition)``."""
    token = _consumed_from.set((topic, partition))
    try:
        yield
    finally:
        _consumed_from.reset(token)


log = logging.getLogger(__name__)

_tracer = trace.get_tracer("baan")
_propagator = TraceContextTextMapPropagator()
# The ids of the events a batch's consumer span stands for (beside the first's
# ``messaging.message.id``).
MESSAGE_IDS = "baan.messaging.message_ids"
# Links a span keeps (the SDK's default limit): a batch span links this many of its
# trace's other producer spans at most; MESSAGE_IDS names every event.
MAX_LINKS = 128


def _context(traceparent: str | None) -> Any:
    return _propagator.extract({"traceparent": traceparent} if traceparent else {})


def _batch_span(
    parent: str | None, name: str, attributes: dict[str, Any], links: list[str]
) -> Span:
    """A consumer span under ``parent``'s context, linked to the ``links`` contexts."""
    return _tracer.start_span(
        name,
        context=_context(parent),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        links=[
            Link(trace.get_current_span(_context(traceparent)).get_span_context())
            for traceparent in links
        ],
    )


AfterCommitHook = Callable[[CloudEvent], Awaitable[None]]

__all__ = [
    "AfterCommitHook",
    "BatchHandler",
    "EventConsumer",
    "Handler",
    "Subscriptions",
    "consumed_from",
    "consuming",
]


# SQLSTATEs that say "the database cannot serve now", not "this event is bad":
# class 08 (connection exceptions), 57P01-57P03 (admin/crash shutdown, starting up),
# 53300 (too many connections).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03", "53300")


def _sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind a SQLAlchemy error, through the driver's wrappers."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(code, str):
            return code
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


# SQLSTATEs of two transactions colliding (serialization failure, deadlock): the
# event is fine, trying again is right, however many times it takes.
_COLLISION_SQLSTATES = ("40001", "40P01")


def _is_collision(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and _sqlstate(exc) in _COLLISION_SQLSTATES


def _is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError):
        return False
    if isinstance(
        exc, OperationalError | InterfaceError | ConnectionError | OSError | TimeoutError
    ):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    # e.g. asyncpg's AdminShutdownError ("the database system is shutting down") arrives
    # as a plain DBAPIError: waiting for the database is right, dead-lettering is not.
    sqlstate = _sqlstate(exc)
    return sqlstate is not None and sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)


def header_type(record: ConsumerRecord[Any, Any]) -> str | None:
    """The record's ``ce_type`` header, or None when it has none readable (then the
    record is parsed, and a malformed one dead-lettered)."""
    for name, raw in record.headers or ():
        if name == "ce_type":
            try:
                return raw.decode() if raw is not None else None
            except UnicodeDecodeError:
                return None
    return None


class _Listener(ConsumerRebalanceListener):
    def __init__(self, consumer: "EventConsumer") -> None:
        self.owner = consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        # Hand over exactly what we applied, so the next owner starts after it.
        await self.owner.commit_processed(only=set(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        log.info("partitions assigned", extra={"partitions": [str(tp) for tp in assigned]})


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        bootstrap_servers: str,
        subscriptions: Subscriptions,
        session_factory: SessionFactory,
        max_attempts: int = 3,
        retry_backoff_seconds: float = 0.2,
        after_db_commit: AfterCommitHook | None = None,
        wrote: Callable[[], None] | None = None,
        group_id: str | None = None,
        max_batch: int = 500,
        concurrent_partitions: int = 1,
        trace_each_event: bool = True,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.name = name
        self.group_id = group_id or name
        self.bootstrap_servers = bootstrap_servers
        # None: the environment's KAFKA_* credentials
        self.security = security
        self.subscriptions = subscriptions
        self.session_factory = session_factory
        self.max_attempts = max_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.after_db_commit = after_db_commit
        # Called after each commit that applied new events (the service wakes its outbox
        # relay: what the handlers recorded leaves now, not at the relay's next poll).
        self.wrote = wrote
        self.max_batch = max_batch
        # A span per event joins each event's trace; a replay of history (the reporting
        # rebuild) has no caller waiting on those traces and skips their cost.
        self.trace_each_event = trace_each_event
        # SQLite has one writer at a time: concurrent partitions would only queue on
        # its lock, so the runtime passes 1 there.
        self._partition_slots = asyncio.Semaphore(max(1, concurrent_partitions))
        self._consumer: AIOKafkaConsumer | None = None
        self._dead_letters: AIOKafkaProducer | None = None
        self._processed: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.last_poll_monotonic: float | None = None
        self.unavailable_since: float | None = None
        self.last_error: str | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        """Finish the record in hand, commit what was applied, leave the group."""
        self._stopping = True
        if self._task:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
            except (TimeoutError, Exception):
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._task
        await self._close()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _open(self) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self.max_batch,
            **client_options(self.security),
        )
        consumer.subscribe(self.subscriptions.topics, listener=_Listener(self))
        try:
            await consumer.start()
        except Exception:
            with contextlib.suppress(Exception):
                await consumer.stop()
            raise
        return consumer

    async def _close(self) -> None:
        if self._consumer is not None:
            with contextlib.suppress(Exception):
                await self.commit_processed()
            consumer, self._consumer = self._consumer, None
            with contextlib.suppress(Exception):
                await consumer.stop()
        if self._dead_letters is not None:
            producer, self._dead_letters = self._dead_letters, None
            with contextlib.suppress(Exception):
                await producer.stop()

    # --- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.5
        while not self._stopping:
            try:
                if self._consumer is None:
                    self._consumer = await self._open()
                await self._poll_once(self._consumer)
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker away or group trouble: reopen and resume
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("consumer restarting", extra={"error": self.last_error})
                consumer, self._consumer = self._consumer, None
                if consumer is not None:
                    with contextlib.suppress(Exception):
                        await consumer.stop()
                self._processed.clear()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> None:
        batches = await consumer.getmany(timeout_ms=500, max_records=self.max_batch)
        self.last_poll_monotonic = time.monotonic()
        if not batches:
            return
        await asyncio.gather(
            *(self._apply_partition(tp, records) for tp, records in batches.items() if records)
        )
        await self.commit_processed(only=set(batches))
        for tp in batches:
            self._update_lag(consumer, tp)

    async def _apply_partition(
        self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]
    ) -> None:
        async with self._partition_slots:
            if self._stopping:
                return
            with consuming(tp.topic, tp.partition):
                await self._apply_records(tp, records)

    async def _apply_records(
        self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]
    ) -> None:
        if await self.apply_batch(records):
            self._processed[tp] = records[-1].offset + 1
            return
        for record in records:
            if self._stopping:
                break
            await self.handle_record(record)
            self._processed[tp] = record.offset + 1

    async def commit_processed(self, only: set[TopicPartition] | None = None) -> None:
        if self._consumer is None:
            return
        offsets = {tp: o for tp, o in self._processed.items() if only is None or tp in only}
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # Lost the partition mid-batch: its next owner redelivers, the inbox dedups.
            log.warning("offset commit failed", extra={"error": str(exc)})
        for tp in offsets:
            if only is not None:
                self._processed.pop(tp, None)

    def _update_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        with contextlib.suppress(Exception):
            end = consumer.highwater(tp)
            position = self._processed.get(tp)
            if end is not None and position is not None:
                CONSUMER_LAG.labels(self.name, tp.topic, str(tp.partition)).set(
                    max(0, end - position)
                )

    # --- a batch of records -------------------------------------------------------------

    async def apply_batch(self, records: Sequence[ConsumerRecord[Any, Any]]) -> bool:
        """Apply one partition's records in one transaction. False, having changed
        nothing, when that could not be done (a bad record, a failing handler, the
        database away): the caller then applies them one by one, with retries and
        dead letters."""
        events: list[tuple[CloudEvent, ConsumerRecord[Any, Any]]] = []
        handlers = self.subscriptions.handlers
        for record in records:
            if self._not_ours(record):
                continue
            try:
                event = CloudEvent.from_kafka(record.value, record.headers)
            except MalformedEvent:
                return False
            if event.type in handlers:
                events.append((event, record))
        if not events:
            return True
        for attempt in range(self.max_attempts):
            try:
                fresh = await self._apply_events(events)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not _is_collision(exc) or attempt + 1 == self.max_attempts:
                    log.info(
                        "batch not applied; applying its records one by one",
                        extra={"records": len(records), "error": f"{type(exc).__name__}: {exc}"},
                    )
                    return False
                await asyncio.sleep(self.retry_backoff_seconds * 2**attempt)
        self.unavailable_since = None
        if fresh and self.wrote is not None:
            self.wrote()
        EVENTS_DUPLICATE.labels(self.name).inc(len(events) - len(fresh))
        for event in fresh:
            EVENTS_CONSUMED.labels(self.name, event.type).inc()
        if fresh:
            LAST_EVENT_APPLIED.labels(self.name).set(max(e.time.timestamp() for e in fresh))
        if self.after_db_commit is not None:
            for event in fresh:
                await self.after_db_commit(event)
        return True

    async def _apply_events(
        self, events: list[tuple[CloudEvent, ConsumerRecord[Any, Any]]]
    ) -> list[CloudEvent]:
        """The batch's new events, applied and committed with their inbox rows."""
        topics = {event.id: record.topic for event, record in events}
        async with self.session_factory() as session:
            fresh = await claim_new_events(session, consumer=self.name, events=events)
            if self.subscriptions.batch_handler is not None:
                # One consumer span per trace in the batch, open while the batch applies
                # (a set-based handler cannot say which event did what): interactive
                # events, each of its own request, get a span each as before, and a
                # committee's sheet of thousands of events a few spans per batch instead
                # of a span per event (a third of reporting's cost per welfare event).
                # The last is current while the batch applies, so what the handler
                # records carries a trace on.
                with contextlib.ExitStack() as spans:
                    opened = [
                        spans.enter_context(span)
                        for span in (
                            self._batch_spans(fresh, topics) if self.trace_each_event else ()
                        )
                    ]
                    with trace.use_span(opened[-1]) if opened else contextlib.nullcontext():
                        await self.subscriptions.batch_handler(session, fresh)
            else:
                for event in fresh:
                    # Each handler under its own event's span: what it records (an outbox
                    # row carries the current traceparent) continues that event's trace.
                    with (
                        self._consumer_span(event, topics[event.id], len(fresh))
                        if self.trace_each_event
                        else contextlib.nullcontext()
                    ):
                        await self.subscriptions.handlers[event.type](session, event)
            await session.commit()
        return fresh

    def _batch_spans(self, fresh: list[CloudEvent], topics: dict[uuid.UUID, str]) -> list[Span]:
        """A consumer span per trace among ``fresh`` (in order of first appearance), under
        its first event's producer span, linked to the trace's other producer spans in
        the batch (as many as a span keeps) and naming all its events' ids."""
        traces: dict[str | None, list[CloudEvent]] = {}
        for event in fresh:
            traces.setdefault(trace_id(event.traceparent), []).append(event)
        spans = []
        for events in traces.values():
            first = events[0]
            attributes: dict[str, Any] = self._span_attributes(first, len(fresh))
            if len(events) > 1:
                attributes[MESSAGE_IDS] = [str(event.id) for event in events]
            others = {e.traceparent for e in events if e.traceparent != first.traceparent}
            spans.append(
                _batch_span(
                    first.traceparent,
                    f"{topics[first.id]} process",
                    attributes,
                    sorted(p for p in others if p is not None)[:MAX_LINKS],
                )
            )
        return spans

    def _consumer_span(self, event: CloudEvent, topic: str, events_in_batch: int) -> Any:
        return span_from(
            event.traceparent,
            f"{topic} process",
            SpanKind.CONSUMER,
            self._span_attributes(event, events_in_batch),
        )

    def _span_attributes(self, event: CloudEvent, events_in_batch: int) -> dict[str, str]:
        return {
            "messaging.system": "kafka",
            "messaging.consumer.group.name": self.name,
            "messaging.message.id": str(event.id),
            "messaging.batch.message_count": str(events_in_batch),
            "cloudevents.event_type": event.type,
        }

    # --- one record --------------------------------------------------------------------

    def _not_ours(self, record: ConsumerRecord[Any, Any]) -> bool:
        """Another consumer's event on a shared stream, told by its ``ce_type`` header
        alone: passed over without parsing and validating its body (most of a stream
        such as ``survey.households`` is of types construction and finance ignore)."""
        event_type = header_type(record)
        return event_type is not None and event_type not in self.subscriptions.handlers

    async def handle_record(self, record: ConsumerRecord[Any, Any]) -> None:
        if self._not_ours(record):
            return  # another consumer's event on a shared stream
        try:
            event = CloudEvent.from_kafka(record.value, record.headers)
        except MalformedEvent as exc:
            await self._dead_letter(record, exc, attempts=1)
            return
        handler = self.subscriptions.handlers.get(event.type)
        if handler is None:
            return  # another consumer's event on a shared stream
        # A consumer span under the producer's: what the handler records carries the trace on.
        with self._consumer_span(event, record.topic, 1):
            await self._handle_with_retries(handler, event, record)

    async def _handle_with_retries(
        self, handler: Handler, event: CloudEvent, record: ConsumerRecord[Any, Any]
    ) -> None:
        attempts = 0
        while True:
            try:
                await self._apply(handler, event, record)
                self.unavailable_since = None
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if _is_unavailable(exc):
                    # Never skip an event because our own database is down.
                    self.unavailable_since = self.unavailable_since or time.monotonic()
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    self.last_poll_monotonic = time.monotonic()
                    if self._stopping:
                        raise
                    await asyncio.sleep(
                        min(5.0, self.retry_backoff_seconds * 2 ** min(attempts, 5))
                    )
                    attempts += 1
                    continue
                if _is_collision(exc):
                    # Lost a deadlock or serialization race to another transaction.
                    await asyncio.sleep(self.retry_backoff_seconds * 2 ** min(attempts, 5))
                    attempts += 1
                    continue
                attempts += 1
                if attempts >= self.max_attempts:
                    await self._dead_letter(record, exc, attempts=attempts)
                    return
                await asyncio.sleep(self.retry_backoff_seconds * 2 ** (attempts - 1))

    async def _apply(
        self, handler: Handler, event: CloudEvent, record: ConsumerRecord[Any, Any]
    ) -> None:
        try:
            async with self.session_factory() as session:
                applied = await apply_once(
                    session,
                    consumer=self.name,
                    event_id=event.id,
                    event_type=event.type,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    apply=lambda: handler(session, event),
                )
                if not applied:
                    EVENTS_DUPLICATE.labels(self.name).inc()
                    return
                await session.commit()
            if self.wrote is not None:
                self.wrote()
        except IntegrityError:
            # A concurrent redelivery may have won the race for the inbox row.
            async with self.session_factory() as session:
                if await already_processed(session, event.id, self.name):
                    EVENTS_DUPLICATE.labels(self.name).inc()
                    return
            raise
        EVENTS_CONSUMED.labels(self.name, event.type).inc()
        LAST_EVENT_APPLIED.labels(self.name).set(event.time.timestamp())
        if self.after_db_commit is not None:
            await self.after_db_commit(event)

    async def _dead_letter(
        self, record: ConsumerRecord[Any, Any], exc: BaseException, attempts: int
    ) -> None:
        topic = dead_letter_topic(record.topic, self.name)
        headers = [
            *(record.headers or ()),
            ("dlq_error", f"{type(exc).__name__}: {exc}"[:2000].encode()),
            ("dlq_stack", "".join(traceback.format_exception(exc))[-4000:].encode()),
            ("dlq_consumer", self.name.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_attempts", str(attempts).encode()),
        ]
        try:
            if self._dead_letters is None:
                producer = create_producer(
                    self.bootstrap_servers, f"{self.name}-dead-letters", self.security
                )
                self._dead_letters = producer
                await producer.start()
            await self._dead_letters.send_and_wait(
                topic, value=record.value, key=record.key, headers=headers
            )
        except Exception:
            # Broker away: drop this producer; the record is redelivered and retried.
            producer, self._dead_letters = self._dead_letters, None
            if producer is not None:
                with contextlib.suppress(Exception):
                    await producer.stop()
            raise
        EVENTS_DEAD_LETTERED.labels(self.name, record.topic).inc()
        log.error(
            "event dead-lettered",
            extra={"topic": topic, "offset": record.offset, "error": str(exc)[:500]},
        )

    # --- health ------------------------------------------------------------------------

    def health(self, stuck_after_seconds: float) -> tuple[bool, str]:
        if not self.running:
            return False, "consumer task is not running"
        if self.unavailable_since is not None:
            return False, f"cannot apply events: {self.last_error}"
        if self.last_poll_monotonic is None:
            return False, f"not yet polling: {self.last_error or 'joining group'}"
        idle = time.monotonic() - self.last_poll_monotonic
        if idle > stuck_after_seconds:
            return False, f"no poll for {idle:.0f}s: {self.last_error}"
        return True, "ok"

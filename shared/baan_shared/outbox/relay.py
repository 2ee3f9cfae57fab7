"""The outbox relay: publishes pending outbox rows to Kafka, in order, then marks them sent.

It runs inside each service process. When several replicas run on one
PostgreSQL database, only the holder of a session-level advisory lock
publishes, so rows leave in one order; the others wait to take over. SQLite
is single-process, so its one relay is always the leader.

Delivery is at least once: a crash between the broker's ack and the
``sent_at`` update republishes the same event id, which consumers' inboxes skip.
"""

import asyncio
import contextlib
import logging
import time
import zlib
from collections import deque
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry.trace import Span, SpanKind
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Row,
    and_,
    any_,
    bindparam,
    func,
    not_,
    text,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col, select

from baan_shared.bus.producer import create_producer
from baan_shared.bus.security import KafkaSecurity
from baan_shared.clock import utcnow
from baan_shared.db import SessionFactory, is_sqlite
from baan_shared.events.envelope import Headers, kafka_headers
from baan_shared.observability.metrics import (
    OUTBOX_OLDEST_PENDING_SECONDS,
    OUTBOX_PENDING,
    OUTBOX_PUBLISH_ERRORS,
    OUTBOX_PUBLISHED,
)
from baan_shared.observability.tracing import child_span, traceparent_of
from baan_shared.outbox.table import OutboxMessage

log = logging.getLogger(__name__)

# The event ids a batch's span stands for (beside its first's ``messaging.message.id``).
MESSAGE_IDS = "baan.messaging.message_ids"

# What the relay publishes of a row (everything but its delivery bookkeeping).
_COLUMNS = tuple(
    OutboxMessage.__table__.c[name]
    for name in (
        "position",
        "id",
        "topic",
        "type",
        "source",
        "aggregateid",
        "occurred_at",
        "dataschema",
        "traceparent",
        "payload",
    )
)


def _kafka_record(row: Row[Any], traceparent: str | None) -> tuple[bytes, bytes, Headers]:
    """(key, value, headers) of a row, exactly as ``CloudEvent.to_kafka`` makes them
    (``test_outbox_relay`` checks it), without building and validating the model: the
    writer wrote the row from a validated event."""
    headers = kafka_headers(
        id=row.id,
        source=row.source,
        type=row.type,
        subject=row.aggregateid,
        time=row.occurred_at,
        dataschema=row.dataschema,
        traceparent=traceparent,
    )
    # The writer stored the data as the binding's value (compact JSON, Thai as is).
    return row.aggregateid.encode(), row.payload.encode(), headers


_OUTBOX = OutboxMessage.__table__
_POSITION = _OUTBOX.c.position
# The line of pending rows, in position order, as the ``ix_outbox_pending`` index (sent_at,
# position) holds it: ``sent_at IS NULL`` is no equality to PostgreSQL's planner, so
# ``ORDER BY position`` alone took the primary key and walked every row ever published
# before the first pending one (75 ms a read past 300,000 published rows; 0.7 ms so).
_IN_LINE = (_OUTBOX.c.sent_at, _POSITION)

# The backlog gauges are refreshed at most this often while a backlog drains...
METRICS_EVERY_S = 1.0
# ...and, as counting a big backlog is a scan of it (a third of a second for 500,000
# pending rows, beside a feed), no sooner than this many times as long as the last
# count took: the gauges cost the relay a twentieth of its time at most.
METRICS_COST_SHARE = 20
# Batches handed to the producer at once: the next batch is read and sent while the
# broker acknowledges the previous one.
IN_FLIGHT_BATCHES = 2
# The oldest pending row is looked for among this many first in line.
HEAD_ROWS = 1000
# A backlog is drained in turns of about this long, each after a leadership check.
DRAIN_SECONDS = 5.0


def _retrieve(acks: "asyncio.Future[Any]") -> None:
    """Consume the outcome of acks nobody awaits any more (after a failure)."""
    if not acks.cancelled():
        acks.exception()


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        session_factory: SessionFactory,
        bootstrap_servers: str,
        batch_size: int = 500,
        idle_seconds: float = 0.5,
        security: KafkaSecurity | None = None,
    ) -> None:
        self.service = service
        # None: the environment's KAFKA_* credentials
        self.security = security
        self.engine = engine
        self.session_factory = session_factory
        self.bootstrap_servers = bootstrap_servers
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._producer: AIOKafkaProducer | None = None
        self._lock_connection: AsyncConnection | None = None
        self._lock_checked_at = 0.0
        self._metrics_at = 0.0
        self._metrics_every = METRICS_EVERY_S
        self.is_leader = False
        self.last_error: str | None = None
        self._on_sqlite = is_sqlite(str(engine.url))
        # The last publish_pending stopped at its time limit with rows still pending.
        self._more_pending = False
        self._lock_key = zlib.crc32(f"baan-outbox-relay:{service}".encode())

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_producer()
        await self._release_leadership()

    def wake(self) -> None:
        """Publish now rather than at the next poll (called after a commit)."""
        self._wake.set()

    # --- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            try:
                if not await self._hold_leadership():
                    await asyncio.sleep(max(self.idle_seconds, 1.0))
                    continue
                await self.publish_pending()
                backoff = 0.2
                self.last_error = None
                if not self._more_pending:
                    await self._idle()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep rows, retry later
                self.last_error = f"{type(exc).__name__}: {exc}"
                OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                with contextlib.suppress(Exception):  # the age alert watches a stuck relay
                    await self._update_backlog_metrics()
                log.warning("outbox relay cannot publish yet", extra={"error": self.last_error})
                await self._close_producer()
                await self._release_leadership()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.idle_seconds)
        self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish the pending rows in position order until none is left; returns how many.

        Pipelined, as raw aiokafka is fed: each batch's rows are all handed to the
        producer (``send`` only queues a record; the producer packs each partition's
        records into few requests) and, while the broker acknowledges them, the next
        batch is read and handed on too (``IN_FLIGHT_BATCHES``). A batch is marked
        sent only after every one of its acks, in one UPDATE in the transaction that
        reads the batch after next; batches are marked in the order they were sent.
        A failed ack stops the run: that batch and every later one stay pending and go
        out again in the same order (at least once; consumers' inboxes skip what they
        already have). Rows are read as plain column tuples, not ORM objects: a
        committee's thousands of events pass through here.
        """
        in_flight: deque[tuple[list[int], asyncio.Future[Any]]] = deque()
        acked: list[int] = []
        published = 0
        more = True
        self._more_pending = False
        until = time.monotonic() + DRAIN_SECONDS
        try:
            while True:
                rows = await self._mark_and_read(
                    acked, [positions for positions, _ in in_flight] if more else None
                )
                if acked:
                    published += len(acked)
                    OUTBOX_PUBLISHED.labels(self.service).inc(len(acked))
                    acked = []
                if rows:
                    producer = await self._ensure_producer()
                    in_flight.append(
                        ([row.position for row in rows], await self._send(producer, rows))
                    )
                if more and len(rows) == self.batch_size and time.monotonic() >= until:
                    self._more_pending = True  # the rest in the loop's next turn
                more = len(rows) == self.batch_size and not self._more_pending
                if time.monotonic() - self._metrics_at > self._metrics_every:
                    # The gauges once a second at most: a committee's decision wakes the
                    # relay for every commit, and each count is a query (over a big
                    # backlog a slow one: then less often, see METRICS_COST_SHARE).
                    await self._update_backlog_metrics()
                if not in_flight:
                    return published
                if more and len(in_flight) < IN_FLIGHT_BATCHES:
                    continue  # read and send the next batch while these are acknowledged
                positions, acks = in_flight[0]
                try:
                    await acks
                except Exception:
                    await self._record_failure(positions)
                    raise
                in_flight.popleft()
                acked = positions
        finally:
            for _, acks in in_flight:  # after a failure: nothing of these is marked
                acks.add_done_callback(_retrieve)

    async def _mark_and_read(
        self, acked: list[int], in_flight: list[list[int]] | None
    ) -> list[Row[Any]]:
        """Mark the ``acked`` positions sent and, unless ``in_flight`` is None, read the
        next batch of pending rows, leaving out the batches in flight: one transaction.

        The rows in flight are left out by their positions, not by a range: a row that
        committed late with a lower position still goes out before any later row of its
        aggregate (whose transaction waited for its own)."""
        rows: list[Row[Any]] = []
        async with self.session_factory() as session:
            connection = await session.connection()
            if acked:
                await connection.execute(
                    _OUTBOX.update().where(self._positions_in(acked)).values(sent_at=utcnow())
                )
            if in_flight is not None:
                pending = [_OUTBOX.c.sent_at.is_(None)] + [
                    not_(self._positions_in(positions)) for positions in in_flight
                ]
                rows = list(
                    (
                        await connection.execute(
                            sa_select(*_COLUMNS)
                            .where(and_(*pending))
                            .order_by(*_IN_LINE)
                            .limit(self.batch_size)
                        )
                    ).all()
                )
            if acked:
                await session.commit()
        return rows

    def _positions_in(self, positions: list[int]) -> ColumnElement[bool]:
        if self._on_sqlite:
            return _POSITION.in_(positions)
        # One array parameter: an expanding IN renders one parameter per row.
        positions_array = bindparam(None, positions, type_=ARRAY(BigInteger()))
        return _POSITION == any_(positions_array)  # noqa: SIM300

    async def _send(self, producer: AIOKafkaProducer, rows: list[Row[Any]]) -> asyncio.Future[Any]:
        """Hand every row to the producer; the future of all their acks.

        A producer span per topic and writer's span in the batch, under the span that
        wrote the rows (the request), whose ``traceparent`` their headers carry on: a
        request's own event gets a span of its own as before, a committee's sheet of
        thousands of events a span per batch rather than per row (most of the relay's
        Python time per row). The span names its rows' event ids."""
        deliveries = []
        spans: dict[tuple[str, str | None], tuple[Span, str | None, list[str]]] = {}
        with contextlib.ExitStack() as stack:
            for row in rows:
                group = (row.topic, row.traceparent)
                opened = spans.get(group)
                if opened is None:
                    span = stack.enter_context(
                        child_span(
                            row.traceparent,
                            f"{row.topic} publish",
                            SpanKind.PRODUCER,
                            {
                                "messaging.system": "kafka",
                                "messaging.destination.name": row.topic,
                                "messaging.message.id": str(row.id),
                                "cloudevents.event_type": row.type,
                            },
                        )
                    )
                    opened = spans[group] = (span, traceparent_of(span) or row.traceparent, [])
                span, traceparent, ids = opened
                ids.append(str(row.id))
                key, value, headers = _kafka_record(row, traceparent)
                deliveries.append(
                    await producer.send(row.topic, value=value, key=key, headers=headers)
                )
            for span, _, ids in spans.values():
                if len(ids) > 1:
                    span.set_attribute("messaging.batch.message_count", len(ids))
                    span.set_attribute(MESSAGE_IDS, ids)
        return asyncio.gather(*deliveries)

    async def _record_failure(self, positions: list[int]) -> None:
        with contextlib.suppress(Exception):
            async with self.session_factory() as session:
                await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.position).in_(positions))
                    .values(attempts=OutboxMessage.attempts + 1, last_error=self.last_error)
                )
                await session.commit()

    async def _update_backlog_metrics(self) -> None:
        started = self._metrics_at = time.monotonic()
        pending, oldest = await self.backlog()
        self._metrics_at = time.monotonic()
        self._metrics_every = max(
            METRICS_EVERY_S, (self._metrics_at - started) * METRICS_COST_SHARE
        )
        OUTBOX_PENDING.labels(self.service).set(pending)
        OUTBOX_OLDEST_PENDING_SECONDS.labels(self.service).set(oldest)

    async def backlog(self) -> tuple[int, float]:
        """(pending rows, age in seconds of the oldest of the first rows in line).

        The age from the line's head through the index, not a ``min`` over every
        pending row: that read each of them from the table (and the count alone is a
        scan of the table once the backlog is a good part of it)."""
        pending = col(OutboxMessage.sent_at).is_(None)
        head = (
            sa_select(_OUTBOX.c.occurred_at)
            .where(pending)
            .order_by(*_IN_LINE)
            .limit(HEAD_ROWS)
            .subquery()
        )
        async with self.session_factory() as session:
            count = (await session.exec(select(func.count()).where(pending))).one()
            oldest = (await session.exec(sa_select(func.min(head.c.occurred_at)))).scalar()
        if not oldest:
            return int(count), 0.0
        if isinstance(oldest, str):  # SQLite hands back text for func.min
            oldest = datetime.fromisoformat(oldest)
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=utcnow().tzinfo)
        return int(count), max(0.0, (utcnow() - oldest).total_seconds())

    # --- producer and leadership --------------------------------------------------------

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = create_producer(
                self.bootstrap_servers, f"{self.service}-outbox-relay", self.security
            )
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=10)

    async def _hold_leadership(self) -> bool:
        if is_sqlite(str(self.engine.url)):
            self.is_leader = True
            return True
        if self._lock_connection is not None and not self._lock_connection.closed:
            # A dead lock connection means the lock is gone: another replica may lead now.
            if time.monotonic() - self._lock_checked_at > 5.0:
                await self._lock_connection.execute(text("SELECT 1"))
                await self._lock_connection.commit()
                self._lock_checked_at = time.monotonic()
            return True
        connection = await self.engine.connect()
        started = time.monotonic()
        acquired = (
            await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._lock_key}
            )
        ).scalar()
        await connection.commit()
        if acquired:
            self._lock_connection = connection
            self._lock_checked_at = time.monotonic()
            self.is_leader = True
            log.info("outbox relay is leader", extra={"took_s": time.monotonic() - started})
            return True
        await connection.close()
        self.is_leader = False
        return False

    async def _release_leadership(self) -> None:
        if self._lock_connection is not None:
            connection, self._lock_connection = self._lock_connection, None
            # Returning the connection to the pool would keep the session, and the
            # lock with it: unlock explicitly, then discard the connection itself.
            with contextlib.suppress(Exception):
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self._lock_key}
                )
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()
        self.is_leader = False

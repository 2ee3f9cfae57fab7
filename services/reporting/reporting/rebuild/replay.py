"""Replay every topic from the beginning into the shadow tables, then swap them in.

Two phases. Catching up: an own consumer group, partitions assigned by hand
and read from offset 0, each fetched batch applied by the live projectors in
one transaction into the shadow tables (inbox rows included; a batch that fails
falls back to the shared consumer's record handling: retries, dead letters),
until every partition reaches the end it had when we looked (looked again
until one pass finds little new). Swapping: one transaction takes the live
inbox lock, reads the ends again, applies what came in since on that same
connection, and swaps the tables; any error there rolls the whole
swap back and leaves the live tables as they were.
"""

import asyncio
import contextlib
import gc
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.bus.consumer import EventConsumer, header_type
from baan_shared.bus.security import KafkaSecurity, client_options
from baan_shared.collector import old_objects_frozen
from baan_shared.db import create_session_factory
from baan_shared.events import CloudEvent
from baan_shared.ids import new_id
from baan_shared.inbox.table import claim_new_events
from baan_shared.observability.metrics import CONSUMER_LAG
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import summaries
from reporting.rebuild import workers as shared_by
from reporting.rebuild.fold import FOLDED, HELD, Fold, FoldedEvent, decode
from reporting.rebuild.progress import RebuildProgress
from reporting.rebuild.shadow import Shadow, open_shadow

log = logging.getLogger(__name__)

REBUILD_CONSUMER = f"{SERVICE_NAME}-rebuild"
FETCH_RECORDS = 10_000
"""Records one fetch may hand the rebuild, over all partitions (the live consumer's 500
would split them into batches of a few hundred events, and every batch pays its
statements: inbox, lock, save, marks). Each partition's share is still bounded by the
consumer's fetch size per partition (1 MiB: about a thousand events)."""
SMALL_ENOUGH_TO_SWAP = 500
"""Catch up until one pass finds fewer new records than this, then swap: the
swap holds the live inbox lock while it applies them."""

# What an alert needs to tell a rebuild that stalls from one that is slow (served by
# ``python -m reporting.rebuild --metrics-port``; the chart's PodMonitor scrapes it).
REBUILD_RUNNING = Gauge("baan_rebuild_running", "1 while a reporting rebuild runs")
REBUILD_EVENTS = Counter("baan_rebuild_events_replayed_total", "Events a rebuild has replayed")
REBUILD_PROGRESS = Gauge(
    "baan_rebuild_last_progress_time_seconds",
    "When (unix seconds) the rebuild last applied events or moved to its next phase",
)

ApplyBatch = Callable[[list[ConsumerRecord[Any, Any]]], Awaitable[int | None]]
"""Applies a fetch's records; may answer how many were its own (a share's, ``workers``),
else every record counts as applied."""


class Progress(Protocol):
    """Who hears how far a drain has come (``RebuildProgress``, or a worker's report)."""

    @property
    def events_done(self) -> int: ...

    async def looked(self, events_total: int) -> None: ...

    async def applied(self, events: int) -> None: ...


@dataclass
class RebuildResult:
    group_id: str
    run_id: uuid.UUID | None = None
    """Its row in ``rebuild_runs`` (``GET /v1/rebuilds/{run_id}``)."""
    events_replayed: int = 0
    events_in_swap: int = 0
    seconds: float = 0.0
    ends: dict[str, int] = field(default_factory=dict)
    workers: int = 1
    """Processes the catch-up ran in (``workers``)."""
    peak_memory_bytes: int = 0
    """This process's peak resident memory, and each worker's."""
    catch_up_seconds: float = 0.0
    """Of ``seconds``, until every event was applied (then the indexes, the summaries'
    recompute and the swap)."""
    households_read_back: int = 0
    """Households the catch-up met again after they left its window (``fold``)."""


async def _open_consumer(
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    only: list[TopicPartition] | None = None,
) -> AIOKafkaConsumer:
    """A consumer of every subscribed topic's partitions (``only`` these, if given),
    each at its beginning."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id=REBUILD_CONSUMER,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=FETCH_RECORDS,
        **client_options(security),
    )
    await consumer.start()
    try:
        # partitions_for_topic only reads cached metadata; ask for these topics' first.
        await consumer._client.set_topics(SUBSCRIPTIONS.topics)
        partitions = [
            TopicPartition(topic, partition)
            for topic in SUBSCRIPTIONS.topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            raise RuntimeError(f"none of {SUBSCRIPTIONS.topics} exists on the broker")
        if only is not None:
            partitions = [tp for tp in partitions if tp in only]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
    except BaseException:
        await consumer.stop()
        raise
    return consumer


async def _drain(
    consumer: AIOKafkaConsumer,
    apply: ApplyBatch,
    *,
    concurrently: bool,
    together: bool = False,
    progress: "Progress | None" = None,
    ends: dict[TopicPartition, int] | None = None,
    commit: bool = True,
) -> int:
    """Apply records, a fetched batch per partition at a time (``together``: every
    partition's of a fetch in one call, the partitions read in step), until every
    partition reaches the end it has now (``ends``: these, and nothing past them);
    how many. ``progress`` hears how many there are to replay and each batch applied.
    ``commit``: the consumer's offsets too, as it goes."""
    fixed = ends is not None
    if ends is None:
        ends = await consumer.end_offsets(list(consumer.assignment()))
    starts = {tp: await consumer.position(tp) for tp in ends}
    if progress is not None:
        to_replay = 0
        for tp, end in ends.items():
            to_replay += max(0, end - await consumer.position(tp))
        await progress.looked(progress.events_done + to_replay)
    applied = 0
    while True:
        behind = {tp: end for tp, end in ends.items() if await consumer.position(tp) < end}
        for tp in ends:
            lag = max(0, ends[tp] - await consumer.position(tp))
            CONSUMER_LAG.labels(REBUILD_CONSUMER, tp.topic, str(tp.partition)).set(lag)
        if not behind:
            return applied
        asked = list(behind)
        if together:
            in_step = await _in_step(consumer, starts, behind)
            asked = [tp for tp in behind if tp in in_step]
        batches = {
            tp: records
            for tp, records in (await consumer.getmany(*asked, timeout_ms=500)).items()
            if records
        }
        if fixed:
            batches = _up_to(consumer, batches, ends)
        taken = sum(len(records) for records in batches.values())
        if together:
            if batches:
                own = await apply([record for records in batches.values() for record in records])
                taken = taken if own is None else own
        elif concurrently:
            # Each partition in its own transaction: while one waits on the database,
            # another's events are decoded and folded.
            await asyncio.gather(*(apply(records) for records in batches.values()))
        else:
            for records in batches.values():
                await apply(records)
        applied += taken
        if progress is not None:
            await progress.applied(taken)
        if batches:
            _replayed(taken)
            if commit:
                await consumer.commit(
                    {tp: records[-1].offset + 1 for tp, records in batches.items()}
                )


def _up_to(
    consumer: AIOKafkaConsumer,
    batches: dict[TopicPartition, list[ConsumerRecord[Any, Any]]],
    ends: dict[TopicPartition, int],
) -> dict[TopicPartition, list[ConsumerRecord[Any, Any]]]:
    """Each partition's records before its end; a partition that ran past it is set
    back there (a catch-up shared among processes stops each at the same ends)."""
    kept = {}
    for tp, records in batches.items():
        before = [record for record in records if record.offset < ends[tp]]
        if len(before) < len(records):
            consumer.seek(tp, ends[tp])
        if before:
            kept[tp] = before
    return kept


IN_STEP = 0.02
"""How far (a share of its records to replay) a partition may run ahead of the one
furthest behind while a catch-up folds households (``fold``)."""


async def _in_step(
    consumer: AIOKafkaConsumer, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
) -> set[TopicPartition]:
    """The partitions not ahead of the one furthest behind by more than ``IN_STEP``.

    A household's events are spread over three streams, written as its story went:
    read in step, each stream the same share of the way through, a household's events
    arrive close together, while the fold still holds it (read apart, the shortest
    stream runs ahead and its households have left the window when the others reach
    them)."""
    done = {
        tp: (await consumer.position(tp) - starts[tp]) / max(1, end - starts[tp])
        for tp, end in ends.items()
    }
    furthest_behind = min(done.values())
    return {tp for tp, share in done.items() if share <= furthest_behind + IN_STEP}


YOUNG_OBJECTS = 20_000
"""Allocations between the garbage collector's young passes while a replay catches up
(Python's default is 700: a fetched batch allocates tens of thousands of objects)."""


@contextlib.contextmanager
def collector_for_replay() -> Iterator[None]:
    """While a replay catches up, the garbage collector leaves alone what lived before
    (``old_objects_frozen``: its full passes scanned the whole process, its libraries
    and their caches, every few batches) and runs its young passes less often: together
    a quarter of a replay's Python time before, a tenth of that after (a profile of
    the batch path at 3,000 households). Undone at the end."""
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, *thresholds[1:])
    try:
        with old_objects_frozen():
            yield
    finally:
        gc.set_threshold(*thresholds)


def _replayed(events: int) -> None:
    REBUILD_EVENTS.inc(events)
    REBUILD_PROGRESS.set_to_current_time()


def _joined_sessions(conn: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # The session's commit leaves the outer transaction (the swap) open.
    return async_sessionmaker(
        bind=conn,
        class_=AsyncSession,
        expire_on_commit=False,
        join_transaction_mode="rollback_only",
    )


async def _apply_records(session: AsyncSession, records: list[Any]) -> None:
    """Apply records in ``session``'s transaction, each once (inbox), without committing."""
    events = []
    for record in records:
        event = CloudEvent.from_kafka(record.value, record.headers)
        if event.type in SUBSCRIPTIONS.handlers:
            events.append((event, record))
    fresh = await claim_new_events(session, consumer=SERVICE_NAME, events=events)
    assert SUBSCRIPTIONS.batch_handler is not None
    await SUBSCRIPTIONS.batch_handler(session, fresh)
    await session.flush()


async def _apply_in_swap(sessions: async_sessionmaker[AsyncSession], records: list[Any]) -> None:
    """Apply records inside the swap; any failure aborts the swap (run it again)."""
    async with sessions() as session:
        await _apply_records(session, records)


def _catch_up_applier(applier: EventConsumer) -> ApplyBatch:
    """Catching up applies a fetched batch in one transaction, set-based (the live
    consumer's way): the shadow tables are the rebuild's own, so nobody waits on its
    locks, and a few statements per batch instead of several per event is what makes
    a national replay take minutes, not days. A batch that fails is rolled back whole
    and applied again record by record the consumer's way (retries, then the
    dead-letter topic for a poison event)."""

    async def apply(records: list[Any]) -> None:
        if not await applier.apply_batch(records):
            log.warning("rebuild batch failed; applying its records one by one")
            for record in records:
                await applier.handle_record(record)

    return apply


def _fold_applier(
    applier: EventConsumer, fold: Fold, sessions: async_sessionmaker[AsyncSession]
) -> ApplyBatch:
    """Catching up with the households in memory (``fold``): a fetch's household, house
    and grant events folded in one transaction with their inbox rows. A partition that
    holds anything else, or a record that does not decode, goes the live consumer's way
    (``_catch_up_applier``), after the fold has written its households out when that
    partition's records may touch them."""
    live_way = _catch_up_applier(applier)
    listened = SUBSCRIPTIONS.handlers

    async def apply(records: list[Any]) -> None:
        partitions: dict[tuple[str, int], list[Any]] = {}
        for record in records:
            partitions.setdefault((record.topic, record.partition), []).append(record)
        folded: list[tuple[FoldedEvent, Any]] = []
        others: list[list[Any]] = []
        for partition in partitions.values():
            decoded = [decode(record, listened) for record in partition]
            if any(event is None for event in decoded):
                others.append(partition)
                continue
            folded += [
                (event, record)
                for event, record in zip(decoded, partition, strict=True)
                if isinstance(event, FoldedEvent)
            ]
        if folded:
            async with sessions() as session:
                await fold.apply(session, folded)
                await session.commit()
        for partition in others:
            if any(header_type(record) in FOLDED for record in partition):
                if fold.held:
                    async with sessions() as session:
                        await fold.write_out(session)
                        await session.commit()
                fold.others_wrote()
            await live_way(partition)

    return apply


MOST_WORKERS = 4
"""The most processes a catch-up is shared among by default (each holds its own
window, and reads every household record)."""


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
"""A container's CPU limit (cgroup v2): "<quota> <period>" in microseconds, or "max"."""


def default_workers() -> int:
    """As many catch-up processes as this process has cores, up to ``MOST_WORKERS``:
    on the 2-core benchmark machine two took the catch-up from 33 s to 24 s at
    100,000 households, three were slower than two (docs/performance.md)."""
    return max(1, min(MOST_WORKERS, usable_cores()))


def usable_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The cores this process may use: those it may run on, and no more than its
    container's CPU limit, rounded down (a pod limited to one CPU on a 16-core node
    has one)."""
    cores = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 limit to read
    return cores


async def rebuild(
    database_url: str,
    bootstrap_servers: str,
    *,
    group_id: str | None = None,
    security: KafkaSecurity | None = None,
    workers: int | None = None,
) -> RebuildResult:
    """Replay every subscribed topic into fresh tables and swap them in.

    ``security``: reporting's Kafka credentials (default: the environment's ``KAFKA_*``);
    its ACLs allow reading the streams in groups named ``reporting-rebuild-*``.
    ``workers``: processes to catch up in, a share of the households each (PostgreSQL;
    default ``default_workers()``; 1: this one alone)."""
    started = time.monotonic()
    result = RebuildResult(group_id=group_id or f"{REBUILD_CONSUMER}-{new_id().hex[:12]}")
    shadow: Shadow = open_shadow(database_url)
    REBUILD_RUNNING.set(1)
    REBUILD_PROGRESS.set_to_current_time()
    progress = await RebuildProgress.begin(database_url, result.group_id)
    result.run_id = progress.run.id
    failure: BaseException | None = None
    try:
        await shadow.prepare()
        # The shared consumer's record handling, driven by hand: inbox rows under the
        # service's own name (so the live consumer skips them after the swap), retries,
        # and poison events to the usual dead-letter topics.
        applier = EventConsumer(
            name=SERVICE_NAME,
            bootstrap_servers=bootstrap_servers,
            subscriptions=SUBSCRIPTIONS,
            session_factory=create_session_factory(shadow.engine),
            group_id=result.group_id,
            trace_each_event=False,
            security=security,
        )
        consumer = await _open_consumer(bootstrap_servers, result.group_id, security)
        try:
            if workers is None:
                workers = default_workers()
            shared = workers > 1 and not shadow.sqlite
            fold = Fold(held=HELD // workers if shared else HELD)
            shadow_sessions = create_session_factory(shadow.engine)
            catch_up = _fold_applier(applier, fold, shadow_sessions)
            # The summary rows are summed once from the replayed households, not kept
            # batch by batch; inside the swap the projectors keep them again.
            with summaries.deferred(), collector_for_replay():
                if shared:
                    result.workers = workers
                    ends = await consumer.end_offsets(list(consumer.assignment()))
                    async with shared_by.household_workers(
                        database_url,
                        bootstrap_servers,
                        result.group_id,
                        security,
                        ends,
                        workers,
                        progress,
                        on_applied=_replayed,
                    ) as others:
                        result.events_replayed += await _drain(
                            consumer,
                            others.watching(shared_by.share(catch_up, 0, workers)),
                            concurrently=False,
                            together=True,
                            progress=progress,
                            ends=ends,
                        )
                    result.events_replayed += others.applied
                    # What came in since: every household looked up (the workers wrote
                    # theirs out).
                    fold.others_wrote()
                while True:
                    applied = await _drain(
                        consumer, catch_up, concurrently=False, together=True, progress=progress
                    )
                    result.events_replayed += applied
                    log.info("rebuild caught up", extra={"events": result.events_replayed})
                    if applied < SMALL_ENOUGH_TO_SWAP:
                        break
                async with shadow_sessions() as session:
                    await fold.write_out(session)
                    await session.commit()
                result.households_read_back = fold.read_back
                result.catch_up_seconds = time.monotonic() - started
            await shadow.build_deferred_indexes(of_summaries=False)
            await shadow.recompute_summaries()
            await shadow.build_deferred_indexes(of_summaries=True)
            await shadow.analyze()
            REBUILD_PROGRESS.set_to_current_time()
            await progress.swapping()
            async with shadow.engine.connect() as conn:
                await shadow.lock_live_inbox(conn)
                sessions = _joined_sessions(conn)

                async def apply(records: list[Any]) -> None:
                    await _apply_in_swap(sessions, records)

                # One connection holds the swap's transaction: one batch at a time on it.
                result.events_in_swap = await _drain(consumer, apply, concurrently=False)
                await shadow.swap(conn)
                await conn.commit()
            ends = await consumer.end_offsets(list(consumer.assignment()))
            result.ends = {f"{tp.topic}:{tp.partition}": end for tp, end in ends.items()}
        finally:
            await applier.stop()
            await consumer.stop()
    except BaseException as error:
        failure = error
        raise
    finally:
        REBUILD_RUNNING.set(0)
        await shadow.discard()
        await progress.applied(result.events_in_swap)
        await progress.finish(failure)
        result.peak_memory_bytes = progress.run.peak_memory_bytes
    result.events_replayed += result.events_in_swap
    result.seconds = time.monotonic() - started
    return result

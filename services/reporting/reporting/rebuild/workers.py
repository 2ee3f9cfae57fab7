"""The catch-up split over processes, a share of the partitions each (PostgreSQL).

One process decodes, folds and binds every event of a national replay on one core
while the database works on the other. Here each worker process is a consumer of
its share of the partitions (in the rebuild's consumer group, assigned by hand)
with its own connections, and applies them to the shadow tables exactly as the
single process would (``replay._drain``: a fetched batch per partition in one
transaction, inbox rows included, a failing batch again record by record with
retries and dead letters), then commits its offsets and exits. The parent reports
their progress (events done, the total, the peak memory of each) and, once they
are all done, carries on from the offsets they committed: the last events, the
summaries and the swap, as before. Memory stays bounded: each worker holds one
fetch at a time, as the single process did.
"""

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue

from aiokafka import AIOKafkaConsumer, TopicPartition

from baan_shared.bus.consumer import EventConsumer
from baan_shared.bus.security import KafkaSecurity
from baan_shared.db import create_session_factory
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import summaries
from reporting.rebuild.progress import RebuildProgress, peak_memory_bytes

log = logging.getLogger(__name__)

Report = tuple[str, int, int]
"""(what, worker, n): ("total", i, events it has to replay when it last looked),
("applied", i, events), ("memory", i, peak bytes)."""


@dataclass
class _WorkerProgress:
    """What ``replay._drain`` tells its progress, sent to the parent."""

    worker: int
    reports: "Queue[Report]"
    events_done: int = 0

    async def looked(self, events_total: int) -> None:
        self.reports.put(("total", self.worker, events_total))
        self.reports.put(("memory", self.worker, peak_memory_bytes()))

    async def applied(self, events: int) -> None:
        self.events_done += events
        self.reports.put(("applied", self.worker, events))


def split(ends: dict[TopicPartition, int], workers: int) -> list[list[TopicPartition]]:
    """The partitions in ``workers`` shares of about as many records each (the
    largest first to the least loaded), none empty."""
    loads = [0] * workers
    shares: list[list[TopicPartition]] = [[] for _ in range(workers)]
    for tp, records in sorted(ends.items(), key=lambda item: (-item[1], item[0])):
        least = loads.index(min(loads))
        shares[least].append(tp)
        loads[least] += records
    return [share for share in shares if share]


def _work(
    worker: int,
    database_url: str,
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    partitions: list[tuple[str, int]],
    reports: "Queue[Report]",
) -> None:
    """A worker process's body."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(
        _catch_up(
            worker,
            database_url,
            bootstrap,
            group_id,
            security,
            [TopicPartition(topic, partition) for topic, partition in partitions],
            reports,
        )
    )


async def _catch_up(
    worker: int,
    database_url: str,
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    partitions: list[TopicPartition],
    reports: "Queue[Report]",
) -> None:
    from reporting.rebuild import replay  # the parent's module imports this one
    from reporting.rebuild.shadow import open_shadow

    shadow = open_shadow(database_url)
    applier = EventConsumer(
        name=SERVICE_NAME,
        bootstrap_servers=bootstrap,
        subscriptions=SUBSCRIPTIONS,
        session_factory=create_session_factory(shadow.engine),
        group_id=group_id,
        trace_each_event=False,
        security=security,
    )
    progress = _WorkerProgress(worker, reports)
    consumer = await replay._open_consumer(bootstrap, group_id, security, only=partitions)
    try:
        with summaries.deferred(), replay.collector_for_replay():
            while True:
                applied = await replay._drain(
                    consumer,
                    replay._catch_up_applier(applier),
                    concurrently=True,
                    progress=progress,
                )
                if applied < replay.SMALL_ENOUGH_TO_SWAP:
                    break
        reports.put(("memory", worker, peak_memory_bytes()))
    finally:
        await applier.stop()
        await consumer.stop()
        await shadow.base.dispose()


async def catch_up_in_workers(
    consumer: AIOKafkaConsumer,
    database_url: str,
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    progress: RebuildProgress,
    workers: int,
    on_applied: Callable[[int], None],
) -> int:
    """Replay ``consumer``'s partitions from the beginning in ``workers`` processes; then
    move ``consumer`` to where they stopped. How many events they applied."""
    ends = await consumer.end_offsets(list(consumer.assignment()))
    shares = split(ends, workers)
    context = multiprocessing.get_context("spawn")
    reports: Queue[Report] = context.Queue()
    processes: list[BaseProcess] = [
        context.Process(
            target=_work,
            name=f"reporting-rebuild-{i}",
            args=(
                i,
                database_url,
                bootstrap,
                group_id,
                security,
                [(tp.topic, tp.partition) for tp in share],
                reports,
            ),
            daemon=True,
        )
        for i, share in enumerate(shares)
    ]
    totals: dict[int, int] = {}
    done: dict[int, int] = {}
    memory: dict[int, int] = {}
    before = progress.run.events_done
    consumer.pause(*ends)  # its own fetches would wait, a buffer each, for nothing
    for process in processes:
        process.start()
    try:
        while True:
            finished = all(not process.is_alive() for process in processes)
            while not reports.empty():
                what, worker, n = reports.get()
                if what == "total":
                    totals[worker] = n
                    await progress.looked(before + sum(totals.values()))
                elif what == "applied":
                    done[worker] = done.get(worker, 0) + n
                    on_applied(n)
                    await progress.applied(n)
                else:
                    memory[worker] = max(n, memory.get(worker, 0))
                    progress.other_processes_memory = sum(memory.values())
            if finished:
                break
            await asyncio.sleep(0.2)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"rebuild worker processes failed: {failed}")
    for tp in ends:
        committed = await consumer.committed(tp)
        if committed is not None:
            consumer.seek(tp, committed)
    consumer.resume(*ends)
    return sum(done.values())

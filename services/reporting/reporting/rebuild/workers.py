"""The catch-up shared among processes by household (PostgreSQL).

One process decodes and folds every event of a national replay on one core, while
the database and the broker take little of the others. Here the households are
shared out instead: each event goes to the process of its household (``share_of``:
the household id in its data, hashed), so every event of a household, and every
redelivered copy of one, is folded by one process, in its order, with its own
window (``fold``) and its own inbox rows. The rebuild's own process folds share 0
and takes every other stream (budgets, loans, welfare, plans); each worker process
reads the household, house and grant streams up to the ends the rebuild looked at,
folds its share, writes its households out and exits. Every process reads every
record of those streams, but decodes only its own: the reading is the cheap part.

The rebuild then carries on alone from those ends (what came in since, the
summaries, the swap), looking every household up in the tables (the workers wrote
them). Memory stays bounded: each process holds a window of ``HELD / workers``
households.
"""

import asyncio
import logging
import multiprocessing
import re
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from aiokafka import TopicPartition

from baan_shared.bus.consumer import EventConsumer
from baan_shared.bus.security import KafkaSecurity
from baan_shared.db import create_session_factory
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import summaries
from reporting.rebuild.fold import FOLDED, HELD, Fold
from reporting.rebuild.progress import RebuildProgress, peak_memory_bytes

log = logging.getLogger(__name__)

FOLDED_TOPICS = frozenset(model.topic for model, _apply in FOLDED.values())
"""The streams whose events name a household (survey's households, construction's
houses, finance's grants): shared among the processes."""

_HOUSEHOLD_ID = re.compile(rb'"household_id"\s*:\s*"([0-9A-Fa-f-]{32,36})"')

Report = tuple[str, int, int]
"""(what, worker, n): ("applied", i, events), ("memory", i, peak bytes)."""


def share_of(record: Any, workers: int) -> int:
    """The process (0 to ``workers - 1``) that folds ``record``: its household's, found
    in its data's bytes without decoding them (any spelling of the id gives the same
    share); 0 for a record of another stream or one naming no household (then the
    rebuild's own process applies or dead-letters it)."""
    if record.topic not in FOLDED_TOPICS:
        return 0
    found = _HOUSEHOLD_ID.search(record.value or b"")
    if found is None:
        return 0
    return zlib.crc32(found[1].replace(b"-", b"").lower()) % workers


def share(apply: Callable[[list[Any]], Any], worker: int, workers: int) -> Any:
    """``apply`` given only ``worker``'s share of each fetch; answers how many that was
    (``replay._drain`` counts those as applied)."""

    async def apply_share(records: list[Any]) -> int:
        own = [record for record in records if share_of(record, workers) == worker]
        if own:
            await apply(own)
        return len(own)

    return apply_share


@dataclass
class _WorkerProgress:
    """What ``replay._drain`` tells a worker's progress, sent to the rebuild."""

    worker: int
    reports: "Queue[Report]"
    events_done: int = 0

    async def looked(self, events_total: int) -> None:
        # The rebuild counts the whole replay itself; a worker reads every record of
        # its streams, not only its share.
        self.reports.put(("memory", self.worker, peak_memory_bytes()))

    async def applied(self, events: int) -> None:
        self.events_done += events
        self.reports.put(("applied", self.worker, events))


def _work(
    worker: int,
    workers: int,
    database_url: str,
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    ends: list[tuple[str, int, int]],
    reports: "Queue[Report]",
) -> None:
    """A worker process's body."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(
        _fold_share(
            worker,
            workers,
            database_url,
            bootstrap,
            group_id,
            security,
            {TopicPartition(topic, partition): end for topic, partition, end in ends},
            reports,
        )
    )


async def _fold_share(
    worker: int,
    workers: int,
    database_url: str,
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    ends: dict[TopicPartition, int],
    reports: "Queue[Report]",
) -> None:
    from reporting.rebuild import replay  # the parent's module imports this one
    from reporting.rebuild.shadow import open_shadow

    shadow = open_shadow(database_url)
    sessions = create_session_factory(shadow.engine)
    applier = EventConsumer(
        name=SERVICE_NAME,
        bootstrap_servers=bootstrap,
        subscriptions=SUBSCRIPTIONS,
        session_factory=sessions,
        group_id=group_id,
        trace_each_event=False,
        security=security,
    )
    consumer = await replay._open_consumer(bootstrap, group_id, security, only=list(ends))
    fold = Fold(held=max(1, HELD // workers))
    try:
        with summaries.deferred(), replay.collector_for_replay():
            await replay._drain(
                consumer,
                share(replay._fold_applier(applier, fold, sessions), worker, workers),
                concurrently=False,
                together=True,
                progress=_WorkerProgress(worker, reports),
                ends=ends,
                commit=False,
            )
            async with sessions() as session:
                await fold.write_out(session)
                await session.commit()
        reports.put(("memory", worker, peak_memory_bytes()))
    finally:
        await applier.stop()
        await consumer.stop()
        await shadow.base.dispose()


@dataclass
class Workers:
    """The worker processes of a shared catch-up, as the rebuild hears them."""

    count: int
    applied: int = 0
    memory: dict[int, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    """The processes that exited with an error (the rebuild fails: no live table is
    touched)."""

    def raise_if_failed(self) -> None:
        if self.failed:
            raise RuntimeError(f"rebuild worker processes failed: {self.failed}")

    def watching(self, apply: Any) -> Any:
        """``apply`` that first stops the rebuild's own share when a worker has failed
        (its households would be missing: no use folding the rest for minutes)."""

        async def apply_watched(records: list[Any]) -> Any:
            self.raise_if_failed()
            return await apply(records)

        return apply_watched


@asynccontextmanager
async def household_workers(
    database_url: str,
    bootstrap: str,
    group_id: str,
    security: KafkaSecurity | None,
    ends: dict[TopicPartition, int],
    workers: int,
    progress: RebuildProgress,
    on_applied: Callable[[int], None],
) -> AsyncIterator[Workers]:
    """Worker processes 1 to ``workers - 1`` folding their shares of the households
    up to ``ends``, heard (their events applied, their memory) while the body folds
    share 0 (through ``Workers.watching``, which raises as soon as a worker has
    failed); on leaving, waits until every one is done (raises if one failed)."""
    context = multiprocessing.get_context("spawn")
    reports: Queue[Report] = context.Queue()
    folded_ends = [
        (tp.topic, tp.partition, end) for tp, end in ends.items() if tp.topic in FOLDED_TOPICS
    ]
    processes: list[BaseProcess] = [
        context.Process(
            target=_work,
            name=f"reporting-rebuild-{i}",
            args=(i, workers, database_url, bootstrap, group_id, security, folded_ends, reports),
            daemon=True,
        )
        for i in range(1, workers)
    ]
    heard = Workers(count=workers)

    async def hear() -> None:
        while not reports.empty():
            what, worker, n = reports.get()
            if what == "applied":
                heard.applied += n
                on_applied(n)
                await progress.applied(n)
            else:
                heard.memory[worker] = max(n, heard.memory.get(worker, 0))
                progress.other_processes_memory = sum(heard.memory.values())

    def failed() -> list[str]:
        return [p.name for p in processes if p.exitcode not in (None, 0)]

    async def listen() -> None:
        """Until every worker is done, or one failed."""
        while any(p.is_alive() for p in processes) and not failed():
            await hear()
            await asyncio.sleep(0.2)
        await hear()
        heard.failed = failed()

    for process in processes:
        process.start()
    listening = asyncio.create_task(listen())
    try:
        yield heard
        await listening
    finally:
        listening.cancel()
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    heard.failed = [p.name for p in processes if p.exitcode != 0]
    heard.raise_if_failed()

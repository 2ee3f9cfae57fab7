"""How far a rebuild has come: printed for whoever runs it, written for ops to poll.

Every few seconds the rebuild's progress (events done of the total, the rate, the
time left, the process's peak memory) is printed as one line on stderr, set on
its Prometheus gauges, and saved in the live database's ``rebuild_runs`` row that
``GET /v1/rebuilds`` serves. Nothing is written to the live database during the
swap (on SQLite it holds the database's write lock); the phase is saved before
and the end after.
"""

import asyncio
import logging
import resource
import sys
import time
from typing import Self

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

from baan_shared.clock import utcnow
from baan_shared.db import create_engine, create_session_factory
from reporting.rebuilds import repository
from reporting.rebuilds.models import RebuildRun

log = logging.getLogger(__name__)

EVERY_SECONDS = 2.0

REBUILD_EVENTS_TOTAL = Gauge(
    "baan_rebuild_events_to_replay", "Events in the streams when the rebuild last looked"
)
REBUILD_SECONDS_LEFT = Gauge(
    "baan_rebuild_seconds_left", "At the rebuild's rate so far, seconds to replay the rest"
)
REBUILD_PEAK_MEMORY = Gauge(
    "baan_rebuild_peak_memory_bytes", "The rebuild process's peak resident memory"
)


def peak_memory_bytes() -> int:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class RebuildProgress:
    def __init__(self, engine: AsyncEngine, run: RebuildRun) -> None:
        self._engine = engine
        self._sessions = create_session_factory(engine)
        self.run = run
        self._started = time.monotonic()
        self._last_report = 0.0
        self.other_processes_memory = 0
        self._saving = asyncio.Lock()
        """The peak memory of the worker processes (``workers``), each its own."""

    @classmethod
    async def begin(cls, database_url: str, group_id: str) -> Self:
        now = utcnow()
        run = RebuildRun(group_id=group_id, phase="catching_up", started_at=now, updated_at=now)
        progress = cls(create_engine(database_url), run)
        await progress._save()
        return progress

    @property
    def events_done(self) -> int:
        return self.run.events_done

    @property
    def events_per_second(self) -> float:
        elapsed = time.monotonic() - self._started
        return self.run.events_done / elapsed if elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        rate = self.events_per_second
        if not rate:
            return None
        return max(0, self.run.events_total - self.run.events_done) / rate

    def line(self) -> str:
        run = self.run
        percent = 100 * run.events_done / run.events_total if run.events_total else 0.0
        left = self.seconds_left
        return (
            f"rebuild {run.phase}: {run.events_done:,} of {run.events_total:,} events "
            f"({percent:.1f} %), {self.events_per_second:,.0f} events/s, "
            f"{'?' if left is None else f'{left:,.0f} s'} left, "
            f"peak memory {run.peak_memory_bytes / 2**20:,.0f} MiB"
        )

    async def looked(self, events_total: int) -> None:
        """The streams held ``events_total`` events when the rebuild last looked."""
        self.run.events_total = max(events_total, self.run.events_done)
        REBUILD_EVENTS_TOTAL.set(self.run.events_total)
        await self._report(force=True)

    async def applied(self, events: int) -> None:
        self.run.events_done += events
        self.run.events_total = max(self.run.events_total, self.run.events_done)
        await self._report()

    async def swapping(self) -> None:
        self.run.phase = "swapping"
        await self._report(force=True)

    async def finish(self, error: BaseException | None = None) -> None:
        self.run.phase = "failed" if error is not None else "done"
        self.run.error = None if error is None else f"{type(error).__name__}: {error}"[:2000]
        self.run.finished_at = utcnow()
        try:
            await self._report(force=True)
        finally:
            await self._engine.dispose()

    async def _report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_report < EVERY_SECONDS:
            return
        self._last_report = now
        self.run.peak_memory_bytes = peak_memory_bytes() + self.other_processes_memory
        REBUILD_PEAK_MEMORY.set(self.run.peak_memory_bytes)
        left = self.seconds_left
        REBUILD_SECONDS_LEFT.set(0 if left is None else left)
        print(self.line(), file=sys.stderr, flush=True)
        await self._save()

    async def _save(self) -> None:
        self.run.updated_at = utcnow()
        try:
            # The rebuild's drain and its workers' reports may both save.
            async with self._saving, self._sessions() as session:
                await repository.save(session, self.run)
        except Exception:
            # Progress is for people; the rebuild goes on without it.
            log.exception("could not save the rebuild's progress")

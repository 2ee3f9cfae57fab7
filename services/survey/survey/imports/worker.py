"""The import worker: runs queued import jobs one at a time inside the service process.

One at a time because an import is CPU-bound (validation per row) and the
service must keep answering while it runs. At start-up it first resumes or
fails the jobs a stopped process left behind (service.recover_interrupted).
"""

import asyncio
import contextlib
import logging

from baan_shared.db import SessionFactory
from survey.imports import repository, service

log = logging.getLogger(__name__)


class ImportWorker:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._wake = asyncio.Event()
        # Set once the jobs a stopped process left behind have been resumed or failed.
        self.recovered = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="survey-import-worker")

    def wake(self) -> None:
        """A job was queued (after its request committed)."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        async with self._session_factory() as session:
            resumed = await service.recover_interrupted(session)
        self.recovered.set()
        if resumed:
            log.info("resuming interrupted imports", extra={"imports": [str(i) for i in resumed]})
        while True:
            self._wake.clear()
            try:
                async with self._session_factory() as session:
                    job_id = await repository.next_queued(session)
                    if job_id is not None:
                        await service.run_job(session, job_id)
                        continue
            except Exception:
                # Logged and retried on the next wake: the worker must not die with one job.
                log.exception("import worker step failed")
            await self._wake.wait()

"""The import worker: claims queued import jobs and runs them one at a time, in every
replica of the service.

One at a time because an import is CPU-bound (validation per row) and the
service must keep answering while it runs. Any replica may run any job: the
upload is kept in the database, and a job is claimed with a lease
(``repository.claim_next``) that the worker renews while it runs. A replica that
crashes or is rescheduled stops renewing; once its lease expires another replica
(or the same one, started again) claims the job and resumes it after its last
committed row. A replica that stops cleanly hands its job back at once. Jobs are
found when an upload wakes the worker and by looking every ``poll_seconds``, for
jobs queued through another replica and leases that expired.
"""

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import timedelta
from pathlib import Path

from baan_shared.db import SessionFactory
from baan_shared.ids import new_id
from survey.imports import repository, service

log = logging.getLogger(__name__)


class ImportWorker:
    def __init__(
        self,
        session_factory: SessionFactory,
        spool_dir: Path,
        *,
        lease_seconds: float = 60.0,
        poll_seconds: float = 5.0,
    ) -> None:
        self._session_factory = session_factory
        self._spool_dir = spool_dir
        self._lease = timedelta(seconds=lease_seconds)
        self._poll_seconds = poll_seconds
        # Who holds a claim: the pod (host), the process and this worker.
        self.name = f"{socket.gethostname()}:{os.getpid()}:{new_id().hex[:8]}"
        self._wake = asyncio.Event()
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
        while True:
            self._wake.clear()
            try:
                async with self._session_factory() as session:
                    job_id = await repository.claim_next(session, self.name, self._lease)
                if job_id is not None:
                    await self._run_claimed(job_id)
                    continue
            except Exception:
                # Logged and retried on the next look: the worker must not die with one job.
                log.exception("import worker step failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    async def _run_claimed(self, job_id: uuid.UUID) -> None:
        run = asyncio.create_task(self._run_job(job_id), name=f"survey-import-{job_id}")
        lost = asyncio.Event()
        renewing = asyncio.create_task(self._keep_lease(job_id, run, lost))
        try:
            await run
        except asyncio.CancelledError:
            if not lost.is_set():
                # The worker stops (the service shuts down): hand the job back now.
                await self._release(job_id)
                raise
            log.warning("import job claimed by another worker; stopped here", extra=_ids(job_id))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _run_job(self, job_id: uuid.UUID) -> None:
        async with self._session_factory() as session:
            await service.run_job(session, job_id, self._spool_dir)

    async def _keep_lease(
        self, job_id: uuid.UUID, run: "asyncio.Task[None]", lost: asyncio.Event
    ) -> None:
        """Renew the claim at a third of the lease; stop the run if another worker took
        it (this one was cut off longer than the lease: both must not write)."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                async with self._session_factory() as session:
                    held = await repository.renew_lease(session, job_id, self.name, self._lease)
            except Exception:
                log.exception("could not renew an import job's lease", extra=_ids(job_id))
                continue
            if not held:
                lost.set()
                run.cancel()
                return

    async def _release(self, job_id: uuid.UUID) -> None:
        try:
            async with self._session_factory() as session:
                await repository.release(session, job_id, self.name)
        except Exception:
            log.exception("could not hand an import job back", extra=_ids(job_id))


def _ids(job_id: uuid.UUID) -> dict[str, str]:
    return {"import_id": str(job_id)}

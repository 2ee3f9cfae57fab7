"""Big uploads become import jobs run by the service's worker: progress, resume, no duplicates."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import func, select
from survey_auth import auth_settings_for, national_headers
from survey_factories import csv_bytes, interrupted_job, sheet_row

from baan_local.dev_issuer import DevIssuer
from survey.households.models import Household
from survey.imports.models import HouseholdImport, ImportStatus
from survey.main import create_app
from survey.settings import SurveySettings

Running = Callable[[], AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
def running(tmp_path: Path, issuer: DevIssuer) -> Running:
    """Start the service on one database, as many times as a test needs (a restart)."""

    @asynccontextmanager
    async def start() -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        settings = SurveySettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/survey.db",
            import_spool_dir=tmp_path / "imports",
            import_inline_max_bytes=0,  # every upload is a job
            create_topics=False,
            consumer_enabled=False,
            relay_enabled=False,
            log_json=False,
        )
        application = create_app(settings, auth_settings_for(issuer))
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://survey", headers=national_headers(issuer)
            ) as http:
                yield application, http

    return start


async def _finished(client: httpx.AsyncClient, import_id: str) -> dict[str, Any]:
    # Bounded: the worker runs in this event loop and needs only a few turns per batch.
    for _ in range(2_000):
        job = (await client.get(f"/v1/household-imports/{import_id}")).json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        await asyncio.sleep(0.01)
    raise AssertionError(f"import {import_id} never finished: {job}")


async def _households(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(Household))).one())


async def _upload(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    return await client.post(
        "/v1/household-imports",
        files={"file": ("survey.csv", content)},
        data={"imported_by": "อบต."},
    )


class TestImportJobs:
    async def test_a_big_upload_answers_202_and_the_job_reports_progress_and_errors(
        self, running: Running
    ) -> None:
        rows = [sheet_row() for _ in range(1_200)] + [sheet_row(**{"รหัสตำบล": "570199"})]
        async with running() as (app, client):
            response = await _upload(client, csv_bytes(rows))
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "queued"
            assert response.headers["location"] == f"/v1/household-imports/{response.json()['id']}"
            job = await _finished(client, response.json()["id"])
            assert job["status"] == "done"
            assert (job["rows_read"], job["rows_imported"], job["rows_invalid"]) == (1201, 1200, 1)
            assert job["resume_after_row"] == 1202
            # Progress: rows read of the rows the sheet holds, and the rate.
            assert (job["rows_read"], job["rows_total"]) == (1201, 1201)
            assert job["rows_per_second"] > 0
            assert job["seconds_left"] is None
            assert job["first_errors"][0]["column"] == "รหัสตำบล"
            errors = await client.get(f"/v1/household-imports/{job['id']}/errors")
            assert errors.status_code == 200
            assert await _households(app) == 1200
            spool_dir = Path(app.state.runtime.settings.import_spool_dir)
            assert await asyncio.to_thread(lambda: list(spool_dir.iterdir())) == []

    async def test_the_same_file_uploaded_twice_as_jobs_creates_no_duplicates(
        self, running: Running
    ) -> None:
        content = csv_bytes([sheet_row() for _ in range(30)])
        async with running() as (app, client):
            first = await _finished(client, (await _upload(client, content)).json()["id"])
            second = await _finished(client, (await _upload(client, content)).json()["id"])
            assert first["rows_imported"] == 30
            assert (second["rows_imported"], second["rows_already_present"]) == (0, 30)
            assert await _households(app) == 30

    async def test_a_refused_file_is_422_at_upload_and_no_job_is_made(
        self, running: Running
    ) -> None:
        async with running() as (app, client):
            response = await _upload(client, "ชื่อ\nสมศรี\n".encode("cp874"))
            assert response.status_code == 422
            async with app.state.runtime.session_factory() as session:
                jobs = (await session.exec(select(HouseholdImport))).all()
            assert jobs == []


class TestInterruptedJobs:
    async def test_a_job_cut_off_mid_file_resumes_after_its_last_committed_row(
        self, running: Running, tmp_path: Path
    ) -> None:
        rows = [sheet_row() for _ in range(6)]
        done_part, whole = csv_bytes(rows[:3]), csv_bytes(rows)
        async with running() as (app, client):
            # What a crash leaves: rows 2-4 committed by the job's first batches...
            await _finished(client, (await _upload(client, done_part)).json()["id"])
            spool = tmp_path / "imports" / "interrupted.csv"
            job_id = str(await interrupted_job(app, spool, whole, resume_after_row=4, rows_done=3))
        # ... and the service starting again.
        async with running() as (app, client):
            resumed = await _finished(client, job_id)
            assert resumed["status"] == "done"
            # Rows 2-4 were not read again as "already present": the job went on after row 4.
            assert (resumed["rows_read"], resumed["rows_imported"]) == (6, 6)
            assert resumed["rows_already_present"] == 0
            assert await _households(app) == 6
            assert not spool.exists()

    async def test_a_job_whose_file_is_gone_is_marked_failed_at_start_up(
        self, running: Running
    ) -> None:
        async with running() as (app, _):
            # As a stopped process leaves it: queued, its spooled file lost with the disk.
            await app.state.import_worker.stop()
            job = HouseholdImport(
                filename="survey.csv",
                file_format="csv",
                imported_by="อบต.",
                status=ImportStatus.QUEUED,
                spool_path="/nonexistent/survey.csv",
            )
            async with app.state.runtime.session_factory() as session:
                session.add(job)
                await session.commit()
            job_id = str(job.id)
        async with running() as (app, client):
            failed = await _finished(client, job_id)
            assert failed["status"] == "failed"
            assert "upload it again" in failed["failure_reason"]

    async def test_the_error_file_of_a_running_job_is_409(self, running: Running) -> None:
        async with running() as (app, client):
            # After start-up recovery, or it would fail this job as left behind by a crash.
            await asyncio.wait_for(app.state.import_worker.recovered.wait(), timeout=30)
            job = HouseholdImport(
                filename="survey.csv",
                file_format="csv",
                imported_by="อบต.",
                status=ImportStatus.RUNNING,
            )
            async with app.state.runtime.session_factory() as session:
                session.add(job)
                await session.commit()
            response = await client.get(f"/v1/household-imports/{job.id}/errors")
            assert response.status_code == 409
            assert response.json()["import_status"] == "running"

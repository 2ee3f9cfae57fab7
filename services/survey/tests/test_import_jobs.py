"""Big uploads become import jobs run by the service's worker: progress, resume, no duplicates."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import func, select
from survey_auth import auth_settings_for, national_headers
from survey_factories import csv_bytes, interrupted_job, job_left_behind, sheet_row

from baan_local.dev_issuer import DevIssuer
from baan_shared.clock import utcnow
from survey.households.models import Household
from survey.imports import repository
from survey.imports.models import HouseholdImport, HouseholdImportFile, ImportStatus
from survey.main import create_app
from survey.settings import SurveySettings

Running = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
def running(tmp_path: Path, issuer: DevIssuer) -> Running:
    """Start the service on one database, as many times as a test needs (a restart), or
    as several replicas at once (``replica`` names one: its own disk for the spool)."""

    @asynccontextmanager
    async def start(replica: str = "a") -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        settings = SurveySettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/survey.db",
            import_spool_dir=tmp_path / replica / "imports",
            import_inline_max_bytes=0,  # every upload is a job
            import_poll_seconds=0.05,
            import_lease_seconds=1.5,
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
            # The upload kept with the job, and the worker's copy of it, are gone.
            assert await _kept_parts(app) == 0
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
        self, running: Running
    ) -> None:
        rows = [sheet_row() for _ in range(6)]
        done_part, whole = csv_bytes(rows[:3]), csv_bytes(rows)
        async with running() as (app, client):
            # What a crash leaves: rows 2-4 committed by the job's first batches...
            await _finished(client, (await _upload(client, done_part)).json()["id"])
            job_id = str(await interrupted_job(app, whole, resume_after_row=4, rows_done=3))
        # ... and the service starting again.
        async with running() as (app, client):
            resumed = await _finished(client, job_id)
            assert resumed["status"] == "done"
            # Rows 2-4 were not read again as "already present": the job went on after row 4.
            assert (resumed["rows_read"], resumed["rows_imported"]) == (6, 6)
            assert resumed["rows_already_present"] == 0
            assert await _households(app) == 6
            assert await _kept_parts(app) == 0

    async def test_a_job_whose_file_is_gone_is_marked_failed(self, running: Running) -> None:
        async with running() as (app, _):
            # Queued by a version that spooled uploads on the pod's disk, lost with it.
            job_id = str(
                await job_left_behind(
                    app,
                    None,
                    imported_by="อบต.",
                    client_id="baan-national",
                    client_areas="*",
                    status=ImportStatus.QUEUED,
                )
            )
        async with running() as (app, client):
            failed = await _finished(client, job_id)
            assert failed["status"] == "failed"
            assert "upload it again" in failed["failure_reason"]

    async def test_the_error_file_of_a_running_job_is_409(self, running: Running) -> None:
        async with running() as (app, client):
            job = HouseholdImport(
                filename="survey.csv",
                file_format="csv",
                imported_by="อบต.",
                status=ImportStatus.RUNNING,
                # Another replica runs it, and holds its claim.
                claimed_by="survey-7d9f:1:abc",
                lease_until=utcnow() + timedelta(hours=1),
            )
            async with app.state.runtime.session_factory() as session:
                session.add(job)
                await session.commit()
            response = await client.get(f"/v1/household-imports/{job.id}/errors")
            assert response.status_code == 409
            assert response.json()["import_status"] == "running"


class TestReplicas:
    async def test_a_job_uploaded_through_one_replica_is_run_by_another(
        self, running: Running, tmp_path: Path
    ) -> None:
        content = csv_bytes([sheet_row() for _ in range(40)])
        async with running("a") as (app_a, client_a), running("b") as (app_b, _):
            # Replica a takes the upload but will never run a job (its worker stopped).
            await app_a.state.import_worker.stop()
            queued = await _upload(client_a, content)
            assert queued.status_code == 202, queued.text
            job = await _finished(client_a, queued.json()["id"])

            assert (job["status"], job["rows_imported"]) == ("done", 40)
            assert await _households(app_b) == 40
            async with app_b.state.runtime.session_factory() as session:
                ran = await session.get(HouseholdImport, uuid.UUID(job["id"]))
            assert ran is not None and ran.claimed_by == app_b.state.import_worker.name
            # Nothing was written to replica a's disk, and the kept upload is gone.
            assert not (tmp_path / "a" / "imports").exists()
            assert await _kept_parts(app_b) == 0

    async def test_a_job_another_replica_holds_is_left_to_it_until_its_claim_expires(
        self, running: Running
    ) -> None:
        whole = csv_bytes([sheet_row() for _ in range(5)])
        async with running("a") as (app, client):
            job_id = await job_left_behind(
                app,
                whole,
                imported_by="อบต.",
                client_id="baan-national",
                client_areas="*",
                status=ImportStatus.RUNNING,
                claimed_by="survey-other:1:live",
                lease_until=utcnow() + timedelta(hours=1),
            )
        async with running("b") as (app, client):
            # Replica b starts and looks for jobs (every 0.05 s) many times over...
            for _ in range(20):
                await asyncio.sleep(0.05)
            job = (await client.get(f"/v1/household-imports/{job_id}")).json()
            assert (job["status"], job["rows_read"]) == ("running", 0)
            assert await _households(app) == 0
            # ... until the other replica stops renewing its claim: then b resumes it.
            async with app.state.runtime.session_factory() as session:
                held = await session.get(HouseholdImport, job_id)
                assert held is not None
                held.lease_until = utcnow() - timedelta(seconds=1)
                session.add(held)
                await session.commit()
            done = await _finished(client, str(job_id))
            assert (done["status"], done["rows_imported"]) == ("done", 5)

    async def test_a_worker_that_stops_mid_job_hands_it_back_at_once(
        self, running: Running
    ) -> None:
        async with running("a") as (app, _):
            job_id = await job_left_behind(
                app, csv_bytes([sheet_row()]), imported_by="อบต.", status=ImportStatus.QUEUED
            )
            worker = app.state.import_worker
            async with app.state.runtime.session_factory() as session:
                assert await repository.claim_next(session, worker.name, timedelta(hours=1))
                await repository.release(session, job_id, worker.name)
                job = await session.get(HouseholdImport, job_id)
            assert job is not None
            assert (job.status, job.claimed_by, job.lease_until) == (
                ImportStatus.QUEUED,
                None,
                None,
            )


async def _kept_parts(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        query = select(func.count()).select_from(HouseholdImportFile)
        return int((await session.exec(query)).one())

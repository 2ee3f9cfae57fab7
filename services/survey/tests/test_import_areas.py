"""Imports and their jobs under partner access: a client imports only rows of its
areas (a sheet with any other row is refused whole), and reads only its own jobs."""

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import func, select
from survey_auth import ClientFor, auth_settings_for
from survey_factories import (
    CHIANG_RAI,
    csv_bytes,
    household_body,
    job_left_behind,
    sheet_row,
    xlsx_bytes,
)

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth.scopes import ADMIN, SURVEY_READ, SURVEY_WRITE
from survey.households.models import Household
from survey.imports.models import HouseholdImport, ImportStatus
from survey.main import create_app
from survey.settings import SurveySettings

BANGKOK_ROW = {"รหัสจังหวัด": "10", "รหัสอำเภอ": "1001", "รหัสตำบล": "100101"}
CHIANG_RAI_ROW = {"รหัสจังหวัด": "57", "รหัสอำเภอ": "5701", "รหัสตำบล": "570101"}
WRITER = (SURVEY_READ, SURVEY_WRITE)


def _bangkok_sheet_with_two_chiang_rai_rows() -> bytes:
    """Rows 2-3 and 5 in Bangkok, rows 4 and 6 in Chiang Rai."""
    return csv_bytes(
        [
            sheet_row(**BANGKOK_ROW),
            sheet_row(**BANGKOK_ROW),
            sheet_row(**CHIANG_RAI_ROW),
            sheet_row(**BANGKOK_ROW),
            sheet_row(**CHIANG_RAI_ROW),
        ]
    )


async def _upload(
    client: httpx.AsyncClient, content: bytes, name: str = "survey.csv", **form: str
) -> httpx.Response:
    return await client.post(
        "/v1/household-imports",
        files={"file": (name, content)},
        data={"imported_by": "สำนักงานเขต", **form},
    )


async def _households(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(Household))).one())


async def _jobs(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(HouseholdImport))).one())


class TestUploadNow:
    async def test_a_sheet_with_rows_of_another_province_is_refused_whole_naming_each_row(
        self, app: FastAPI, client_for: ClientFor
    ) -> None:
        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            response = await _upload(bangkok, _bangkok_sheet_with_two_chiang_rai_rows())

        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["rows_outside_areas"] == 2
        assert [
            (e["field"], e["row"], e["province_code"], e["district_code"], e["subdistrict_code"])
            for e in problem["errors"]
        ] == [
            ("body.file", 4, "57", "5701", "570101"),
            ("body.file", 6, "57", "5701", "570101"),
        ]
        assert problem["errors"][0]["column"] == "รหัสจังหวัด"
        assert "outside the client's areas" in problem["errors"][0]["reason"]
        assert await _households(app) == 0
        assert await _jobs(app) == 0

    async def test_a_sheet_all_of_another_province_lists_its_first_thousand_rows(
        self, app: FastAPI, client_for: ClientFor
    ) -> None:
        content = csv_bytes([sheet_row(**CHIANG_RAI_ROW) for _ in range(1_001)])
        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            response = await _upload(bangkok, content)

        assert response.status_code == 403, response.text
        assert response.json()["rows_outside_areas"] == 1_001
        rows = [e["row"] for e in response.json()["errors"]]
        assert rows == list(range(2, 1_002))
        assert await _households(app) == 0

    async def test_a_workbook_is_checked_too(self, app: FastAPI, client_for: ClientFor) -> None:
        content = xlsx_bytes([sheet_row(**BANGKOK_ROW), sheet_row(**CHIANG_RAI_ROW)])
        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            response = await _upload(bangkok, content, name="survey.xlsx")

        assert response.status_code == 403, response.text
        assert [e["row"] for e in response.json()["errors"]] == [3]
        assert await _households(app) == 0

    async def test_a_district_office_may_not_import_elsewhere_in_its_province(
        self, app: FastAPI, client_for: ClientFor
    ) -> None:
        elsewhere = {"รหัสจังหวัด": "10", "รหัสอำเภอ": "1002", "รหัสตำบล": "100201"}
        content = csv_bytes([sheet_row(**BANGKOK_ROW), sheet_row(**elsewhere)])
        async with client_for("phra-nakhon-office", WRITER, ["1001"]) as district:
            response = await _upload(district, content)

        assert response.status_code == 403, response.text
        assert [(e["row"], e["district_code"]) for e in response.json()["errors"]] == [(3, "1002")]
        assert await _households(app) == 0

    async def test_a_sheet_of_the_clients_own_province_imports_and_bad_codes_stay_row_errors(
        self, app: FastAPI, client_for: ClientFor
    ) -> None:
        # A mistyped code is no area at all: the row is reported invalid, as before.
        mistyped = BANGKOK_ROW | {"รหัสจังหวัด": "1O"}
        content = csv_bytes([sheet_row(**BANGKOK_ROW), sheet_row(**mistyped)])
        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            response = await _upload(bangkok, content)

        assert response.status_code == 201, response.text
        assert (response.json()["rows_imported"], response.json()["rows_invalid"]) == (1, 1)
        assert response.json()["client_id"] == "bangkok-office"
        assert await _households(app) == 1

    async def test_another_provinces_survey_round_is_refused_like_a_missing_one(
        self, app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        survey_round = await client.post(
            "/v1/survey-rounds",
            json={"subdistrict_code": "570101", "run_by": "อบต.", "started_on": "2026-11-01"},
        )
        assert survey_round.status_code == 201, survey_round.text
        content = csv_bytes([sheet_row(**BANGKOK_ROW)])
        theirs = survey_round.json()["id"]
        unknown = "0190f5d2-0000-7000-8000-000000000000"
        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            response = await _upload(bangkok, content, survey_round_id=theirs)
            missing = await _upload(bangkok, content, survey_round_id=unknown)

        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "body.survey_round_id"
        assert response.json()["errors"][0]["code"] == "unknown-reference"
        assert response.text.replace(theirs, "ID") == missing.text.replace(unknown, "ID")
        assert await _households(app) == 0

    async def test_another_provinces_registration_neither_blocks_nor_shows_through(
        self, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        their = household_body(**CHIANG_RAI)
        assert (await client.post("/v1/households", json=their)).status_code == 201
        # The same person surveyed again in Bangkok, where the office works.
        content = csv_bytes(
            [sheet_row(**BANGKOK_ROW, **{"เลขประจำตัวประชาชน": their["national_id"]})]
        )

        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            first = (await _upload(bangkok, content)).json()
            again = (await _upload(bangkok, content)).json()

        assert (first["rows_imported"], first["rows_already_present"]) == (1, 0)
        assert (again["rows_imported"], again["rows_already_present"]) == (0, 1)

    async def test_a_national_client_imports_every_province(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        response = await _upload(client, _bangkok_sheet_with_two_chiang_rai_rows())

        assert response.status_code == 201, response.text
        assert response.json()["rows_imported"] == 5


Started = Callable[[], AbstractAsyncContextManager[tuple[FastAPI, ClientFor]]]


@pytest.fixture
def as_jobs(tmp_path: Path, issuer: DevIssuer) -> Started:
    """Start the service with every upload a job, as many times as a test needs (a
    restart), and open clients of it with tokens for any client and areas."""

    @asynccontextmanager
    async def start() -> AsyncIterator[tuple[FastAPI, ClientFor]]:
        settings = SurveySettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/survey.db",
            import_spool_dir=tmp_path / "imports",
            import_inline_max_bytes=0,
            create_topics=False,
            consumer_enabled=False,
            relay_enabled=False,
            log_json=False,
        )
        application = create_app(settings, auth_settings_for(issuer))

        @asynccontextmanager
        async def open_client(
            client_id: str, scopes: Sequence[str], areas: Sequence[str]
        ) -> AsyncIterator[httpx.AsyncClient]:
            token = issuer.mint_token(client_id, scopes, areas)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application),
                base_url="http://survey",
                headers={"Authorization": f"Bearer {token}"},
            ) as http:
                yield http

        async with application.router.lifespan_context(application):
            yield application, open_client

    return start


async def _finished(client: httpx.AsyncClient, import_id: str) -> dict[str, Any]:
    # Bounded: the worker runs in this event loop and needs only a few turns per batch.
    for _ in range(2_000):
        job = (await client.get(f"/v1/household-imports/{import_id}")).json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        await asyncio.sleep(0.01)
    raise AssertionError(f"import {import_id} never finished: {job}")


class TestJobs:
    async def test_a_job_with_rows_of_another_province_fails_with_them_and_imports_nothing(
        self, as_jobs: Started
    ) -> None:
        async with (
            as_jobs() as (app, open_client),
            open_client("bangkok-office", WRITER, ["10"]) as bangkok,
        ):
            queued = await _upload(bangkok, _bangkok_sheet_with_two_chiang_rai_rows())
            assert queued.status_code == 202, queued.text
            job = await _finished(bangkok, queued.json()["id"])
            errors = await bangkok.get(f"/v1/household-imports/{job['id']}/errors")

            assert job["status"] == "failed"
            assert "2 rows lie outside the areas" in job["failure_reason"]
            assert (job["rows_imported"], job["rows_invalid"]) == (0, 2)
            assert [(e["row"], e["column"]) for e in job["first_errors"]] == [
                (4, "รหัสจังหวัด"),
                (6, "รหัสจังหวัด"),
            ]
            assert "570101" in job["first_errors"][0]["reason"]
            assert errors.status_code == 200
            lines = list(csv.DictReader(io.StringIO(errors.content.decode("utf-8-sig"))))
            assert [line["row"] for line in lines] == ["4", "6"]
            assert await _households(app) == 0

    async def test_a_job_of_the_clients_own_province_is_done(self, as_jobs: Started) -> None:
        async with (
            as_jobs() as (app, open_client),
            open_client("bangkok-office", WRITER, ["10"]) as bangkok,
        ):
            queued = await _upload(bangkok, csv_bytes([sheet_row(**BANGKOK_ROW)]))
            job = await _finished(bangkok, queued.json()["id"])

            assert (job["status"], job["rows_imported"]) == ("done", 1)
            assert await _households(app) == 1

    async def test_a_resumed_job_is_checked_against_its_uploaders_areas(
        self, as_jobs: Started
    ) -> None:
        async with as_jobs() as (app, _):
            # What a crash leaves: a Bangkok office's job, running, nothing committed yet.
            job_id = await job_left_behind(
                app,
                _bangkok_sheet_with_two_chiang_rai_rows(),
                imported_by="สำนักงานเขต",
                client_id="bangkok-office",
                client_areas="10",
                status=ImportStatus.RUNNING,
            )
        async with (
            as_jobs() as (app, open_client),
            open_client("bangkok-office", WRITER, ["10"]) as bangkok,
        ):
            resumed = await _finished(bangkok, str(job_id))

            assert resumed["status"] == "failed"
            assert [e["row"] for e in resumed["first_errors"]] == [4, 6]
            assert await _households(app) == 0

    async def test_a_job_left_without_its_uploader_fails_rather_than_import_unchecked(
        self, as_jobs: Started
    ) -> None:
        async with as_jobs() as (app, _):
            # Queued before jobs recorded their client: whose areas apply is unknown.
            job_id = await job_left_behind(
                app,
                csv_bytes([sheet_row(**CHIANG_RAI_ROW)]),
                imported_by="อบต.",
                status=ImportStatus.QUEUED,
            )
        async with (
            as_jobs() as (app, open_client),
            open_client("admin", [ADMIN, SURVEY_READ], []) as admin,
        ):
            failed = await _finished(admin, str(job_id))

            assert failed["status"] == "failed"
            assert "upload it again" in failed["failure_reason"]
            assert await _households(app) == 0


class TestWhoReadsAJob:
    async def test_a_client_reads_and_lists_only_its_own_jobs(
        self, app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        async with client_for("bangkok-office", WRITER, ["10"]) as bangkok:
            ours = await _upload(bangkok, csv_bytes([sheet_row(**BANGKOK_ROW)]))
        async with client_for("chiang-rai-office", WRITER, ["57"]) as chiang_rai:
            theirs = await _upload(chiang_rai, csv_bytes([sheet_row(**CHIANG_RAI_ROW)]))
        assert (ours.status_code, theirs.status_code) == (201, 201)
        ours_id, theirs_id = ours.json()["id"], theirs.json()["id"]

        async with client_for("bangkok-office", [SURVEY_READ], ["10"]) as bangkok:
            listed = await bangkok.get("/v1/household-imports")
            own = await bangkok.get(f"/v1/household-imports/{ours_id}")
            other = await bangkok.get(f"/v1/household-imports/{theirs_id}")
            other_errors = await bangkok.get(f"/v1/household-imports/{theirs_id}/errors")
        everyone = await client.get("/v1/household-imports")

        assert [j["id"] for j in listed.json()["items"]] == [ours_id]
        assert own.status_code == 200
        assert other.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"
        assert other_errors.status_code == 404
        # A national client (newest first) sees every client's jobs.
        assert [j["id"] for j in everyone.json()["items"]] == [theirs_id, ours_id]
        assert [j["client_id"] for j in everyone.json()["items"]] == [
            "chiang-rai-office",
            "bangkok-office",
        ]

    async def test_the_job_list_pages_and_filters_by_status(
        self, client: httpx.AsyncClient
    ) -> None:
        ids = []
        for _ in range(3):
            response = await _upload(client, csv_bytes([sheet_row()]))
            ids.append(response.json()["id"])

        first = (await client.get("/v1/household-imports", params={"limit": 2})).json()
        second = (
            await client.get(
                "/v1/household-imports", params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        failed = (await client.get("/v1/household-imports", params={"status": "failed"})).json()

        assert [j["id"] for j in first["items"] + second["items"]] == ids[::-1]
        assert second["next_cursor"] is None
        assert failed["items"] == []

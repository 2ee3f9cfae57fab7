"""The PostgreSQL import path (COPY of each batch) writes what the SQLite path writes:
households whole with members and transitions, one outbox event each, errors with values."""

import asyncio
import json
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import func, select
from survey_factories import csv_bytes, job_left_behind, national_id, sheet_row

from baan_shared.outbox import OutboxMessage
from survey.households.models import Household, HouseholdMember, HouseholdTransition
from survey.imports import repository
from survey.imports.models import HouseholdImport, ImportStatus

pytestmark = pytest.mark.postgres
MEMBER_HEADERS = ["เลขประจำตัวประชาชนหัวหน้าครัวเรือน", "อายุ", "เพศ", "พิการ", "โรคเรื้อรัง"]


async def _count(app: FastAPI, model: type) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_a_sheet_with_members_in_a_round_writes_each_household_whole_on_postgresql(
    pg_app: FastAPI, pg_client: httpx.AsyncClient
) -> None:
    survey_round = (
        await pg_client.post(
            "/v1/survey-rounds",
            json={"subdistrict_code": "570101", "run_by": "x", "started_on": "2026-11-01"},
        )
    ).json()
    heads = [national_id(9100 + n) for n in range(6_000)]  # more than one batch
    rows = [sheet_row(**{"เลขประจำตัวประชาชน": head}) for head in heads]
    rows.append(sheet_row(**{"รายได้ต่อเดือน (บาท)": "-500", "จำนวนสมาชิก": "0"}))
    members = csv_bytes(
        [
            [heads[0], 70, "หญิง", "", "ใช่"],
            [heads[0], 3, "ชาย", "", ""],
            [heads[1], 40, "ชาย", "", ""],
        ],
        header=MEMBER_HEADERS,
    )
    response = await pg_client.post(
        "/v1/household-imports",
        files={"file": ("s.csv", csv_bytes(rows)), "members_file": ("m.csv", members)},
        data={"imported_by": "อบต.", "survey_round_id": survey_round["id"]},
    )
    assert response.status_code == 201, response.text
    summary = response.json()
    assert (summary["rows_imported"], summary["members_imported"]) == (6_000, 3)
    assert (summary["rows_invalid"], summary["problems_found"]) == (1, 2)
    assert [e["value"] for e in summary["first_errors"]] == ["0", "-500"]

    assert await _count(pg_app, Household) == 6_000
    assert await _count(pg_app, HouseholdTransition) == 6_000
    assert await _count(pg_app, HouseholdMember) == 3
    async with pg_app.state.runtime.session_factory() as session:
        events = (await session.exec(select(OutboxMessage))).all()
        households = {h.id: h for h in (await session.exec(select(Household))).all()}
    assert len(events) == 6_000
    assert {e.type for e in events} == {"household.surveyed"}
    assert {e.aggregateid for e in events} == {str(i) for i in households}
    payload = json.loads(events[0].payload)
    household = households[next(i for i in households if str(i) == events[0].aggregateid)]
    assert payload["household_size"] == household.household_size
    assert payload["community_id"] is None
    assert household.survey_round_id is not None
    assert str(household.survey_round_id) == survey_round["id"]

    again = (
        await pg_client.post(
            "/v1/household-imports",
            files={"file": ("s.csv", csv_bytes(rows)), "members_file": ("m.csv", members)},
            data={"imported_by": "อบต.", "survey_round_id": survey_round["id"]},
        )
    ).json()
    assert (again["rows_imported"], again["rows_already_present"]) == (0, 6_000)
    assert await _count(pg_app, OutboxMessage) == 6_000


async def test_replicas_claiming_at_once_take_each_queued_job_once(pg_app: FastAPI) -> None:
    """Four workers (as on four replicas) claim from eight queued jobs together, each
    until none is left: every job is claimed by exactly one of them."""
    queued = {
        await job_left_behind(
            pg_app, csv_bytes([sheet_row()]), imported_by="อบต.", status=ImportStatus.QUEUED
        )
        for _ in range(8)
    }

    async def worker(name: str) -> list[uuid.UUID]:
        taken: list[uuid.UUID] = []
        while True:
            async with pg_app.state.runtime.session_factory() as session:
                job_id = await repository.claim_next(session, name, timedelta(minutes=5))
            if job_id is None:
                return taken
            taken.append(job_id)

    names = [f"replica-{n}" for n in range(4)]
    claims = dict(zip(names, await asyncio.gather(*map(worker, names)), strict=True))
    every = [job_id for taken in claims.values() for job_id in taken]
    assert sorted(every) == sorted(queued)
    async with pg_app.state.runtime.session_factory() as session:
        jobs = (await session.exec(select(HouseholdImport))).all()
    # Each running under the claim of the worker that took it.
    assert {(job.id, job.status, job.claimed_by) for job in jobs} == {
        (job_id, ImportStatus.RUNNING, name) for name, taken in claims.items() for job_id in taken
    }

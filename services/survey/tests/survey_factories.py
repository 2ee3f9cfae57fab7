"""Builders for valid survey input; tests override only what they are about."""

import csv
import io
import itertools
from typing import Any

import httpx
import xlsxwriter
from stdnum.th import pin

_serial = itertools.count(1)


def national_id(seed: int | None = None) -> str:
    base = f"{1_1017_00000_00 + (seed if seed is not None else next(_serial)):012d}"
    return base + pin.calc_check_digit(base)


def household_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "BAAN_PHO_PHIANG",
        "head_name": "นางสมศรี ใจดี",
        "national_id": national_id(),
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": "570101",
        "village": "หมู่ 3 บ้านสันทราย",
        "household_size": 4,
        "monthly_income_satang": 450_000,
        "need": "repair",
        "estimated_cost_satang": 2_000_000,
    }
    body.update(overrides)
    return body


THAI_HEADERS = [
    "โครงการ",
    "ชื่อหัวหน้าครัวเรือน",
    "เลขประจำตัวประชาชน",
    "รหัสจังหวัด",
    "รหัสอำเภอ",
    "รหัสตำบล",
    "หมู่บ้าน",
    "จำนวนสมาชิก",
    "รายได้ต่อเดือน (บาท)",
    "ความต้องการ",
    "ค่าใช้จ่ายประมาณการ (บาท)",
    "สภาพบ้าน",
]


def sheet_row(**overrides: Any) -> list[Any]:
    """One survey-sheet row under THAI_HEADERS, valid unless overridden."""
    row: dict[str, Any] = {
        "โครงการ": "บ้านพอเพียงชนบท",
        "ชื่อหัวหน้าครัวเรือน": f"นายทดสอบ แถว{next(_serial)}",
        "เลขประจำตัวประชาชน": national_id(),
        "รหัสจังหวัด": "57",
        "รหัสอำเภอ": "5701",
        "รหัสตำบล": "570101",
        "หมู่บ้าน": "หมู่ 3",
        "จำนวนสมาชิก": 4,
        "รายได้ต่อเดือน (บาท)": "4,500.50",
        "ความต้องการ": "ซ่อมแซม",
        "ค่าใช้จ่ายประมาณการ (บาท)": 20000,
        "สภาพบ้าน": "ชำรุดทรุดโทรม",
    }
    row.update(overrides)
    return [row[h] for h in THAI_HEADERS]


def csv_bytes(rows: list[list[Any]], header: list[str] = THAI_HEADERS) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], header: list[str] = THAI_HEADERS) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, header)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


async def seed_varied_households(client: httpx.AsyncClient) -> None:
    # Repeated incomes, names and costs, so ties must be broken by id for paging to hold.
    for n in range(9):
        body = household_body(
            head_name=["นายก ใจดี", "นางข ใจงาม", "นายค ศรีสุข"][n % 3],
            monthly_income_satang=[0, 300_000, 900_000][n % 3] + (n // 3) * 100_000 * (n % 2),
            estimated_cost_satang=1_000_000 * (n % 4),
            household_size=1 + n % 5,
            house_condition=["must_rebuild", "sound", None][n % 3],
            members=[{"age": 70, "sex": "female"}] if n % 2 else [],
        )
        response = await client.post("/v1/households", json=body)
        assert response.status_code == 201, response.text


async def all_pages(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/v1/households", params=query)
        assert response.status_code == 200, response.text
        seen += response.json()["items"]
        if (cursor := response.json()["next_cursor"]) is None:
            return seen


BANGKOK = {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101"}
CHIANG_RAI = {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"}


async def seed_area(client: httpx.AsyncClient, area: dict[str, str]) -> dict[str, Any]:
    """A community, a survey round and an approved household in the area."""
    community = await client.post(
        "/v1/communities",
        json={"name": "ชุมชน", "kind": "community", "subdistrict_code": area["subdistrict_code"]},
    )
    assert community.status_code == 201, community.text
    survey_round = await client.post(
        "/v1/survey-rounds",
        json={
            "subdistrict_code": area["subdistrict_code"],
            "run_by": "surveyors",
            "started_on": "2026-11-01",
        },
    )
    assert survey_round.status_code == 201, survey_round.text
    household = await client.post("/v1/households", json=household_body(**area))
    assert household.status_code == 201, household.text
    household_id = household.json()["id"]
    for step in ("screen", "approve"):
        decided = await client.post(
            f"/v1/households/{household_id}/{step}", json={"decided_by": "committee"}
        )
        assert decided.status_code == 200, decided.text
    return {
        "household": household_id,
        "community": community.json()["id"],
        "survey_round": survey_round.json()["id"],
    }


async def job_left_behind(app: Any, sheet: bytes | None, **fields: Any) -> Any:
    """A job as a stopped replica leaves it, for the next worker to claim: the app's
    worker stopped, the job stored with ``fields`` (``status`` among them) and, unless
    ``sheet`` is None, its upload kept in the database. Returns the job's id."""
    from survey.imports import repository
    from survey.imports.models import HouseholdImport
    from survey.imports.run import HOUSEHOLDS_SHEET

    await app.state.import_worker.stop()
    async with app.state.runtime.session_factory() as session:
        job = HouseholdImport(filename="survey.csv", file_format="csv", **fields)
        session.add(job)
        await session.flush()
        if sheet is not None:
            await repository.keep_upload(session, job.id, HOUSEHOLDS_SHEET, io.BytesIO(sheet))
        await session.commit()
        return job.id


async def interrupted_job(app: Any, sheet: bytes, *, resume_after_row: int, rows_done: int) -> Any:
    """What a crash mid-job leaves, for the next start of the service to resume: the
    whole sheet kept with a national client's job ``running`` (its worker gone, no
    lease), its first ``rows_done`` rows committed up to sheet row ``resume_after_row``
    (the test imports those rows first). Returns the job's id."""
    from survey.imports.models import ImportStatus

    return await job_left_behind(
        app,
        sheet,
        imported_by="อบต.",
        client_id="baan-national",
        client_areas="*",
        status=ImportStatus.RUNNING,
        resume_after_row=resume_after_row,
        rows_read=rows_done,
        rows_imported=rows_done,
    )

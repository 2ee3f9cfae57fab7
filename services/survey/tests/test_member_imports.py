"""Members imported with their households: a members sheet in the workbook, or a members file."""

import csv
import io
from typing import Any

import httpx
import xlsxwriter
from fastapi import FastAPI
from sqlmodel import func, select
from survey_factories import THAI_HEADERS, csv_bytes, national_id, sheet_row

from survey.households.models import Household, HouseholdMember

MEMBER_HEADERS = ["เลขประจำตัวประชาชนหัวหน้าครัวเรือน", "อายุ", "เพศ", "พิการ", "โรคเรื้อรัง"]


def _workbook(households: list[list[Any]], members: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, header, rows in (
        ("ครัวเรือน", THAI_HEADERS, households),
        ("สมาชิก", MEMBER_HEADERS, members),
    ):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                sheet.write_string(index, column, str(value))
    workbook.close()
    return buffer.getvalue()


async def _upload(client: httpx.AsyncClient, files: dict[str, Any]) -> httpx.Response:
    return await client.post("/v1/household-imports", files=files, data={"imported_by": "อบต."})


async def _count(app: FastAPI, model: type) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


def _errors(content: bytes) -> list[tuple[str, str, str]]:
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return [(r["sheet"], r["row"], r["column"]) for r in rows]


class TestMembersSheet:
    async def test_a_workbooks_members_sheet_imports_each_household_whole(
        self, client: httpx.AsyncClient
    ) -> None:
        first, second = national_id(8001), national_id(8002)
        content = _workbook(
            [sheet_row(**{"เลขประจำตัวประชาชน": n}) for n in (first, second)],
            [
                [first, 72, "หญิง", "ไม่ใช่", "มี"],
                [first, 4, "ชาย", "", ""],
                [second, 35, "หญิง", "ใช่", "ไม่มี"],
            ],
        )
        response = await _upload(client, {"file": ("survey.xlsx", content)})
        assert response.status_code == 201, response.text
        assert (response.json()["rows_imported"], response.json()["members_imported"]) == (2, 3)
        listed = (await client.get("/v1/households", params={"sort": "created_at"})).json()
        details = [(await client.get(f"/v1/households/{h['id']}")).json() for h in listed["items"]]
        members = {d["national_id"][-4:]: d["members"] for d in details}
        assert [(m["age"], m["sex"], m["chronic_illness"]) for m in members[first[-4:]]] == [
            (72, "female", True),
            (4, "male", False),
        ]
        assert members[second[-4:]][0]["disability"] is True

    async def test_a_bad_member_row_holds_back_its_household_until_fixed_and_reuploaded(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        good, held = national_id(8011), national_id(8012)
        households = [sheet_row(**{"เลขประจำตัวประชาชน": n}) for n in (good, held)]
        bad = _workbook(households, [[good, 30, "ชาย", "", ""], [held, 200, "หญิง", "", ""]])
        first = (await _upload(client, {"file": ("s.xlsx", bad)})).json()
        assert (first["rows_imported"], first["rows_invalid"], first["members_invalid"]) == (
            1,
            1,
            1,
        )
        errors = await client.get(f"/v1/household-imports/{first['id']}/errors")
        assert _errors(errors.content) == [("households", "3", "members"), ("members", "3", "อายุ")]
        fixed = _workbook(households, [[good, 30, "ชาย", "", ""], [held, 20, "หญิง", "", ""]])
        second = (await _upload(client, {"file": ("s.xlsx", fixed)})).json()
        assert (second["rows_imported"], second["rows_already_present"]) == (1, 1)
        assert second["members_imported"] == 1
        third = (await _upload(client, {"file": ("s.xlsx", fixed)})).json()
        assert (third["rows_imported"], third["members_imported"]) == (0, 0)
        assert await _count(app, Household) == 2
        assert await _count(app, HouseholdMember) == 2

    async def test_more_members_than_the_household_size_refuses_the_household(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        head = national_id(8021)
        content = _workbook(
            [sheet_row(**{"เลขประจำตัวประชาชน": head, "จำนวนสมาชิก": 1})],
            [[head, 30, "ชาย", "", ""], [head, 28, "หญิง", "", ""]],
        )
        summary = (await _upload(client, {"file": ("s.xlsx", content)})).json()
        assert (summary["rows_imported"], summary["rows_invalid"]) == (0, 1)
        errors = await client.get(f"/v1/household-imports/{summary['id']}/errors")
        assert _errors(errors.content) == [("households", "2", "members")]
        assert await _count(app, HouseholdMember) == 0


class TestMembersFile:
    async def test_a_members_csv_beside_the_survey_csv(self, client: httpx.AsyncClient) -> None:
        head, stranger = national_id(8031), national_id(8032)
        members = csv_bytes(
            [[head, 66, "หญิง", "", "ใช่"], [stranger, 10, "ชาย", "", ""]], header=MEMBER_HEADERS
        )
        response = await _upload(
            client,
            {
                "file": ("survey.csv", csv_bytes([sheet_row(**{"เลขประจำตัวประชาชน": head})])),
                "members_file": ("members.csv", members),
            },
        )
        assert response.status_code == 201, response.text
        summary = response.json()
        assert (summary["members_imported"], summary["members_invalid"]) == (1, 1)
        errors = await client.get(f"/v1/household-imports/{summary['id']}/errors")
        assert _errors(errors.content) == [("members", "3", "เลขประจำตัวประชาชนหัวหน้าครัวเรือน")]

    async def test_a_members_file_not_in_utf8_is_refused_and_nothing_changes(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        members = "\n".join([",".join(MEMBER_HEADERS), "1,30,ชาย,,"]).encode("cp874")
        response = await _upload(
            client,
            {
                "file": ("survey.csv", csv_bytes([sheet_row()])),
                "members_file": ("members.csv", members),
            },
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "UTF-8" in response.json()["detail"]
        assert await _count(app, Household) == 0

    async def test_a_members_file_without_an_age_column_is_refused(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        members = csv_bytes([[national_id(8041), "ชาย"]], header=["เลขประจำตัวประชาชน", "เพศ"])
        response = await _upload(
            client,
            {
                "file": ("survey.csv", csv_bytes([sheet_row()])),
                "members_file": ("members.csv", members),
            },
        )
        assert response.status_code == 422
        assert "age" in response.json()["detail"]
        assert await _count(app, Household) == 0

"""Bulk import of survey sheets and list export, through the HTTP API."""

import csv
import io

import httpx
import python_calamine
from fastapi import FastAPI
from sqlmodel import func, select
from survey_factories import THAI_HEADERS, csv_bytes, household_body, sheet_row, xlsx_bytes

from baan_shared.auth import mask_national_id
from baan_shared.outbox import OutboxMessage
from baan_testkit.outbox import outbox_rows
from survey.households.models import Household


async def _upload(
    client: httpx.AsyncClient, name: str, content: bytes, **form: str
) -> httpx.Response:
    return await client.post(
        "/v1/household-imports",
        files={"file": (name, content)},
        data={"imported_by": "อบต.เวียง", **form},
    )


async def _count(app: FastAPI, model: type) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


def _errors_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


class TestImport:
    async def test_thai_csv_imports_valid_rows_and_reports_the_rest(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        rows = [
            sheet_row(),
            sheet_row(**{"เลขประจำตัวประชาชน": "1101700000000"}),  # bad check digit
            sheet_row(**{"รหัสตำบล": "570199"}),  # no such sub-district
            sheet_row(**{"รายได้ต่อเดือน (บาท)": "สี่พัน"}),
            sheet_row(),
        ]
        response = await _upload(client, "survey.csv", csv_bytes(rows))
        assert response.status_code == 201, response.text
        summary = response.json()
        assert (summary["rows_read"], summary["rows_imported"], summary["rows_invalid"]) == (
            5,
            2,
            3,
        )
        errors = await client.get(f"/v1/household-imports/{summary['id']}/errors")
        assert errors.headers["content-disposition"].endswith('errors.csv"')
        report = _errors_csv(errors.content)
        assert [(e["row"], e["column"]) for e in report] == [
            ("3", "เลขประจำตัวประชาชน"),
            ("4", "รหัสตำบล"),
            ("5", "รายได้ต่อเดือน (บาท)"),
        ]
        assert "570199" in report[1]["reason"]
        listed = (await client.get("/v1/households")).json()["items"]
        assert len(listed) == 2
        assert listed[0]["monthly_income_satang"] == 450_050
        assert listed[0]["house_condition"] == "dilapidated"
        assert listed[0]["need"] == "repair"
        assert await _count(app, OutboxMessage) == 2

    async def test_the_same_file_twice_creates_no_duplicates(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        survey_round = (
            await client.post(
                "/v1/survey-rounds",
                json={"subdistrict_code": "570101", "run_by": "x", "started_on": "2026-11-01"},
            )
        ).json()
        content = xlsx_bytes([sheet_row() for _ in range(3)])
        first = await _upload(client, "s.xlsx", content, survey_round_id=survey_round["id"])
        second = await _upload(client, "s.xlsx", content, survey_round_id=survey_round["id"])
        assert first.json()["rows_imported"] == 3
        assert (second.json()["rows_imported"], second.json()["rows_already_present"]) == (0, 3)
        assert await _count(app, Household) == 3
        assert (await client.get(f"/v1/survey-rounds/{survey_round['id']}")).json()[
            "households_counted"
        ] == 3

    async def test_xlsx_with_numeric_national_ids_and_codes_imports(
        self, client: httpx.AsyncClient
    ) -> None:
        row = sheet_row(**{"รหัสจังหวัด": 57, "รหัสอำเภอ": 5701, "รหัสตำบล": 570101})
        row[2] = int(row[2])  # national ID typed as a number in Excel
        response = await _upload(client, "s.xlsx", xlsx_bytes([row]))
        assert response.json()["rows_imported"] == 1, response.text

    async def test_a_national_id_repeated_in_the_file_is_reported(
        self, client: httpx.AsyncClient
    ) -> None:
        row = sheet_row()
        response = await _upload(client, "s.csv", csv_bytes([row, row]))
        summary = response.json()
        assert (summary["rows_imported"], summary["rows_invalid"]) == (1, 1)
        error = summary["first_errors"][0]
        assert error["value"] == row[2]
        assert error["reason"] == f"{row[2]}: the same national ID is on row 2"
        assert error["reason_th"] == f"{row[2]}: เลขประจำตัวประชาชนเดียวกันอยู่ในแถว 2"

    async def test_errors_download_as_xlsx(self, client: httpx.AsyncClient) -> None:
        summary = (
            await _upload(client, "s.csv", csv_bytes([sheet_row(**{"จำนวนสมาชิก": 0})]))
        ).json()
        errors = await client.get(
            f"/v1/household-imports/{summary['id']}/errors", params={"format": "xlsx"}
        )
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(errors.content))
        rows = workbook.get_sheet_by_index(0).to_python()
        assert rows[0] == ["row", "column", "reason", "sheet", "value", "reason_th"]
        assert rows[1][1] == "จำนวนสมาชิก"
        assert rows[1][4] == "0"


class TestRefusedFiles:
    async def test_thai_windows_874_csv_is_refused_and_nothing_changes(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        content = csv_bytes([sheet_row()]).decode("utf-8").encode("cp874")
        response = await _upload(client, "s.csv", content)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "UTF-8" in response.json()["detail"]
        assert response.json()["errors"][0]["field"] == "body.file"
        assert await _count(app, Household) == 0

    async def test_a_bad_byte_late_in_the_file_refuses_the_whole_file(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        content = csv_bytes([sheet_row() for _ in range(1200)]) + b"\xff\xfe,broken\n"
        response = await _upload(client, "s.csv", content)
        assert response.status_code == 422
        assert await _count(app, Household) == 0

    async def test_a_pdf_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await _upload(client, "survey.pdf", b"%PDF-1.7 ...")
        assert response.status_code == 422
        assert ".csv" in response.json()["detail"]

    async def test_a_damaged_workbook_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await _upload(client, "s.xlsx", b"PK\x03\x04 not really a workbook")
        assert response.status_code == 422
        assert "workbook" in response.json()["detail"]

    async def test_a_sheet_missing_required_columns_names_them(
        self, client: httpx.AsyncClient
    ) -> None:
        header = [h for h in THAI_HEADERS if h != "เลขประจำตัวประชาชน"]
        rows = [[v for h, v in zip(THAI_HEADERS, sheet_row(), strict=True) if h in header]]
        response = await _upload(client, "s.csv", csv_bytes(rows, header))
        assert response.status_code == 422
        assert "national_id" in response.json()["detail"]

    async def test_an_unknown_round_is_422_naming_it(self, client: httpx.AsyncClient) -> None:
        response = await _upload(
            client,
            "s.csv",
            csv_bytes([sheet_row()]),
            survey_round_id="0190f5d2-0000-7000-8000-000000000000",
        )
        assert response.json()["errors"][0]["field"] == "body.survey_round_id"


class TestExport:
    async def test_list_exports_as_csv_with_masked_ids_and_thai_text(
        self, client: httpx.AsyncClient
    ) -> None:
        body = household_body()
        await client.post("/v1/households", json=body)
        response = await client.get(
            "/v1/households/export", params={"programme": "BAAN_PHO_PHIANG"}
        )
        assert response.status_code == 200
        rows = _errors_csv(response.content)
        assert len(rows) == 1
        assert rows[0]["head_name"] == "นางสมศรี ใจดี"
        assert body["national_id"] not in response.text
        assert rows[0]["national_id_masked"] == mask_national_id(body["national_id"])

    async def test_list_exports_as_xlsx_with_the_same_filters(
        self, client: httpx.AsyncClient
    ) -> None:
        await client.post("/v1/households", json=household_body())
        await client.post("/v1/households", json=household_body(programme="CANAL"))
        response = await client.get(
            "/v1/households/export", params={"format": "xlsx", "programme": "CANAL"}
        )
        rows = (
            python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(response.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert len(rows) == 2
        assert rows[1][rows[0].index("programme")] == "CANAL"
        assert rows[1][rows[0].index("subdistrict_code")] == "570101"


class TestImportedDuplicates:
    async def test_look_alikes_in_a_sheet_are_flagged(self, client: httpx.AsyncClient) -> None:
        await client.post(
            "/v1/households", json=household_body(head_name="นายชัย ดีงาม", village="หมู่ 3")
        )
        rows = [sheet_row(**{"ชื่อหัวหน้าครัวเรือน": "นาย ชัย ดีงาม", "หมู่บ้าน": "หมู่ที่ 3"})]
        await _upload(client, "s.csv", csv_bytes(rows))
        flagged = (await client.get("/v1/households", params={"possible_duplicate": True})).json()
        assert len(flagged["items"]) == 2

    async def test_imported_households_are_announced_and_screenable(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await _upload(client, "s.csv", csv_bytes([sheet_row()]))
        household = (await client.get("/v1/households")).json()["items"][0]
        history = (await client.get(f"/v1/households/{household['id']}/history")).json()
        assert [h["to_status"] for h in history] == ["surveyed"]
        screened = await client.post(
            f"/v1/households/{household['id']}/screen", json={"decided_by": "committee"}
        )
        assert screened.status_code == 200
        rows = await outbox_rows(app)
        assert [r.type for r in rows] == ["household.surveyed"]
        assert rows[0].aggregateid == household["id"]

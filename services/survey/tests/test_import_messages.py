"""What an import tells the people who run it: rows and problems counted apart,
every programme name accepted, reasons naming value and rule, a template to fill in."""

import csv
import io
from typing import Any

import httpx
import python_calamine
from fastapi import FastAPI
from survey_factories import THAI_HEADERS, csv_bytes, sheet_row

from survey.imports import rules, template

LIBRARY_WORDING = ("Value error", "Field required", "Input should be", "validation error")


async def _upload(
    client: httpx.AsyncClient, content: bytes, name: str = "survey.csv"
) -> httpx.Response:
    return await client.post(
        "/v1/household-imports", files={"file": (name, content)}, data={"imported_by": "อบต."}
    )


async def _error_file(client: httpx.AsyncClient, import_id: str) -> list[dict[str, str]]:
    response = await client.get(f"/v1/household-imports/{import_id}/errors")
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _workbook(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


class TestCounts:
    async def test_rows_invalid_counts_rows_and_problems_are_counted_apart(
        self, client: httpx.AsyncClient
    ) -> None:
        rows = [
            sheet_row(**{"จำนวนสมาชิก": 0, "รายได้ต่อเดือน (บาท)": "-500"}),
            sheet_row(),
            sheet_row(**{"รหัสจังหวัด": "5", "ความต้องการ": "ทาสี"}),
        ]
        summary = (await _upload(client, csv_bytes(rows))).json()
        assert (summary["rows_read"], summary["rows_imported"]) == (3, 1)
        assert (summary["rows_invalid"], summary["problems_found"]) == (2, 4)
        assert len(await _error_file(client, summary["id"])) == 4
        assert "2 rows not imported for 4 problems" in summary["outcome"]

    async def test_a_reupload_says_every_row_was_already_imported(
        self, client: httpx.AsyncClient
    ) -> None:
        content = csv_bytes([sheet_row() for _ in range(3)])
        first = (await _upload(client, content)).json()
        again = (await _upload(client, content)).json()
        assert first["outcome"].startswith("3 households imported")
        assert again["rows_imported"] == 0
        assert again["outcome"] == "Every row was already imported (3 rows): nothing new was added."
        assert again["outcome_th"].startswith("ทุกแถวเคยนำเข้าแล้ว")


class TestProgrammes:
    async def test_every_thai_name_the_programme_list_gives_is_accepted(
        self, client: httpx.AsyncClient
    ) -> None:
        programmes = (await client.get("/v1/programmes")).json()
        assert len(programmes) == 6
        rows = [sheet_row(**{"โครงการ": p["name_th"]}) for p in programmes]
        summary = (await _upload(client, csv_bytes(rows))).json()
        assert (summary["rows_imported"], summary["rows_invalid"]) == (6, 0), summary
        listed = (await client.get("/v1/households", params={"limit": 100})).json()["items"]
        assert sorted(h["programme"] for h in listed) == sorted(p["code"] for p in programmes)

    async def test_a_name_an_admin_gave_a_programme_is_accepted(
        self, client: httpx.AsyncClient
    ) -> None:
        canal = (await client.get("/v1/programmes/CANAL")).json()
        kept = ("name_en", "unit", "income_limit_satang", "allowed_house_conditions")
        update = {k: canal[k] for k in (*kept, "allowed_tenures")} | {"updated_by": "admin"}
        renamed = await client.put(
            "/v1/programmes/CANAL", json=update | {"name_th": "ริมคลองลาดพร้าว"}
        )
        assert renamed.status_code == 200, renamed.text
        summary = (
            await _upload(client, csv_bytes([sheet_row(**{"โครงการ": "ริมคลองลาดพร้าว"})]))
        ).json()
        assert summary["rows_imported"] == 1, summary


class TestReasons:
    async def test_the_error_file_names_value_and_rule_in_english_and_thai(
        self, client: httpx.AsyncClient
    ) -> None:
        rows = [
            sheet_row(**{"รายได้ต่อเดือน (บาท)": "-500"}),
            sheet_row(**{"เลขประจำตัวประชาชน": "1101700000000"}),
            sheet_row(**{"โครงการ": "บ้านใหม่"}),
            sheet_row(**{"ชื่อหัวหน้าครัวเรือน": ""}),
        ]
        summary = (await _upload(client, csv_bytes(rows))).json()
        errors = await _error_file(client, summary["id"])
        assert [(e["row"], e["column"], e["value"]) for e in errors] == [
            ("2", "รายได้ต่อเดือน (บาท)", "-500"),
            ("3", "เลขประจำตัวประชาชน", "1101700000000"),
            ("4", "โครงการ", "บ้านใหม่"),
            ("5", "ชื่อหัวหน้าครัวเรือน", ""),
        ]
        assert errors[0]["reason"] == "-500: must be 0 or more"
        assert errors[0]["reason_th"] == "-500: ต้องเป็น 0 หรือมากกว่า"
        assert "check digit" in errors[1]["reason"]
        assert "ศูนย์พัฒนาศักยภาพคนไร้บ้าน" in errors[2]["reason"]  # the answers it accepts
        assert errors[3]["reason"] == "empty: must be filled in"
        for error in errors:
            assert not any(w in error["reason"] for w in LIBRARY_WORDING), error
        assert summary["first_errors"][0]["value"] == "-500"


class TestRefusedFiles:
    async def test_a_png_named_csv_is_refused_as_not_a_text_csv(
        self, client: httpx.AsyncClient
    ) -> None:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
        response = await _upload(client, png, name="survey.csv")
        assert response.status_code == 422
        assert "not a text CSV" in response.json()["detail"]
        assert "UTF-8" not in response.json()["detail"]


class TestTemplate:
    async def test_the_csv_template_has_the_thai_headers_and_its_example_row_imports(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/household-imports/template", params={"format": "csv"})
        assert response.status_code == 200
        assert response.headers["content-disposition"].endswith('template.csv"')
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert set(THAI_HEADERS) <= set(rows[0]) | {"หมู่บ้าน"}
        summary = (await _upload(client, response.content)).json()
        assert (summary["rows_imported"], summary["rows_invalid"]) == (1, 0), summary

    async def test_the_xlsx_template_has_households_members_and_coded_answers(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/household-imports/template")
        assert response.status_code == 200
        sheets = _workbook(response.content)
        assert list(sheets) == ["ครัวเรือน", "สมาชิก", "รหัส"]
        codes = {(row[0], row[1]): row[2] for row in sheets["รหัส"][1:]}
        for programme in (await client.get("/v1/programmes")).json():
            assert codes[("โครงการ", programme["name_th"])] == programme["code"]
        assert codes[("ความต้องการ", "ซ่อมแซม")] == "repair"
        assert codes[("เพศ", "หญิง")] == "female"
        summary = (await _upload(client, response.content, name="template.xlsx")).json()
        assert (summary["rows_imported"], summary["members_imported"]) == (1, 1), summary


class TestApiDocs:
    async def test_the_import_operation_lists_every_header_and_code(self, app: FastAPI) -> None:
        operation = app.openapi()["paths"]["/v1/household-imports"]["post"]
        for column in (*template.COLUMNS, *template.MEMBER_COLUMNS):
            assert column.header in operation["description"], column.header
        for field in template.CODED:
            for answer, code in rules.THAI_ANSWERS[field].items():
                assert f"| {answer} | `{code}` |" in operation["description"]

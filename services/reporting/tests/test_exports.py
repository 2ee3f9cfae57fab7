"""Exports: every report as CSV and XLSX, labelled in Thai and English, same figures as the API."""

import csv
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import (
    BAAN_PHO_PHIANG,
    NOV_2018,
    apply_events,
    households,
    realistic_mix,
    target,
)

SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response: httpx.Response) -> list[list[Any]]:
    """The first sheet's cells, row by row (numbers as numbers), read with the stdlib."""
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        shared = [
            "".join(t.text or "" for t in item.iter(f"{SHEET}t"))
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows: list[list[Any]] = []
    for row in sheet.iter(f"{SHEET}row"):
        rows += [[] for _ in range(int(row.get("r", "0")) - 1 - len(rows))]  # empty rows
        cells: list[Any] = []
        for cell in row.iter(f"{SHEET}c"):
            column = re.sub(r"\d", "", cell.get("r", ""))
            index = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(column))) - 1
            cells += [None] * (index - len(cells))
            value = cell.findtext(f"{SHEET}v")
            cells.append(shared[int(value or 0)] if cell.get("t") == "s" else float(value or 0))
        rows.append(cells)
    return rows


@pytest.fixture
async def half_year(app: FastAPI, client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.put("/v1/targets", json={"targets": [target(quantity=4)]})
    assert response.status_code == 200
    await apply_events(app, households(5, "completed", start=NOV_2018))
    return {"fiscal_year": 2562, "period": "h1", "level": "province"}


class TestTargetExports:
    async def test_csv_has_thai_and_english_headers_and_the_reports_figures(
        self, client: httpx.AsyncClient, half_year: dict[str, Any]
    ) -> None:
        response = await client.get("/v1/reports/targets/export", params=half_year)
        assert response.headers["content-type"].startswith("text/csv")
        assert "targets-2562-h1-province.csv" in response.headers["content-disposition"]
        header, *rows = csv_rows(response)
        assert "เป้าหมาย / Target" in header
        assert "แล้วเสร็จ ร้อยละของเป้า / Completed, % of target" in header
        row = dict(zip(header, rows[0], strict=True))
        assert row["ชื่อพื้นที่ / Area name (Thai)"] == "เชียงราย"
        assert (row["เป้าหมาย / Target"], row["แล้วเสร็จ / Completed"]) == ("4", "5")
        assert row["แล้วเสร็จ ร้อยละของเป้า / Completed, % of target"] == "125.0"

    async def test_xlsx_carries_the_period_in_both_eras_and_figures_as_numbers(
        self, client: httpx.AsyncClient, half_year: dict[str, Any]
    ) -> None:
        response = await client.get(
            "/v1/reports/targets/export", params={**half_year, "format": "xlsx"}
        )
        assert "spreadsheetml" in response.headers["content-type"]
        title_th, title_en, as_of, _, header, first, *_ = xlsx_rows(response)
        assert "ปีงบประมาณ 2562 ครึ่งปีแรก (ต.ค. 2561 - มี.ค. 2562)" in title_th[0]
        assert "FY2019 H1 (Oct 2018 - Mar 2019)" in title_en[0]
        assert as_of[0].startswith("ข้อมูล ณ / As of (UTC): 2018-")
        row = dict(zip(header, first, strict=False))
        assert (row["เป้าหมาย / Target"], row["แล้วเสร็จ / Completed"]) == (4.0, 5.0)
        assert row["แล้วเสร็จ ร้อยละของเป้า / Completed, % of target"] == 125.0

    async def test_the_monthly_series_exports_with_thai_month_names(
        self, client: httpx.AsyncClient, half_year: dict[str, Any]
    ) -> None:
        header, *rows = csv_rows(
            await client.get("/v1/reports/targets/monthly/export", params=half_year)
        )
        november = dict(zip(header, rows[1], strict=True))
        assert november["เดือน (ไทย) / Month (Thai)"] == "พ.ย. 2561"
        assert november["แล้วเสร็จ / Completed"] == "5"


class TestOtherReports:
    async def test_progress_funnel_and_freshness_export_the_same_figures_as_the_api(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, realistic_mix())
        progress = (await client.get("/v1/reports/progress")).json()
        header, *rows = csv_rows(await client.get("/v1/reports/progress/export"))
        total = dict(zip(header, rows[-1], strict=True))
        assert total["โครงการ / Programme"] == "รวม / Total"
        assert int(total["แล้วเสร็จ / Completed"]) == progress["totals"]["completed"]
        assert len(rows) == len(progress["rows"]) + 1
        first = dict(zip(header, rows[0], strict=True))
        assert first["โครงการ / Programme"] == BAAN_PHO_PHIANG

        header, *stages = xlsx_rows(
            await client.get("/v1/reports/funnel/export", params={"format": "xlsx"})
        )[4:]
        completed = next(s for s in stages if s[0] == "completed")
        assert completed[1] == "แล้วเสร็จ"
        assert completed[2] == 3.0

        header, *streams = csv_rows(await client.get("/v1/reports/freshness/export"))
        assert {s[0] for s in streams} == {
            "survey.households",
            "construction.houses",
            "finance.grants",
        }

    async def test_an_unknown_format_is_refused_naming_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/reports/progress/export", params={"format": "pdf"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.format"]
        response = await client.get(
            "/v1/reports/targets/export", params={"fiscal_year": 2562, "region": "XX"}
        )
        assert response.status_code == 404

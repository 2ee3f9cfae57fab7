"""Lists of house works: by area, project, status and programme; overdue; CSV and XLSX."""

import csv
import io
import zipfile
from datetime import timedelta
from typing import Any

import httpx
from construction_factories import assign, create_project, plan_house, post, under_construction
from fastapi import FastAPI

from baan_shared.clock import thai_today as today

YESTERDAY = (today() - timedelta(days=1)).isoformat()
LAST_YEAR = (today() - timedelta(days=365)).isoformat()
NEXT_MONTH = (today() + timedelta(days=30)).isoformat()


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/house-works", params=params)
    assert response.status_code == 200, response.text
    return [h["id"] for h in response.json()["items"]]


async def _own_end(client: httpx.AsyncClient, house_id: str, planned_end_on: str) -> None:
    response = await client.put(
        f"/v1/house-works/{house_id}/planned-end",
        json={"reported_by": "ผู้ประสานงาน", "planned_end_on": planned_end_on},
    )
    assert response.status_code == 200, response.text


class TestFilters:
    async def test_by_district_sub_district_and_project(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        here = await plan_house(app)
        next_tambon = await plan_house(app, subdistrict_code="570102")
        other_district = await plan_house(app, district_code="5702", subdistrict_code="570201")
        project = await create_project(client)
        await assign(client, project["id"], here)

        assert sorted(await _ids(client, district_code="5701")) == sorted([here, next_tambon])
        assert await _ids(client, subdistrict_code="570201") == [other_district]
        assert await _ids(client, project_id=project["id"]) == [here]

    async def test_malformed_area_codes_are_422_naming_the_query_field(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(
            "/v1/house-works", params={"district_code": "57", "subdistrict_code": "x"}
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {
            "query.district_code",
            "query.subdistrict_code",
        }


class TestOverdue:
    async def test_overdue_means_past_its_planned_end_and_not_finished(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        late_project = await create_project(
            client, planned_start_on=LAST_YEAR, planned_end_on=YESTERDAY
        )
        by_project = await plan_house(app)  # follows the project's end: yesterday
        own_late = await plan_house(app)  # its own end, yesterday
        extended = await plan_house(app)  # in the late project, but given more time
        on_time = await plan_house(app)  # its own end next month
        no_end = await plan_house(app)  # no planned end at all
        finished = await under_construction(app, client)  # late, but completed
        cancelled = await plan_house(app)  # late, but cancelled
        await assign(client, late_project["id"], by_project, extended, finished, cancelled)
        await _own_end(client, own_late, YESTERDAY)
        await _own_end(client, extended, NEXT_MONTH)
        await _own_end(client, on_time, NEXT_MONTH)
        await post(client, finished, "complete", inspected_by="คณะกรรมการ", labour_days=1)
        await post(client, cancelled, "cancel", reported_by="x", reason="ย้ายออก")

        overdue = await _ids(client, overdue="true")

        assert sorted(overdue) == sorted([by_project, own_late])
        assert no_end not in overdue
        assert len(await _ids(client, overdue="false")) == 7

    async def test_overdue_combines_with_the_other_filters(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        rural = await plan_house(app)
        canal = await plan_house(app, programme="CANAL")
        for house in (rural, canal):
            await _own_end(client, house, YESTERDAY)
        assert await _ids(client, overdue="true", programme="CANAL") == [canal]


class TestExport:
    async def _thai_house(self, app: FastAPI, client: httpx.AsyncClient) -> str:
        project = await create_project(client, name="บ้านพอเพียง ต.ศรีภูมิ")
        house_id = await plan_house(app)
        await assign(client, project["id"], house_id)
        await post(client, house_id, "cancel", reported_by="x", reason="ครอบครัวย้ายไปอยู่กับญาติ")
        return house_id

    async def test_csv_keeps_thai_text_and_opens_in_excel_as_utf8(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await self._thai_house(app, client)
        await plan_house(app, programme="CANAL")

        response = await client.get(
            "/v1/house-works/export", params={"format": "csv", "programme": "BAAN_PHO_PHIANG"}
        )

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith("\ufeff".encode())
        [row] = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert row["id"] == house_id
        assert row["project_name"] == "บ้านพอเพียง ต.ศรีภูมิ"
        assert row["cancel_reason"] == "ครอบครัวย้ายไปอยู่กับญาติ"
        assert (row["status"], row["due_on"], row["estimated_cost_satang"]) == (
            "cancelled",
            "2026-09-30",
            "2000000",
        )
        assert row["actual_cost_satang"] == ""

    async def test_xlsx_is_a_workbook_with_the_thai_text(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await self._thai_house(app, client)

        response = await client.get("/v1/house-works/export", params={"format": "xlsx"})

        assert response.status_code == 200
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        for text in (house_id, "บ้านพอเพียง ต.ศรีภูมิ", "ครอบครัวย้ายไปอยู่กับญาติ", "due_on"):
            assert text in strings

    async def test_an_unknown_format_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/house-works/export", params={"format": "pdf"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.format"]

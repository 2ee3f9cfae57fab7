"""Household lists sorted any supported way, paged by cursor, and exported the same way."""

import csv
import io

import httpx
import pytest
from survey_factories import all_pages as _all_pages
from survey_factories import household_body
from survey_factories import seed_varied_households as _seed

SORTS = [
    "created_at",
    "-created_at",
    "head_name",
    "-head_name",
    "monthly_income_satang",
    "-monthly_income_satang",
    "estimated_cost_satang",
    "household_size",
    "-updated_at",
    "priority",
    "-priority",
]


class TestSorting:
    @pytest.mark.parametrize("sort", SORTS)
    async def test_pages_follow_the_sort_and_show_every_household_once(
        self, client: httpx.AsyncClient, sort: str
    ) -> None:
        await _seed(client)
        paged = await _all_pages(client, sort=sort)
        whole = (await client.get("/v1/households", params={"sort": sort, "limit": 500})).json()
        assert [h["id"] for h in paged] == [h["id"] for h in whole["items"]]
        assert len({h["id"] for h in paged}) == 9
        key = sort.removeprefix("-")
        if key != "priority":
            values = [h[key] for h in paged]
            assert values == sorted(values, reverse=sort.startswith("-"))

    async def test_most_need_comes_first_under_minus_priority(
        self, client: httpx.AsyncClient
    ) -> None:
        poor = await client.post(
            "/v1/households",
            json=household_body(monthly_income_satang=0, house_condition="must_rebuild"),
        )
        await client.post(
            "/v1/households",
            json=household_body(monthly_income_satang=5_000_000, house_condition="sound"),
        )
        middle = await client.post(
            "/v1/households",
            json=household_body(monthly_income_satang=1_200_000, house_condition="dilapidated"),
        )
        items = (await client.get("/v1/households", params={"sort": "-priority"})).json()["items"]
        assert [h["id"] for h in items[:2]] == [poor.json()["id"], middle.json()["id"]]

    async def test_an_unknown_sort_is_a_422_naming_sort(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/households", params={"sort": "-national_id"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["query.sort"]

    async def test_a_cursor_from_another_sort_is_refused(self, client: httpx.AsyncClient) -> None:
        await _seed(client)
        page = (await client.get("/v1/households", params={"sort": "head_name", "limit": 2})).json()
        response = await client.get(
            "/v1/households", params={"sort": "-head_name", "cursor": page["next_cursor"]}
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.cursor"]

    async def test_a_forged_cursor_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/households", params={"cursor": "bm90IGEgY3Vyc29y"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.cursor"]


class TestExport:
    async def test_export_keeps_the_lists_filters_and_sort(self, client: httpx.AsyncClient) -> None:
        for income in (300_000, 100_000, 200_000):
            await client.post("/v1/households", json=household_body(monthly_income_satang=income))
        await client.post(
            "/v1/households",
            json=household_body(
                district_code="5702", subdistrict_code="570202", monthly_income_satang=150_000
            ),
        )
        response = await client.get(
            "/v1/households/export",
            params={"sort": "-monthly_income_satang", "district_code": "5701"},
        )
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert [r["monthly_income_satang"] for r in rows] == ["300000", "200000", "100000"]

    async def test_export_refuses_an_unknown_sort(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/households/export", params={"sort": "colour"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.sort"]

"""Finding 9 (issue 14, under-reporting): a client bound to areas sees the budgets of
every area inside its own, as finance's GET /v1/budgets lists them to it.

Finance allocates budgets at any level. A budget's official codes follow from its
level and code (a district's budget lies in its province, a sub-district's in its
district and province), and ``area_filter`` decides on those codes: a province's
client sees its province's budgets and those of its districts and sub-districts,
a district's client its district's and its sub-districts', a sub-district's client
its own. National and regional budgets name no official area: only national clients
see them. On SQLite and on PostgreSQL.
"""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import BASE_URL, ISSUER, NATIONAL_SCOPES, national_headers
from reporting_factories import NOV_2018, StartApp, allocation, apply_events, cloud_event

from baan_shared.auth import Principal
from baan_testkit.auth import asgi_client, token_headers

YEAR = {"fiscal_year": "2562"}

# (level, code, satang): each a distinct power of ten, so every sum names its budgets.
BUDGETS = [
    ("province", "57", 1_000_000_000),
    ("district", "5701", 100_000_000),
    ("subdistrict", "570101", 10_000_000),
    ("subdistrict", "570102", 1_000_000),
    ("district", "5702", 100_000),
    ("province", "10", 10_000),
    ("district", "1038", 1_000),
    ("subdistrict", "103801", 100),
    ("region", "N", 10),
    ("country", "TH", 1),
]


def _official(level: str, code: str) -> tuple[str | None, str | None, str | None]:
    """(province, district, sub-district) a budget lies in, as finance derives them."""
    if level == "province":
        return code, None, None
    if level == "district":
        return code[:2], code, None
    if level == "subdistrict":
        return code[:2], code[:4], code
    return None, None, None


def visible_to(*areas: str) -> int:
    """The allocated total of the budgets ``Principal.covers`` (finance's rule) gives a
    client bound to ``areas``."""
    principal = Principal.of("office", areas=areas)
    return sum(
        amount for level, code, amount in BUDGETS if principal.covers(*_official(level, code))
    )


RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


@pytest.fixture
async def budgets(start_app: StartApp) -> FastAPI:
    app = await start_app()
    await apply_events(
        app,
        [
            cloud_event(allocation(level, code, amount), time=NOV_2018)
            for level, code, amount in BUDGETS
        ],
    )
    return app


def _reader(app: FastAPI, *areas: str) -> httpx.AsyncClient:
    if areas == ("*",):
        return asgi_client(app, BASE_URL, national_headers())
    return asgi_client(app, BASE_URL, token_headers(ISSUER, "office", NATIONAL_SCOPES, areas))


async def _get(http: httpx.AsyncClient, path: str, params: dict[str, Any]) -> Any:
    response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _allocated(rows: list[dict[str, Any]]) -> dict[str | None, int]:
    found: dict[str | None, int] = {}
    for row in rows:
        if row["budget_allocated_satang"]:
            found[row["area_code"]] = (
                found.get(row["area_code"], 0) + row["budget_allocated_satang"]
            )
    return found


@pytest.mark.parametrize(
    "areas",
    [("57",), ("5701",), ("570101",), ("57", "1038"), ("*",)],
    ids=["province", "district", "subdistrict", "province-and-district", "national"],
)
async def test_the_money_report_totals_the_budgets_finance_lists_to_the_client(
    budgets: FastAPI, areas: tuple[str, ...]
) -> None:
    expected = sum(a for *_, a in BUDGETS) if areas == ("*",) else visible_to(*areas)
    async with _reader(budgets, *areas) as http:
        report = await _get(http, "/v1/reports/money", {**YEAR, "level": "country"})
        cells = (
            await _get(
                http,
                "/v1/query",
                {**YEAR, "measures": "budget_allocated_satang", "level": "country"},
            )
        )["cells"]
    assert sum(t["budget_allocated_satang"] for t in report["totals"]) == expected
    assert sum(c["measures"]["budget_allocated_satang"] for c in cells) == expected


async def test_a_province_sees_its_district_and_subdistrict_budgets(budgets: FastAPI) -> None:
    async with _reader(budgets, "57") as chiang_rai:
        by_province = await _get(chiang_rai, "/v1/reports/money", {**YEAR, "level": "province"})
        by_district = await _get(chiang_rai, "/v1/reports/money", {**YEAR, "level": "district"})
        by_subdistrict = await _get(
            chiang_rai, "/v1/reports/money", {**YEAR, "level": "subdistrict"}
        )
        in_the_province = await _get(
            chiang_rai,
            "/v1/reports/money",
            {**YEAR, "level": "district", "province_code": "57"},
        )
        query = await _get(
            chiang_rai,
            "/v1/query",
            {**YEAR, "measures": "budget_allocated_satang", "level": "district"},
        )
        freshness = await _get(chiang_rai, "/v1/reports/freshness", {})

    # Before the fix a province's client saw 1_000_000_000 here: its province's budget only.
    assert _allocated(by_province["rows"]) == {"57": 1_111_100_000}
    # A budget shows in rows at its own level or a coarser one.
    assert _allocated(by_district["rows"]) == {"5701": 111_000_000, "5702": 100_000}
    assert _allocated(by_subdistrict["rows"]) == {"570101": 10_000_000, "570102": 1_000_000}
    assert _allocated(in_the_province["rows"]) == _allocated(by_district["rows"])
    assert sum(t["budget_allocated_satang"] for t in in_the_province["totals"]) == 1_111_100_000
    assert {
        c["area_code"]: c["measures"]["budget_allocated_satang"]
        for c in query["cells"]
        if c["measures"]["budget_allocated_satang"]
    } == {"5701": 111_000_000, "5702": 100_000}
    assert freshness["as_of"] is not None


async def test_a_district_sees_its_own_and_its_subdistricts_budgets_only(
    budgets: FastAPI,
) -> None:
    async with _reader(budgets, "5701") as district:
        by_subdistrict = await _get(district, "/v1/reports/money", {**YEAR, "level": "subdistrict"})
        by_district = await _get(district, "/v1/reports/money", {**YEAR, "level": "district"})
        elsewhere = await _get(
            district, "/v1/reports/money", {**YEAR, "level": "district", "province_code": "10"}
        )
    assert _allocated(by_subdistrict["rows"]) == {"570101": 10_000_000, "570102": 1_000_000}
    # Not its province's budget (a figure for more than its areas), not 5702's.
    assert _allocated(by_district["rows"]) == {"5701": 111_000_000}
    assert sum(t["budget_allocated_satang"] for t in by_district["totals"]) == 111_000_000
    assert _allocated(elsewhere["rows"]) == {}
    assert sum(t["budget_allocated_satang"] for t in elsewhere["totals"]) == 0


async def test_a_budget_money_export_for_a_province_holds_its_districts_budgets(
    budgets: FastAPI,
) -> None:
    async with _reader(budgets, "57") as chiang_rai:
        response = await chiang_rai.get(
            "/v1/reports/money/export", params={**YEAR, "level": "district", "format": "csv"}
        )
    assert response.status_code == 200
    assert "111000000" in response.text and "100000" in response.text
    assert "1038" not in response.text

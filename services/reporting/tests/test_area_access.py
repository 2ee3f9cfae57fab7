"""Per-area permissions in reporting's queries: a provincial office's reports, query
and exports count only its own households and welfare funds
(docs/adr/0003-partner-access.md)."""

import csv
import io
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import NOV_2018, allocation, apply_events, cloud_event, households
from reporting_welfare_events import Fund

from baan_shared.auth import Principal
from baan_testkit.areas import area_leaks

YEAR = {"fiscal_year": "2562"}
QUERY = {"fiscal_year": "2562", "measures": "completed", "level": "province"}


@pytest.fixture
async def two_provinces(app: FastAPI) -> FastAPI:
    """FY 2562: 3 Chiang Rai (57) and 2 Bangkok (10) households completed; a welfare fund
    in each (Chiang Rai's 2 members, Bangkok's 3), members paying and helped in FY 2562."""
    await apply_events(app, households(3, "completed", start=NOV_2018, province="57"))
    await apply_events(app, households(2, "completed", start=NOV_2018, province="10"))
    for subdistrict, members in (("570101", 2), ("103801", 3)):
        await apply_events(app, _welfare_fund(Fund(subdistrict), members))
    return app


def _welfare_fund(fund: Fund, members: int) -> list[Any]:
    """A fund whose members each paid a year's 365 THB in FY 2562; the first was helped."""
    events = [fund.registered()]
    joined = [fund.join(date(2018, 10, 15)) for _ in range(members)]
    events += [event for _, event in joined]
    events.append(fund.movement("contribution", 36_500 * members, date(2019, 3, 31)))
    events += fund.benefit(joined[0][0], 50_000 * members, date(2019, 5, 2))
    return events


async def _json(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_no_report_or_export_leaks_another_province(
    two_provinces: FastAPI, chiang_rai_client: httpx.AsyncClient
) -> None:
    needs_a_year = {
        path: YEAR
        for path in (
            "/v1/reports/targets",
            "/v1/reports/money",
            "/v1/reports/targets/export",
            "/v1/reports/targets/monthly/export",
            "/v1/reports/money/export",
            "/v1/reports/plans",
            "/v1/reports/plans/export",
            # Welfare's funds and members lists carry each row's province; its reports
            # their areas' codes (test_welfare_reports_count_only_the_clients_funds).
            "/v1/reports/welfare/funds",
            "/v1/reports/welfare/members",
        )
    }
    # The long view from the first year of the agency's records to this one.
    span = {"from_year": "2546", "to_year": "2570"}
    leaks = await area_leaks(
        chiang_rai_client,
        two_provinces,
        Principal.of("chiang-rai-office", areas=["57"]),
        params={
            **needs_a_year,
            "/v1/query": QUERY,
            "/v1/reports/cumulative": span,
            "/v1/reports/cumulative/export": span,
        },
        # Besides the defaults, rebuilds' progress: no area data, national admin only.
        skip=("/health", "/metrics", "/v1/audit-log", "/v1/rebuilds"),
    )
    assert leaks == {}


async def test_progress_and_funnel_count_only_the_clients_province(
    two_provinces: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    national = await _json(client, "/v1/reports/progress", {})
    assert national["totals"]["completed"] == 5
    mine = await _json(chiang_rai_client, "/v1/reports/progress", {})
    assert mine["totals"]["completed"] == 3
    assert {row["province_code"] for row in mine["rows"]} == {"57"}
    funnel = await _json(chiang_rai_client, "/v1/reports/funnel", {})
    completed = [s for s in funnel["stages"] if s["stage"] == "completed"]
    assert completed[0]["households"] == 3


async def test_asking_for_another_province_by_name_finds_nothing(
    two_provinces: FastAPI, chiang_rai_client: httpx.AsyncClient
) -> None:
    bangkok = await _json(chiang_rai_client, "/v1/reports/progress", {"province_code": "10"})
    assert bangkok["totals"]["completed"] == 0
    assert bangkok["rows"] == []


async def test_the_targets_report_and_query_count_only_the_clients_households(
    two_provinces: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    country = {"fiscal_year": "2562", "level": "country"}
    assert _completed(await _json(client, "/v1/reports/targets", country)) == 5
    assert _completed(await _json(chiang_rai_client, "/v1/reports/targets", country)) == 3
    cells = (
        await _json(
            chiang_rai_client, "/v1/query", {"fiscal_year": "2562", "measures": "completed"}
        )
    )["cells"]
    assert sum(cell["measures"]["completed"] for cell in cells) == 3


def _completed(report: dict[str, Any]) -> int:
    return sum(row["completed"] for row in report["rows"])


async def test_the_progress_export_has_only_the_clients_province(
    two_provinces: FastAPI, chiang_rai_client: httpx.AsyncClient
) -> None:
    response = await chiang_rai_client.get("/v1/reports/progress/export")
    assert response.status_code == 200
    _header, *rows = csv.reader(io.StringIO(response.text.lstrip("\ufeff")))
    # Programme, province code, ..., completed, ...; the last row is the total.
    assert [row[1] for row in rows[:-1]] == ["57"]
    assert rows[-1][0] == "รวม / Total"
    assert rows[-1][6] == "3"  # completed: Chiang Rai's three, not Bangkok's two


async def test_money_counts_only_the_clients_grants_and_province_budgets(
    two_provinces: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    await apply_events(
        two_provinces,
        [
            cloud_event(allocation("province", "57", 100_000_000), time=NOV_2018),
            cloud_event(allocation("province", "10", 70_000_000), time=NOV_2018),
            cloud_event(allocation("national", "TH", 30_000_000), time=NOV_2018),
        ],
    )
    country = {"fiscal_year": "2562", "level": "country"}
    national = await _json(client, "/v1/reports/money", country)
    mine = await _json(chiang_rai_client, "/v1/reports/money", country)
    assert _money(national, "budget_allocated_satang") == 200_000_000
    assert _money(national, "grant_disbursed_satang") == 10_000_000
    # Chiang Rai's own budget and its three households' grants; not Bangkok's, not the nation's.
    assert _money(mine, "budget_allocated_satang") == 100_000_000
    assert _money(mine, "grant_disbursed_satang") == 6_000_000


def _money(report: dict[str, Any], figure: str) -> int:
    return sum(row[figure] for row in report["rows"])


WELFARE_LEVELS = ("country", "region", "province", "district", "subdistrict")


async def test_welfare_reports_count_only_the_clients_funds(
    two_provinces: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    for year in ({}, YEAR):
        # The country's figures as the office sees them are Chiang Rai's, as the
        # national office sees Chiang Rai.
        chiang_rai = await _json(
            client, "/v1/reports/welfare", {**year, "level": "province", "province_code": "57"}
        )
        assert chiang_rai["total"]["funds"] == 1
        assert chiang_rai["total"]["members"] == 2
        assert chiang_rai["total"]["people_helped"] == 1
        for level in WELFARE_LEVELS:
            national = await _json(client, "/v1/reports/welfare", {**year, "level": level})
            mine = await _json(chiang_rai_client, "/v1/reports/welfare", {**year, "level": level})
            assert national["total"]["funds"] == 2, level
            figures = {k: v for k, v in mine["total"].items() if isinstance(v, int)}
            assert figures == {
                k: v for k, v in chiang_rai["total"].items() if isinstance(v, int)
            }, level
            codes = {row["area_code"] for row in mine["rows"]}
            if level == "region":
                assert codes == {"N"}
            elif level != "country":
                assert codes and all(code.startswith("57") for code in codes), (level, codes)
    # Asking for Bangkok by name finds nothing: no rows, zero figures.
    bangkok = await _json(
        chiang_rai_client, "/v1/reports/welfare", {"level": "province", "province_code": "10"}
    )
    assert bangkok["rows"] == [] and bangkok["total"]["funds"] == 0
    assert bangkok["total"]["balance_satang"] == 0


async def test_welfare_lists_and_export_hold_only_the_clients_funds_and_members(
    two_provinces: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    for path, national_count in (
        ("/v1/reports/welfare/funds", 2),
        ("/v1/reports/welfare/members", 5),
    ):
        everyone = await _json(client, path, {})
        assert everyone["count"] == national_count
        mine = await _json(chiang_rai_client, path, {})
        assert {item["province_code"] for item in mine["items"]} == {"57"}
        assert mine["count"] == len(mine["items"]) == (1 if "funds" in path else 2)
    helped = await _json(
        chiang_rai_client, "/v1/reports/welfare/members", {"measure": "people_helped"}
    )
    assert helped["count"] == 1
    response = await chiang_rai_client.get(
        "/v1/reports/welfare/export", params={"level": "district"}
    )
    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.text.lstrip("\ufeff")))
    code = next(i for i, name in enumerate(header) if name.endswith("Area code"))
    funds = next(i for i, name in enumerate(header) if name.endswith("Funds"))
    # One district of Chiang Rai's, then the total: its one fund, not Bangkok's.
    assert [row[code] for row in rows[:-1]] == ["5701"]
    assert rows[-1][funds] == "1"

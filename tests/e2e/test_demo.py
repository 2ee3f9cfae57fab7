"""The demo data set (baan_local.demo, `make demo`) on the real platform.

Seeded at a tiny size through the services' HTTP APIs on the test tooling's
Kafka broker and PostgreSQL, then read back as the dashboard reads it: every
figure it shows is non-empty and equals the count of the households behind it
(the drill-down), and a second run adds nothing. Screenshots of the dashboard
on the demo data go to test-artifacts/demo/ (``BAAN_DEMO_HOUSEHOLDS`` for a
bigger set, as for the README's pictures).
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from platform_harness import Platform

from baan_local.demo import Clients, Seeded, seed_platform
from baan_local.demo_welfare import CLAIMS, DUES_SATANG, MEMBERS
from baan_testkit.chromium import run_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

HOUSEHOLDS = int(os.environ.get("BAAN_DEMO_HOUSEHOLDS", "48"))
REPOSITORY = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BAAN_TEST_ARTIFACTS", REPOSITORY / "test-artifacts")) / "demo"


def _clients(platform: Platform) -> Clients:
    return Clients(
        survey=platform.client("survey"),
        construction=platform.client("construction"),
        finance=platform.client("finance"),
        reporting=platform.client("reporting"),
        welfare=platform.client("welfare"),
    )


async def _seed(platform: Platform) -> Seeded:
    clients = _clients(platform)
    try:
        return await seed_platform(clients, HOUSEHOLDS, seed=11, timeout=600)
    finally:
        for client in (
            clients.survey,
            clients.construction,
            clients.finance,
            clients.reporting,
            clients.welfare,
        ):
            await client.aclose()


async def _count(reporting: httpx.AsyncClient, link: str) -> int:
    response = await reporting.get(f"{link}&limit=1")  # (params= would replace the link's query)
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


async def _figures(reporting: httpx.AsyncClient, fiscal_year: int) -> dict[str, Any]:
    query = {"fiscal_year": fiscal_year}
    targets = await reporting.get("/v1/reports/targets", params={**query, "level": "province"})
    funnel = await reporting.get("/v1/reports/funnel", params=query)
    money = await reporting.get("/v1/reports/money", params={**query, "level": "province"})
    for response in (targets, funnel, money):
        assert response.status_code == 200, response.text
    return {"targets": targets.json(), "funnel": funnel.json(), "money": money.json()}


@pytest.mark.timeout(1800)
async def test_the_demo_fills_every_figure_of_the_dashboard_and_each_equals_its_households(
    platform: Platform, tmp_path: Path
) -> None:
    seeded = await _seed(platform)
    planned = seeded.households
    async with platform.client("reporting") as reporting:
        shown = await _figures(reporting, seeded.fiscal_year)
        rows = shown["targets"]["rows"]
        # Every programme, in several provinces, with a target and something achieved.
        assert {r["programme"] for r in rows} == {h.programme for h in planned}
        assert len({r["area_code"] for r in rows}) >= 5
        # (the homeless centres' targets count persons, not households)
        assert all(r["target"] for r in rows if seeded.units[r["programme"]] == "households")
        approved = sum(h.reaches("approved") for h in planned)
        completed = sum(h.reaches("completed") for h in planned)
        assert sum(r["approved"] for r in rows) == approved > 0
        assert sum(r["completed"] for r in rows) == completed > 0
        # Each figure is the count of the households behind it (the dashboard's drill-down).
        checked = 0
        for row in rows:
            for figure in ("approved", "started", "completed"):
                if row[figure]:
                    link = row["drill_down"][figure]
                    assert await _count(reporting, link) == row[figure], (row, link)
                    checked += 1
        for stage in shown["funnel"]["stages"]:
            for figure in ("households", "reached"):
                link = stage["drill_down"][figure]
                assert await _count(reporting, link) == stage[figure], (stage["stage"], link)
        assert checked >= len(rows)
        stages = {s["stage"]: s["households"] for s in shown["funnel"]["stages"]}
        assert stages["completed"] == completed
        assert stages["under_construction"] == sum(h.stage == "started" for h in planned)
        # Money: budgets, grants paid, loans and the revolving funds all non-empty.
        totals = shown["money"]["totals"]
        for measure in (
            "budget_allocated_satang",
            "grant_reserved_satang",
            "grant_disbursed_satang",
            "loan_outstanding_satang",
        ):
            assert sum(t[measure] for t in totals) > 0, measure
        funds = shown["money"]["revolving_funds_total"]["revolving_fund_balance_satang"]
        assert funds > 0
        # The long view: the master plan's 1,050,000 by FY 2579 and the rural 5-year
        # 352,000, the demo's completed houses counted toward the master plan.
        long_view = (await reporting.get("/v1/reports/long-term-targets")).json()["rows"]
        by_code = {row["target"]["code"]: row for row in long_view}
        assert by_code["master-plan-20-year"]["target"]["households"] == 1_050_000
        assert by_code["rural-5-year"]["target"]["households"] == 352_000
        assert by_code["master-plan-20-year"]["reached"] >= completed

        # Welfare: a fund in each province's tambon, its members, dues, the agency's
        # match paid by finance and the claims paid, as reporting's fund balance shows.
        welfare_rows = await _welfare_rows(reporting, seeded)
        assert {r["province_code"] for r in welfare_rows} == {h.province_code for h in planned}
        for row in welfare_rows:
            dues = MEMBERS * DUES_SATANG
            assert (row["members"], row["people_helped"], row["benefits"]) == (
                MEMBERS,
                CLAIMS,
                CLAIMS,
            )
            assert row["contributions_satang"] == row["agency_match_satang"] == dues
            assert row["balance_satang"] == 2 * dues - row["benefits_paid_satang"] > 0

    await _screenshots(platform, seeded.fiscal_year, tmp_path)

    # A second run finds everything in place and adds nothing.
    again = await _seed(platform)
    assert again.households == planned
    assert again.welfare_funds == seeded.welfare_funds
    async with platform.client("reporting") as reporting:
        assert _counts(await _figures(reporting, seeded.fiscal_year)) == _counts(shown)
        assert await _welfare_rows(reporting, again) == welfare_rows
    async with platform.client("survey") as survey:
        listed = []
        for province in {h.province_code for h in planned}:
            page = await survey.get(
                "/v1/households", params={"province_code": province, "limit": 500}
            )
            listed += [h for h in page.json()["items"] if h["head_name"].startswith("สาธิต 11-")]
        assert len(listed) == len(planned)


async def _welfare_rows(reporting: httpx.AsyncClient, seeded: Seeded) -> list[dict[str, Any]]:
    """Reporting's fund balance rows of the demo's welfare funds (without freshness)."""
    rows = []
    for province in sorted({h.province_code for h in seeded.households}):
        response = await reporting.get(
            "/v1/reports/welfare/funds", params={"province_code": province, "limit": 1000}
        )
        assert response.status_code == 200, response.text
        rows += [
            r
            for r in response.json()["items"]
            if r["welfare_fund_id"] in seeded.welfare_funds.values()
        ]
    return rows


def _counts(figures: dict[str, Any]) -> Any:
    """The figures, without the as-of stamps."""
    return (
        [
            (r["programme"], r["area_code"], r["target"], r["approved"], r["completed"])
            for r in figures["targets"]["rows"]
        ],
        [(s["stage"], s["households"]) for s in figures["funnel"]["stages"]],
        [
            (t["programme"], t["budget_allocated_satang"], t["loan_outstanding_satang"])
            for t in figures["money"]["totals"]
        ],
        figures["money"]["revolving_funds_total"],
    )


async def _screenshots(platform: Platform, fiscal_year: int, tmp_path: Path) -> None:
    """The dashboard as a newcomer sees it on the demo: country, map, a region, households,
    one household's record."""
    token = platform.issuer.token_for("baan-national")
    base = f"{platform.url('reporting')}/dashboard?fiscal_year={fiscal_year}"
    drill = urlencode(
        {
            "drill": "/v1/reports/households?"
            + urlencode(
                {
                    "fiscal_year": fiscal_year,
                    "period": "year",
                    "province_code": "57",
                    "measure": "completed_in_period",
                }
            ),
            "drill_label": "แล้วเสร็จ: เชียงราย",
        }
    )
    # A Chiang Rai household's record (the list links each household to its record).
    async with platform.client("reporting") as reporting:
        listed = await reporting.get(
            "/v1/reports/households",
            params={"province_code": "57", "limit": 1},
        )
        assert listed.status_code == 200, listed.text
        [household] = listed.json()["items"]
    views = {
        "country": "",
        "map-regions": "&map_level=region&lang=en",
        "regions": "&region=N",
        "households": f"&{drill}",
        "household": f"&{drill}&household={household['household_id']}",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, query in views.items():
        shot = ARTIFACTS / f"dashboard-{name}.png"
        await _chromium(
            tmp_path,
            f"--screenshot={shot}",
            "--window-size=1280,2200",
            f"{base}{query}#token={token}",
        )
        assert shot.stat().st_size > 10_000, name


async def _chromium(tmp_path: Path, *args: str) -> None:
    await run_chromium(tmp_path / "chromium", *args, budget_ms=20_000, timeout=180)

"""Acceptance (issue 18): the agency's cumulative table, 2003 to 2022, from the platform.

| programme                                  | scope            | households/persons |
| Baan Mankong and master plan, urban, rural | 1,486 communities | 127,920 households |
| Baan Pho Phiang Chonnabot                  | 4,195 tambons     | 103,779 households |
| Canal (Lat Phrao, Prem Prachakorn)         | 45 communities    |   3,539 households |
| Homeless                                   | 4 centres         |   1,395 persons    |
| Emergency (fire, eviction)                 |                   |   6,041 households |
| total                                      |                   | 242,674            |

Everything goes in through the services' APIs. The years before the platform come
in as historical records, one per place (community, tambon, centre; emergency help
by a label) and fiscal year, through ``PUT /v1/historical-achievements``; the
2003-2022 table must come out of ``/v1/reports/cumulative`` exactly. The platform
cannot build houses in the past (construction refuses dates before a house was
planned), so its own count starts now: emergency households surveyed and approved
in survey and built in construction, which reporting learns from the events, are
added to the records in the long view from 2003 to this fiscal year (seen exactly
by a Satun-bound reader, whose view holds only province 91). A tambon plan adopted
in survey reaches reporting's plan report through the events as well.

The quick profile (``make test``) loads one record per place; the full one
(``LONG_VIEW_PROFILE=full pytest tests/e2e/test_long_view_acceptance.py -s``)
spreads every place's households over the years, one record per place and year
(about 32,000 records), and builds more emergency houses on the platform.
"""

import os
import time
from datetime import date
from typing import Any

import geothai
import httpx
import pytest
from platform_harness import Platform, approve_new_household, eventually, house_work_of

from baan_shared.auth.scopes import REPORTS_READ
from baan_shared.clock import utcnow
from baan_shared.fiscal import fiscal_year_at

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres, pytest.mark.timeout(1800)]

FULL = os.environ.get("LONG_VIEW_PROFILE") == "full"
FIRST_YEAR, LAST_YEAR = 2546, 2565  # fiscal years, B.E.: 2003 to 2022
PLATFORM_EMERGENCY = 12 if FULL else 2
EMERGENCY_AREA = {"province_code": "91", "district_code": "9101", "subdistrict_code": "910101"}

TABLE = {
    # programme: (scope field, places, households or persons)
    "BAAN_MANKONG": ("communities", 1_486, 127_920),
    "BAAN_PHO_PHIANG": ("tambons", 4_195, 103_779),
    "CANAL": ("communities", 45, 3_539),
    "HOMELESS": ("centres", 4, 1_395),
    "EMERGENCY": (None, 0, 6_041),
}
TOTAL = 242_674


def split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole numbers that differ by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def years_of(index: int) -> list[int]:
    """The fiscal years a place's households are spread over (full profile: up to 10)."""
    if not FULL:
        return [FIRST_YEAR + index % (LAST_YEAR - FIRST_YEAR + 1)]
    first = FIRST_YEAR + index % 10
    return list(range(first, first + 1 + index % 10))


def records() -> dict[str, list[dict[str, Any]]]:
    tambons = [
        s.code
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    kinds = {
        "BAAN_MANKONG": "community",
        "BAAN_PHO_PHIANG": "subdistrict",
        "CANAL": "community",
        "HOMELESS": "centre",
        "EMERGENCY": "none",
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for programme, (_, places, reached) in TABLE.items():
        if programme == "EMERGENCY":
            places = 20  # events (fires, evictions) by label: counted in households only
        unit = "persons" if programme == "HOMELESS" else "households"
        rows = []
        for index, amount in enumerate(split(reached, places)):
            if programme == "BAAN_PHO_PHIANG":
                key = tambons[index]
            else:
                key = f"{programme}-{index + 1:04d}"
            years = years_of(index)
            for year, part in zip(years, split(amount, len(years)), strict=True):
                rows.append(
                    {
                        "programme": programme,
                        "fiscal_year": year,
                        "place_kind": kinds[programme],
                        "place_key": key,
                        unit: part,
                        "source": "พอช. ผลการดำเนินงาน 2546-2565",
                    }
                )
        found[programme] = rows
    return found


async def load_history(reporting: httpx.AsyncClient) -> int:
    loaded = 0
    for rows in records().values():
        for start in range(0, len(rows), 10_000):
            response = await reporting.put(
                "/v1/historical-achievements", json={"items": rows[start : start + 10_000]}
            )
            assert response.status_code == 200, response.text
            loaded += len(rows[start : start + 10_000])
    return loaded


async def build_emergency_houses(platform: Platform) -> None:
    """Emergency households of Satun (91) through survey and construction, completed today."""
    async with (
        platform.client("survey") as survey,
        platform.client("construction") as construction,
        platform.client("finance") as finance,
    ):
        budget = await finance.post(
            "/v1/budgets",
            json={
                "programme": "EMERGENCY",
                "fiscal_year": fiscal_year_at(utcnow()),
                "area_level": "province",
                "area_code": "91",
                "amount_satang": PLATFORM_EMERGENCY * 5_000_000,
            },
        )
        assert budget.status_code == 201, budget.text
        for _ in range(PLATFORM_EMERGENCY):
            household_id = await approve_new_household(
                survey, programme="EMERGENCY", estimated_cost_satang=2_000_000, **EMERGENCY_AREA
            )

            async def planned(h: str = household_id) -> dict[str, Any] | None:
                return await house_work_of(construction, h)

            house = await eventually(planned, what="construction to open the house work")
            base = f"/v1/house-works/{house['id']}"
            team = "ทีมช่างชุมชน"
            steps: list[tuple[str, dict[str, Any]]] = [
                ("ready", {"reported_by": team}),
                ("start", {"reported_by": team}),
                (
                    "complete",
                    {
                        "inspected_by": "คณะกรรมการตรวจรับชุมชน",
                        "actual_cost_satang": 2_000_000,
                        "labour_days": 10,
                    },
                ),
            ]
            for step, body in steps:
                response = await construction.post(f"{base}/{step}", json=body)
                assert response.status_code == 200, f"{step}: {response.text}"


async def adopt_tambon_plan(survey: httpx.AsyncClient) -> None:
    administration = {
        "code": "6910101",
        "name_th": "เทศบาลเมืองสตูล",
        "kind": "town_municipality",
        "province_code": "91",
        "district_code": "9101",
    }
    response = await survey.put("/v1/local-administrations", json={"items": [administration]})
    assert response.status_code == 200, response.text
    plan = await survey.post(
        "/v1/tambon-plans",
        json={
            "subdistrict_code": "910101",
            "local_administration_code": "6910101",
            "first_fiscal_year": 2570,
            "years": 5,
            "drafted_by": "เครือข่ายบ้านพอเพียงตำบลพิมาน",
            "lines": [
                {
                    "programme": "BAAN_PHO_PHIANG",
                    "fiscal_year": 2570 + offset,
                    "need": "repair",
                    "households": 20 + offset,
                    "budget_satang": (20 + offset) * 1_900_000,
                    "communities": 4,
                }
                for offset in range(5)
            ],
        },
    )
    assert plan.status_code == 201, plan.text
    base = f"/v1/tambon-plans/{plan.json()['id']}"
    for step, by in (("agreement", "สภาองค์กรชุมชนตำบลพิมาน"), ("adoption", "นายกเทศมนตรี")):
        response = await survey.post(
            f"{base}/{step}", json={"by": by, "on": date.today().isoformat()}
        )
        assert response.status_code == 200, response.text


async def cumulative(reporting: httpx.AsyncClient, first: int, last: int) -> dict[str, Any]:
    response = await reporting.get(
        "/v1/reports/cumulative", params={"from_year": first, "to_year": last}
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_the_2003_2022_cumulative_table_comes_out_exactly(platform: Platform) -> None:
    started = time.monotonic()
    async with platform.client("reporting") as reporting:
        loaded = await load_history(reporting)
        print(f"\nloaded {loaded} historical records in {time.monotonic() - started:.1f} s")
        report = await cumulative(reporting, FIRST_YEAR, LAST_YEAR)
    rows = {row["programme"]: row for row in report["rows"]}
    assert set(rows) == set(TABLE)
    for programme, (scope, places, reached) in TABLE.items():
        row = rows[programme]
        assert row["reached"] == reached, programme
        if scope is not None:
            assert row[scope] == places, programme
    assert (rows["HOMELESS"]["unit"], rows["HOMELESS"]["persons"]) == ("persons", 1_395)
    assert report["total"] == TOTAL

    await build_emergency_houses(platform)
    async with platform.client("survey") as survey:
        await adopt_tambon_plan(survey)
    this_year = fiscal_year_at(utcnow())
    satun = platform.issuer.mint_token("satun-office", [REPORTS_READ], ["91"])
    async with platform.client("reporting", token=satun) as satun_reporting:

        async def counted() -> dict[str, Any] | None:
            report = await cumulative(satun_reporting, FIRST_YEAR, this_year)
            rows = {row["programme"]: row for row in report["rows"]}
            emergency = rows.get("EMERGENCY")
            return emergency if emergency and emergency["reached"] == PLATFORM_EMERGENCY else None

        emergency = await eventually(counted, what="reporting to count Satun's houses")
        print(f"reported after {time.monotonic() - started:.1f} s")
        assert emergency["platform"]["households"] == PLATFORM_EMERGENCY
        assert emergency["historical"]["households"] == 0  # the records are the country's

    async with platform.client("reporting") as reporting:
        long_view = await cumulative(reporting, FIRST_YEAR, this_year)
        emergency = {row["programme"]: row for row in long_view["rows"]}["EMERGENCY"]
        assert emergency["historical"]["households"] == 6_041
        assert emergency["platform"]["households"] >= PLATFORM_EMERGENCY
        assert emergency["reached"] == 6_041 + emergency["platform"]["households"]

        async def plan_reported() -> dict[str, Any] | None:
            response = await reporting.get(
                "/v1/reports/plans",
                params={"fiscal_year": 2572, "level": "subdistrict", "province_code": "91"},
            )
            found = [r for r in response.json()["rows"] if r["area_code"] == "910101"]
            return found[0] if found and found[0]["planned_households"] else None

        plan = await eventually(plan_reported, what="reporting to roll up the adopted plan")
        assert (plan["planned_households"], plan["planned_communities"]) == (22, 4)

"""Adopted tambon plans in reporting: rolled up per fiscal year against target and achieved."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_factories import Household, apply_events, journey, plan_line, tambon_plan

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    EventData,
    TambonPlanSuperseded,
)
from baan_shared.ids import new_id
from baan_testkit.events import cloud_event

RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


def _event(data: EventData) -> CloudEvent:
    return cloud_event(data, time=datetime(2024, 10, 20, tzinfo=UTC))


def adopted(
    subdistrict: str, households: int, *, plan_id: uuid.UUID | None = None, **extra: Any
) -> CloudEvent:
    return _event(
        tambon_plan(
            plan_line(2568, households, communities=2),
            plan_line(2569, 7, need="rebuild", satang_per_household=5_000_000),
            subdistrict=subdistrict,
            adopted_on=date(2024, 10, 15),
            plan_id=plan_id,
            **extra,
        )
    )


def superseded(old: CloudEvent, by: CloudEvent) -> CloudEvent:
    return _event(
        TambonPlanSuperseded(
            plan_id=old.data["plan_id"],
            province_code=old.data["province_code"],
            district_code=old.data["district_code"],
            subdistrict_code=old.data["subdistrict_code"],
            superseded_by_plan_id=by.data["plan_id"],
            superseded_on=date(2025, 1, 10),
        )
    )


async def report(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/reports/plans", params={"fiscal_year": 2568, **params})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_plans_roll_up_to_province_region_and_country_against_target_and_completed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, [adopted("570101", 30), adopted("570102", 20), adopted("103801", 5)])
    await apply_events(app, journey("completed", household=Household(province_code="57")))
    target = {
        "programme": "BAAN_PHO_PHIANG",
        "fiscal_year": 2568,
        "period": "year",
        "area_level": "province",
        "area_code": "57",
        "unit": "households",
        "quantity": 40,
    }
    assert (await client.put("/v1/targets", json={"targets": [target]})).status_code == 200

    provinces = await report(client, level="province")
    by_area = {row["area_code"]: row for row in provinces["rows"]}
    chiang_rai = by_area["57"]
    assert (chiang_rai["planned_households"], chiang_rai["tambons_planned"]) == (50, 2)
    assert chiang_rai["planned_budget_satang"] == 50 * 1_900_000
    assert (chiang_rai["target"], chiang_rai["completed"]) == (40, 1)
    assert chiang_rai["planned_percent_of_target"] == 125.0
    assert by_area["10"]["planned_households"] == 5
    regions = {r["area_code"]: r["planned_households"] for r in (await report(client))["rows"]}
    assert regions == {"BVE": 5, "CW": 0, "N": 50, "NE": 0, "S": 0}
    country = await report(client, level="country")
    assert [row["planned_households"] for row in country["totals"]] == [55]
    districts = await report(client, level="subdistrict", province_code="57")
    assert {r["area_code"]: r["planned_households"] for r in districts["rows"]} == {
        "570101": 30,
        "570102": 20,
    }
    later = await report(client, fiscal_year=2569, level="country")
    assert [row["planned_households"] for row in later["rows"]] == [21]


async def test_a_superseded_plan_no_longer_counts_and_a_redelivered_adoption_counts_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    first = adopted("570101", 30)
    second = adopted("570101", 12, supersedes_plan_id=first.data["plan_id"])
    await apply_events(app, [first, first.model_copy(update={"id": new_id()})])
    assert [r["planned_households"] for r in (await report(client, level="country"))["rows"]] == [
        30
    ]
    await apply_events(app, [second, superseded(first, second)])
    assert [r["planned_households"] for r in (await report(client, level="country"))["rows"]] == [
        12
    ]


async def test_another_provinces_plans_are_not_in_a_provincial_offices_report(
    app: FastAPI, chiang_rai_client: httpx.AsyncClient
) -> None:
    await apply_events(app, [adopted("570101", 30), adopted("103801", 5)])
    rows = (await report(chiang_rai_client, level="country"))["rows"]
    assert [row["planned_households"] for row in rows] == [30]


async def test_the_plan_report_exports_as_csv_with_thai_headers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, [adopted("570101", 30)])
    response = await client.get(
        "/v1/reports/plans/export", params={"fiscal_year": 2568, "level": "province"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("โครงการ / Programme")
    assert "BAAN_PHO_PHIANG,province,57" in text

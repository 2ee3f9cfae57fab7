"""Builders for construction tests: approvals as survey publishes them, and quick reads.

Tests override only what they are about.
"""

from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected, HouseholdApproved
from baan_shared.fiscal import fiscal_year_be
from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.events import cloud_event
from baan_testkit.outbox import outbox_rows, payload

UNKNOWN_ID = "0190f5d2-0000-7000-8000-000000000000"


def household_approved(**overrides: Any) -> HouseholdApproved:
    fields: dict[str, Any] = {
        "household_id": new_id(),
        "programme": "BAAN_PHO_PHIANG",
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": "570101",
        "fiscal_year": 2569,
        "household_size": 4,
        "need": "repair",
        "estimated_cost_satang": 2_000_000,
        "approved_at": datetime(2026, 1, 15, 3, 0, tzinfo=UTC),
        "approved_by": "คณะกรรมการชุมชน",
    }
    fields.update(overrides)
    return HouseholdApproved(**fields)


def approval_event(data: HouseholdApproved | None = None, **overrides: Any) -> CloudEvent:
    """A ``household.approved`` CloudEvent shaped as survey's outbox relay sends it."""
    return cloud_event(data or household_approved(**overrides))


def grant_rejected_event(household_id: Any, *, at: datetime, **overrides: Any) -> CloudEvent:
    """A ``grant.rejected`` CloudEvent as finance's relay sends it, stamped ``at``."""
    fields: dict[str, Any] = {
        "grant_id": new_id(),
        "household_id": household_id,
        "programme": "BAAN_PHO_PHIANG",
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": "570101",
        "fiscal_year": 2569,
        "reason": "the programme's budget for the area is used up",
    }
    fields.update(overrides)
    return cloud_event(GrantRejected(**fields), time=at)


async def plan_house(app: FastAPI, **overrides: Any) -> str:
    """An approved household's planned house work; returns its id."""
    data = household_approved(**overrides)
    await deliver(app, approval_event(data))
    rows = await outbox_rows(app, "house.planned")
    house_ids = [
        p["house_id"] for p in map(payload, rows) if p["household_id"] == str(data.household_id)
    ]
    assert len(house_ids) == 1
    return str(house_ids[0])


def shared_house_fields(house: dict[str, Any], on: str | None = None) -> dict[str, Any]:
    """What every house event must carry, taken from the house work as the API shows it;
    an event reporting the day ``on`` counts in that day's fiscal year."""
    return {
        "house_id": house["id"],
        "household_id": house["household_id"],
        "community_id": house["community_id"],
        "project_id": house["project_id"],
        "programme": house["programme"],
        "province_code": house["province_code"],
        "district_code": house["district_code"],
        "subdistrict_code": house["subdistrict_code"],
        "fiscal_year": fiscal_year_be(date.fromisoformat(on)) if on else house["fiscal_year"],
        "estimated_cost_satang": house["estimated_cost_satang"],
    }


def project_body(**overrides: Any) -> dict[str, Any]:
    """A tambon project in the area ``household_approved`` uses by default."""
    body: dict[str, Any] = {
        "name": "บ้านพอเพียง ต.ศรีภูมิ",
        "programme": "BAAN_PHO_PHIANG",
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": "570101",
        "planned_start_on": "2026-02-01",
        "planned_end_on": "2026-09-30",
        "created_by": "ผู้ประสานงาน พอช.",
    }
    body.update(overrides)
    return body


async def create_project(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/projects", json=project_body(**overrides))
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def assign(client: httpx.AsyncClient, project_id: str, *house_ids: str) -> None:
    response = await client.post(
        f"/v1/projects/{project_id}/house-works", json={"house_work_ids": list(house_ids)}
    )
    assert response.status_code == 200, response.text


async def post(client: httpx.AsyncClient, house_id: str, action: str, **body: Any) -> Any:
    """POST a report to a house work and insist it succeeded."""
    response = await client.post(f"/v1/house-works/{house_id}/{action}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def under_construction(app: FastAPI, client: httpx.AsyncClient, **overrides: Any) -> str:
    """A planned house work taken through ready and start; returns its id."""
    house_id = await plan_house(app, **overrides)
    await post(client, house_id, "ready", reported_by="ผู้ประสานงาน")
    await post(client, house_id, "start", reported_by="ผู้ประสานงาน")
    return house_id


def purchase_order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "item": "ปูนซีเมนต์",
        "quantity": 100,
        "unit": "ถุง",
        "unit_price_satang": 14_500,
        "supplier": "ร้านวัสดุก่อสร้าง ต.ศรีภูมิ",
        "ordered_by": "คณะกรรมการจัดซื้อ",
    }
    body.update(overrides)
    return body


async def create(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a new resource and insist it was created."""
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created

"""Builders for the events finance consumes, and a way to deliver them.

Tests override only what they are about; every event is a real catalogue
model wrapped in a CloudEvent, as the consumer would decode it.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from finance_auth import national_headers

from baan_shared.clock import utcnow
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    EventData,
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseMilestoneReached,
    WelfareMatchApproved,
)
from baan_shared.ids import new_id
from baan_testkit.events import cloud_event
from baan_testkit.outbox import outbox_events

CANAL_GRANT_SATANG = 14_700_000  # 147,000 THB
FISCAL_YEAR = 2569  # of the events below
# What the ``funded`` fixture allocates nationally to each programme the tests use.
NATIONAL_BUDGET_SATANG = 10_000_000_000  # 100 million THB
FUNDED_PROGRAMMES = ("CANAL", "BAAN_PHO_PHIANG", "BAAN_MANKONG", "EMERGENCY")


def _area(overrides: dict[str, Any]) -> dict[str, Any]:
    area = {
        "programme": "CANAL",
        "province_code": "10",
        "district_code": "1005",
        "subdistrict_code": "100502",
        "fiscal_year": 2569,
    }
    area.update({k: overrides.pop(k) for k in list(overrides) if k in area})
    return area


def household_approved(household_id: uuid.UUID, **overrides: Any) -> CloudEvent:
    fields: dict[str, Any] = {
        "household_id": household_id,
        "household_size": 4,
        "need": "rebuild",
        "estimated_cost_satang": 25_000_000,
        "approved_at": datetime(2026, 1, 15, 3, 0, tzinfo=UTC),
        "approved_by": "คณะกรรมการชุมชน",
    }
    area = _area(overrides)
    fields.update(overrides)
    return cloud_event(HouseholdApproved(**area, **fields), source="/services/survey")


def _house(
    model: type[EventData], household_id: uuid.UUID, house_id: uuid.UUID | None, **fields: Any
) -> CloudEvent:
    common: dict[str, Any] = {
        "household_id": household_id,
        "house_id": house_id or uuid.uuid5(uuid.NAMESPACE_URL, f"house:{household_id}"),
        "estimated_cost_satang": 25_000_000,
    }
    area = _area(fields)
    common.update(fields)
    return cloud_event(model(**area, **common), source="/services/construction")


def construction_started(
    household_id: uuid.UUID, house_id: uuid.UUID | None = None, **overrides: Any
) -> CloudEvent:
    fields = {"started_on": date(2026, 2, 1), **overrides}
    return _house(HouseConstructionStarted, household_id, house_id, **fields)


def milestone_reached(
    household_id: uuid.UUID, milestone: str, house_id: uuid.UUID | None = None, **overrides: Any
) -> CloudEvent:
    fields = {"milestone": milestone, "percent": 60, "reached_on": date(2026, 3, 1), **overrides}
    return _house(HouseMilestoneReached, household_id, house_id, **fields)


def house_completed(
    household_id: uuid.UUID, house_id: uuid.UUID | None = None, **overrides: Any
) -> CloudEvent:
    fields = {
        "completed_on": date(2026, 5, 1),
        "actual_cost_satang": 24_000_000,
        "labour_days": 120,
        **overrides,
    }
    return _house(HouseCompleted, household_id, house_id, **fields)


def budget_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "CANAL",
        "fiscal_year": FISCAL_YEAR,
        "area_level": "province",
        "area_code": "10",
        "amount_satang": 100_000_000,
    }
    body.update(overrides)
    return body


async def allocate(app: FastAPI, **overrides: Any) -> dict[str, Any]:
    """Allocate a budget through finance's own API; the budget after it, as JSON."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
        response = await http.post("/v1/budgets", json=budget_body(**overrides))
    assert response.status_code == 201, response.text
    budget: dict[str, Any] = response.json()["budget"]
    return budget


async def fund_nationally(app: FastAPI) -> None:
    for programme in FUNDED_PROGRAMMES:
        await allocate(
            app,
            programme=programme,
            area_level="country",
            area_code="TH",
            amount_satang=NATIONAL_BUDGET_SATANG,
        )


def loan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "borrower_type": "household",
        "borrower_id": str(new_id()),
        "programme": "CANAL",
        "province_code": "10",
        "district_code": "1005",
        "subdistrict_code": "100502",
        "principal_satang": 10_000_000,
        "annual_interest_rate_bp": 1_200,
        "term_months": 12,
    }
    body.update(overrides)
    return body


async def grant_events(app: FastAPI) -> list[dict[str, Any]]:
    """The ``finance.grants`` events recorded for publication, oldest first."""
    return [e for e in await outbox_events(app) if e["topic"] == "finance.grants"]


async def active_loan(client: httpx.AsyncClient, **overrides: Any) -> str:
    """A loan approved and paid out on 1 January 2026, first instalment due on the 31st."""
    created = await client.post("/v1/loans", json=loan_body(**overrides))
    assert created.status_code == 201, created.text
    loan_id: str = created.json()["id"]
    paid_out = await client.post(
        f"/v1/loans/{loan_id}/disburse",
        json={"disbursed_on": "2026-01-01", "first_due_on": "2026-01-31"},
    )
    assert paid_out.status_code == 200, paid_out.text
    return loan_id


async def loan_detail(client: httpx.AsyncClient, loan_id: str, as_of: str) -> dict[str, Any]:
    """The loan as ``GET /v1/loans/{id}`` shows it on ``as_of``."""
    response = await client.get(f"/v1/loans/{loan_id}", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def ledger_balances(client: httpx.AsyncClient) -> dict[str, int]:
    """Each account's balance from the trial balance, which must balance."""
    trial = (await client.get("/v1/ledger/trial-balance")).json()
    assert trial["balanced"] is True
    return {a["code"]: a["balance_satang"] for a in trial["accounts"]}


def welfare_match_approved(**area: str) -> CloudEvent:
    """Welfare's approval of the agency's 1:1 match of a fund's contributions, in
    Bangkok's tambon 100502 unless ``province_code``/``district_code``/
    ``subdistrict_code`` say otherwise."""
    data = WelfareMatchApproved(
        welfare_fund_id=new_id(),
        province_code=area.get("province_code", "10"),
        district_code=area.get("district_code", "1005"),
        subdistrict_code=area.get("subdistrict_code", "100502"),
        match_request_id=new_id(),
        matcher="agency",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31),
        amount_satang=3_650_000,
        approved_at=utcnow(),
        approved_by="CODI welfare desk",
    )
    return cloud_event(data, source="/services/welfare")

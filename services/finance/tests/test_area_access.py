"""Per-area permissions on the finance API: a Bangkok office (10) sees, changes and
opens only Bangkok's loans, grants and revolving funds; Chiang Rai's (57) are
absent from its lists and answer 404 one by one, as if they did not exist."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import budget_body, deliver, household_approved, loan_body

from baan_shared.auth import Principal
from baan_shared.auth.testing import area_leaks
from baan_shared.ids import new_id

CHIANG_RAI = {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"}


async def _fund(client: httpx.AsyncClient, code: str, province: str) -> dict[str, Any]:
    response = await client.post(
        "/v1/revolving-funds",
        json={"scope": "subdistrict", "code": code, "name": "กองทุน", "province_code": province},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def two_provinces(app: FastAPI, funded: None, client: httpx.AsyncClient) -> dict[str, Any]:
    """A loan, a grant and a fund in Bangkok and in Chiang Rai, made by the national office."""
    seeded: dict[str, Any] = {}
    for name, area in (("bangkok", {}), ("chiang_rai", CHIANG_RAI)):
        loan = await client.post("/v1/loans", json=loan_body(**area))
        assert loan.status_code == 201, loan.text
        household_id = new_id()
        await deliver(app, household_approved(household_id, **area))
        grant = (await client.get(f"/v1/grants/by-household/{household_id}")).json()
        fund = await _fund(
            client, area.get("subdistrict_code", "100502"), area.get("province_code", "10")
        )
        seeded[name] = {
            "loan": loan.json()["id"],
            "household": household_id,
            "grant": grant["grant_id"],
            "fund": fund["id"],
        }
    return seeded


async def test_no_list_shows_another_provinces_rows(
    app: FastAPI, two_provinces: dict[str, Any], bangkok_client: httpx.AsyncClient
) -> None:
    assert await area_leaks(bangkok_client, app, Principal.of("bangkok", areas=["10"])) == {}
    for path in ("/v1/loans", "/v1/grants", "/v1/revolving-funds"):
        items = (await bangkok_client.get(path)).json()["items"]
        assert len(items) == 1, path
        assert {item["province_code"] for item in items} == {"10"}, path


async def test_another_provinces_records_are_404(
    two_provinces: dict[str, Any], bangkok_client: httpx.AsyncClient
) -> None:
    theirs, ours = two_provinces["chiang_rai"], two_provinces["bangkok"]
    for path in (
        f"/v1/loans/{theirs['loan']}",
        f"/v1/grants/{theirs['grant']}",
        f"/v1/grants/by-household/{theirs['household']}",
        f"/v1/revolving-funds/{theirs['fund']}",
    ):
        response = await bangkok_client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    for path in (
        f"/v1/loans/{ours['loan']}",
        f"/v1/grants/{ours['grant']}",
        f"/v1/revolving-funds/{ours['fund']}",
    ):
        assert (await bangkok_client.get(path)).status_code == 200, path


async def test_another_provinces_loan_cannot_be_paid_out_or_into(
    client: httpx.AsyncClient, two_provinces: dict[str, Any], bangkok_client: httpx.AsyncClient
) -> None:
    loan_id = two_provinces["chiang_rai"]["loan"]
    disbursed = await bangkok_client.post(
        f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"}
    )
    deposit = await bangkok_client.post(
        f"/v1/revolving-funds/{two_provinces['chiang_rai']['fund']}/deposits",
        json={"amount_satang": 100, "reference": "D-1"},
    )
    assert disbursed.status_code == 404
    assert deposit.status_code == 404
    assert (await client.get(f"/v1/loans/{loan_id}")).json()["status"] == "approved"


async def test_opening_a_loan_or_fund_in_another_province_is_403(
    two_provinces: dict[str, Any], bangkok_client: httpx.AsyncClient
) -> None:
    loan = await bangkok_client.post("/v1/loans", json=loan_body(**CHIANG_RAI))
    fund = await bangkok_client.post(
        "/v1/revolving-funds",
        json={"scope": "subdistrict", "code": "570102", "name": "กองทุน", "province_code": "57"},
    )
    assert loan.status_code == 403
    assert loan.headers["content-type"] == "application/problem+json"
    assert fund.status_code == 403
    assert len((await bangkok_client.get("/v1/loans")).json()["items"]) == 1


async def test_budgets_are_seen_and_allocated_only_in_the_clients_areas(
    client: httpx.AsyncClient, funded: None, bangkok_client: httpx.AsyncClient
) -> None:
    """Budgets name their area by level and code: Bangkok sees its province's and
    its districts' budgets, not Chiang Rai's and not the national ones."""
    ids = {}
    for level, code in (("province", "10"), ("district", "1005"), ("province", "57")):
        allocated = await client.post(
            "/v1/budgets", json=budget_body(area_level=level, area_code=code)
        )
        assert allocated.status_code == 201, allocated.text
        ids[code] = allocated.json()["budget"]["id"]
    listed = (await bangkok_client.get("/v1/budgets")).json()["items"]
    assert sorted(b["area_code"] for b in listed) == ["10", "1005"]
    assert (await bangkok_client.get(f"/v1/budgets/{ids['57']}")).status_code == 404
    assert (await bangkok_client.get(f"/v1/budgets/{ids['1005']}")).status_code == 200
    refused = await bangkok_client.post(
        "/v1/budgets", json=budget_body(area_level="province", area_code="57")
    )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "body.area_code"


async def test_another_provinces_household_reconciliation_is_404(
    two_provinces: dict[str, Any], bangkok_client: httpx.AsyncClient
) -> None:
    theirs = two_provinces["chiang_rai"]["household"]
    ours = two_provinces["bangkok"]["household"]
    refused = await bangkok_client.get(f"/v1/reconciliation/households/{theirs}")
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    mine = await bangkok_client.get(f"/v1/reconciliation/households/{ours}")
    assert mine.status_code == 200
    assert mine.json()["grant_id"] == two_provinces["bangkok"]["grant"]

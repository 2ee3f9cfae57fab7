"""Per-area permissions on the finance API: a Bangkok office (10) sees, changes and
opens only Bangkok's loans, grants, budgets and revolving funds; Chiang Rai's (57)
are absent from its lists and answer 404 one by one, as if they did not exist.
The national trial balance is for national clients only.

Every test runs on SQLite and on PostgreSQL (the area filters are SQL: budgets'
codes are derived in the query, and the two databases must agree)."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import budget_body, household_approved, loan_body, welfare_match_approved

from baan_shared.auth import Principal
from baan_shared.ids import new_id
from baan_testkit.apps import ON_BOTH_DATABASES, database_url, running_app, service_settings
from baan_testkit.areas import area_leaks
from baan_testkit.delivery import deliver
from baan_testkit.outbox import outbox_events


@pytest.fixture(params=ON_BOTH_DATABASES)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The finance app on SQLite, then on a fresh PostgreSQL database."""
    settings = service_settings(
        "finance", tmp_path, database_url=database_url(request, tmp_path, "finance")
    )
    async with running_app("finance", settings) as application:
        yield application


def masked(problem: Any, *ids: object) -> Any:
    """The problem JSON with each id replaced by ``<id>``."""
    text = json.dumps(problem, ensure_ascii=False)
    for identifier in ids:
        text = text.replace(str(identifier), "<id>")
    return json.loads(text)


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
        await deliver(app, welfare_match_approved(**area))  # waits: no welfare budget
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
    bangkok = Principal.of("bangkok", areas=["10"])
    # The trial balance is national and refuses area-bound clients (tested below).
    skip = ("/health", "/metrics", "/v1/audit-log", "/v1/ledger/trial-balance")
    assert await area_leaks(bangkok_client, app, bangkok, skip=skip) == {}
    for path in ("/v1/loans", "/v1/grants", "/v1/revolving-funds", "/v1/welfare-match-payments"):
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


def test_every_collection_is_checked_for_leaks(app: FastAPI) -> None:
    """A new list, search, export or report fails here until it is thought about:
    either covered by ``area_leaks`` above or deliberately national."""
    from baan_testkit.areas import collection_paths

    assert sorted(collection_paths(app, skip=("/health", "/metrics"))) == [
        "/v1/audit-log",  # national by design (ADR 0003): auditors hold audit:read
        "/v1/budgets",
        "/v1/grants",
        "/v1/ledger/trial-balance",  # national clients only: test below
        "/v1/loans",
        "/v1/revolving-funds",
        "/v1/welfare-match-payments",
    ]


async def test_the_trial_balance_is_refused_to_an_area_bound_client(
    two_provinces: dict[str, Any], bangkok_client: httpx.AsyncClient
) -> None:
    refused = await bangkok_client.get("/v1/ledger/trial-balance")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["errors"][0]["field"] == "header.Authorization"
    assert problem["errors"][0]["code"] == "national-only"
    assert "national" in problem["errors"][0]["reason"]
    assert "accounts" not in problem


async def test_the_trial_balance_is_national_for_a_national_client(
    two_provinces: dict[str, Any], client: httpx.AsyncClient
) -> None:
    trial = await client.get("/v1/ledger/trial-balance")
    assert trial.status_code == 200, trial.text
    body = trial.json()
    assert body["balanced"] is True
    # Both provinces' grants are reserved in it, not only one office's.
    balances = {a["code"]: a["balance_satang"] for a in body["accounts"]}
    assert balances["grant_expense"] == 2 * 14_700_000


async def _disbursed_loan(client: httpx.AsyncClient, **area: str) -> str:
    loan = await client.post("/v1/loans", json=loan_body(**area))
    assert loan.status_code == 201, loan.text
    loan_id: str = loan.json()["id"]
    paid = await client.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
    assert paid.status_code == 200, paid.text
    return loan_id


async def test_an_arrears_review_lists_and_marks_only_the_clients_loans(
    app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    ours = await _disbursed_loan(client)
    theirs = await _disbursed_loan(client, **CHIANG_RAI)

    reviewed = await bangkok_client.post("/v1/loans/arrears-review", params={"as_of": "2026-03-01"})
    assert reviewed.status_code == 200, reviewed.text
    listed = reviewed.json()["in_arrears"]
    assert [(x["loan"]["id"], x["reported"]) for x in listed] == [(ours, True)]
    assert [e["loan_id"] for e in await outbox_events(app, "loan.in_arrears")] == [ours]

    # Chiang Rai's loan was left untouched: the national review still reports it,
    # and only it (Bangkok's bucket was already reported).
    national = await client.post("/v1/loans/arrears-review", params={"as_of": "2026-03-01"})
    assert {x["loan"]["id"]: x["reported"] for x in national.json()["in_arrears"]} == {
        ours: False,
        theirs: True,
    }
    assert sorted(e["loan_id"] for e in await outbox_events(app, "loan.in_arrears")) == sorted(
        [ours, theirs]
    )


async def test_a_household_with_loans_but_no_grant_is_placed_by_its_loans(
    client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    theirs, ours, unknown = new_id(), new_id(), new_id()
    for household, area in ((theirs, CHIANG_RAI), (ours, {})):
        made = await client.post("/v1/loans", json=loan_body(borrower_id=str(household), **area))
        assert made.status_code == 201, made.text

    refused = await bangkok_client.get(f"/v1/reconciliation/households/{theirs}")
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    mine = await bangkok_client.get(f"/v1/reconciliation/households/{ours}")
    assert mine.status_code == 200, mine.text
    assert (mine.json()["status"], mine.json()["loans"]) == ("no_grant", 1)
    # Elsewhere is nowhere (issue 14): a household finance knows nothing of answers
    # the area-bound client exactly as another area's, once the id is masked...
    nothing = await bangkok_client.get(f"/v1/reconciliation/households/{unknown}")
    assert nothing.status_code == 404
    assert masked(refused.json(), theirs) == masked(nothing.json(), unknown)
    # ...while a national client, for whom there is no elsewhere, still gets zeros.
    zeros = await client.get(f"/v1/reconciliation/households/{unknown}")
    assert (zeros.status_code, zeros.json()["status"], zeros.json()["loans"]) == (
        200,
        "no_grant",
        0,
    )
    national = await client.get(f"/v1/reconciliation/households/{theirs}")
    assert (national.status_code, national.json()["loans"]) == (200, 1)


async def test_a_households_loans_in_another_area_are_not_counted_for_the_client(
    app: FastAPI, funded: None, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    household = new_id()
    await deliver(app, household_approved(household))  # its grant is Bangkok's
    for area in ({}, CHIANG_RAI):
        made = await client.post(
            "/v1/loans",
            json=loan_body(borrower_id=str(household), principal_satang=1_000_000, **area),
        )
        assert made.status_code == 201, made.text
    seen = (await bangkok_client.get(f"/v1/reconciliation/households/{household}")).json()
    assert seen["loans"] == 1
    assert (await client.get(f"/v1/reconciliation/households/{household}")).json()["loans"] == 2


async def test_another_areas_loan_and_budget_cannot_be_changed(
    client: httpx.AsyncClient, funded: None, bangkok_client: httpx.AsyncClient
) -> None:
    """Every write on one record checks its area: 404, and nothing changes."""
    loan_id = await _disbursed_loan(client, **CHIANG_RAI)
    paid = await client.post(
        f"/v1/loans/{loan_id}/repayments",
        json={"payment_reference": "BANK-CR-1", "amount_satang": 500_000, "paid_on": "2026-02-01"},
    )
    assert paid.status_code == 201, paid.text
    budget = await client.post(
        "/v1/budgets", json=budget_body(area_level="province", area_code="57")
    )
    allocation = budget.json()["allocation"]["id"]
    budget_id = budget.json()["budget"]["id"]
    attempts = {
        f"/v1/loans/{loan_id}/repayments": {
            "payment_reference": "BANK-BKK-1",
            "amount_satang": 100_000,
            "paid_on": "2026-02-02",
        },
        f"/v1/loans/{loan_id}/repayments/{paid.json()['id']}/reversal": {"reason": "bounced"},
        f"/v1/loans/{loan_id}/reschedule": {
            "reason": "อุทกภัย",
            "effective_on": "2026-06-01",
            "first_due_on": "2026-07-01",
            "term_months": 24,
        },
        f"/v1/budgets/{budget_id}/allocations/{allocation}/reversal": {"reason": "mis-keyed"},
    }
    for path, body in attempts.items():
        response = await bangkok_client.post(path, json=body)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    loan = (await client.get(f"/v1/loans/{loan_id}")).json()
    assert [r["payment_reference"] for r in loan["repayments"]] == ["BANK-CR-1"]
    assert loan["repayments"][0]["reversed_at"] is None
    assert (loan["schedule_version"], loan["term_months"]) == (1, 12)
    assert (await client.get(f"/v1/budgets/{budget_id}")).json()["allocations"][0][
        "reversed_at"
    ] is None

"""Grants and the ledger on PostgreSQL, the production database.

Needs the ``baan`` pytest plugin (deploy/local), which starts a throwaway
PostgreSQL server; skipped when it is not loaded (``-p no:baan``).
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import (
    allocate,
    construction_started,
    deliver,
    house_completed,
    household_approved,
    kafka_record,
    loan_body,
    outbox,
)

from baan_shared.events import CloudEvent, topics
from baan_shared.ids import new_id
from finance.main import create_app
from finance.settings import FinanceSettings

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_app(request: pytest.FixtureRequest) -> AsyncIterator[FastAPI]:
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    settings = FinanceSettings(
        database_url=str(make_database("finance")),
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        consumer_retry_backoff_seconds=0.05,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def _get(app: FastAPI, url: str) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_grant_is_committed_and_paid_exactly(pg_app: FastAPI) -> None:
    await allocate(pg_app, programme="EMERGENCY", amount_satang=12_345_679)
    household_id = new_id()
    await deliver(
        pg_app,
        household_approved(household_id, programme="EMERGENCY", estimated_cost_satang=12_345_679),
    )
    await deliver(pg_app, construction_started(household_id, programme="EMERGENCY"))
    await deliver(pg_app, house_completed(household_id, programme="EMERGENCY"))

    grant = await _get(pg_app, f"/v1/grants/by-household/{household_id}")
    assert [d["amount_satang"] for d in grant["disbursements"]] == [4_938_271, 7_407_408]
    assert grant["outstanding_satang"] == 0
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    # Sums of bigints come back from PostgreSQL as numeric; the API still speaks integers.
    assert trial["debit_satang"] == trial["credit_satang"] == 3 * 12_345_679
    assert isinstance(trial["debit_satang"], int)
    assert {a["code"]: a["balance_satang"] for a in trial["accounts"]} == {
        "budget_appropriations": 12_345_679,
        "cash": 0,
        "grant_expense": 12_345_679,
        "grants_payable": 0,
    }


async def test_the_streams_of_one_household_applied_at_once_pay_once(pg_app: FastAPI) -> None:
    # One consumer per stream: approval and house events race to open the grant.
    consumer = pg_app.state.runtime.consumer
    await allocate(pg_app, amount_satang=14_700_000)
    household_id = new_id()
    events: list[tuple[CloudEvent, str]] = [
        (household_approved(household_id), topics.SURVEY_HOUSEHOLDS),
        (construction_started(household_id), topics.CONSTRUCTION_HOUSES),
        (house_completed(household_id), topics.CONSTRUCTION_HOUSES),
    ]
    await asyncio.gather(
        *(consumer.handle_record(kafka_record(event, topic)) for event, topic in events)
    )

    grant = await _get(pg_app, f"/v1/grants/by-household/{household_id}")
    assert sorted(d["tranche"] for d in grant["disbursements"]) == [1, 2]
    assert grant["disbursed_satang"] == grant["entitled_satang"] == 14_700_000
    assert [e["type"] for e in await outbox(pg_app)].count("grant.approved") == 1
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    assert trial["debit_satang"] == 3 * 14_700_000


async def test_approvals_racing_for_the_last_of_a_budget_never_overspend_it(
    pg_app: FastAPI,
) -> None:
    # Room for three grants and a half; twelve households approved at the same moment.
    budget = await allocate(pg_app, amount_satang=3 * 14_700_000 + 7_350_000)
    consumer = pg_app.state.runtime.consumer
    households = [new_id() for _ in range(12)]
    await asyncio.gather(
        *(
            consumer.handle_record(
                kafka_record(household_approved(household_id), topics.SURVEY_HOUSEHOLDS)
            )
            for household_id in households
        )
    )

    statuses = [
        (await _get(pg_app, f"/v1/grants/by-household/{household_id}"))["status"]
        for household_id in households
    ]
    assert sorted(statuses) == ["approved"] * 3 + ["rejected"] * 9
    after = await _get(pg_app, f"/v1/budgets/{budget['id']}")
    assert after["reserved_satang"] == 3 * 14_700_000
    assert after["free_satang"] == 7_350_000
    events = [e["type"] for e in await outbox(pg_app) if e["topic"] == topics.FINANCE_GRANTS]
    assert sorted(events) == ["grant.approved"] * 3 + ["grant.rejected"] * 9
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    balances = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    assert balances["grant_expense"] == balances["grants_payable"] == 3 * 14_700_000


async def test_the_same_repayment_sent_at_once_books_once(pg_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as http:
        created = await http.post("/v1/loans", json=loan_body())
        loan_id = created.json()["id"]
        await http.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})

        body = {
            "payment_reference": "BANK-RACE-1",
            "amount_satang": 500_000,
            "paid_on": "2026-02-01",
        }
        answers = await asyncio.gather(
            *(http.post(f"/v1/loans/{loan_id}/repayments", json=body) for _ in range(6))
        )
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    loan = await _get(pg_app, f"/v1/loans/{loan_id}")
    assert [r["payment_reference"] for r in loan["repayments"]] == ["BANK-RACE-1"]
    assert loan["outstanding_principal_satang"] == 10_000_000 - (500_000 - 100_000)
    assert len(await outbox(pg_app, "loan.repayment_received")) == 1
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    balances = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    assert balances["interest_income"] == 100_000


async def test_loans_racing_for_the_last_of_a_revolving_fund_never_overdraw_it(
    pg_app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as http:
        fund = (
            await http.post(
                "/v1/revolving-funds",
                json={
                    "scope": "community",
                    "code": "KLONG-01",
                    "name": "กองทุนชุมชนริมคลอง",
                    "province_code": "10",
                },
            )
        ).json()
        await http.post(
            f"/v1/revolving-funds/{fund['id']}/deposits",
            json={"amount_satang": 2_500_000, "reference": "SEED-1"},
        )
        loan_ids = [
            (
                await http.post(
                    "/v1/loans",
                    json=loan_body(
                        principal_satang=1_000_000,
                        revolving_fund_id=fund["id"],
                        financed_by_fund=True,
                    ),
                )
            ).json()["id"]
            for _ in range(6)
        ]
        answers = await asyncio.gather(
            *(
                http.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
                for loan_id in loan_ids
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 200] + [409] * 4
    after = await _get(pg_app, f"/v1/revolving-funds/{fund['id']}")
    assert (after["out_satang"], after["balance_satang"]) == (2_000_000, 500_000)
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    balances = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    assert balances[after["ledger_account"]] == 500_000
    assert balances["loans_receivable"] == 2_000_000

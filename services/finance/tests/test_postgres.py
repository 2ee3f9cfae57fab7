"""Grants and the ledger on PostgreSQL, the production database.

Needs the ``baan`` pytest plugin (deploy/local), which starts a throwaway
PostgreSQL server; skipped when it is not loaded (``-p no:baan``).
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import national_headers
from finance_factories import (
    allocate,
    construction_started,
    house_completed,
    household_approved,
    loan_body,
)
from sqlmodel import select

from baan_shared.events import CloudEvent, topics
from baan_shared.ids import new_id
from baan_testkit.apps import postgres_databases, running_app, service_settings
from baan_testkit.delivery import deliver
from baan_testkit.events import kafka_record, replay
from baan_testkit.outbox import outbox_events
from finance.ledger.models import Account

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """conftest's ``pg_app``, retrying a failed event quickly (the races here lose one)."""
    url = postgres_databases(request)("finance")
    settings = service_settings(
        "finance", tmp_path, database_url=url, consumer_retry_backoff_seconds=0.05
    )
    async with running_app("finance", settings) as app:
        yield app


async def _get(app: FastAPI, url: str) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
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
    assert [e["type"] for e in await outbox_events(pg_app)].count("grant.approved") == 1
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
    events = [e["type"] for e in await outbox_events(pg_app) if e["topic"] == topics.FINANCE_GRANTS]
    assert sorted(events) == ["grant.approved"] * 3 + ["grant.rejected"] * 9
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    balances = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    assert balances["grant_expense"] == balances["grants_payable"] == 3 * 14_700_000


async def test_the_same_repayment_sent_at_once_books_once(pg_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
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
    assert len(await outbox_events(pg_app, "loan.repayment_received")) == 1
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    balances = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    assert balances["interest_income"] == 100_000


async def test_loans_racing_for_the_last_of_a_revolving_fund_never_overdraw_it(
    pg_app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
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


async def test_house_events_racing_for_the_last_of_a_project_budget_never_overspend_it(
    pg_app: FastAPI,
) -> None:
    # Eight approved households join one project whose budget has room for three grants;
    # their construction starts at once, each moving its grant to the project's budget.
    project_id = new_id()
    tambon = await allocate(
        pg_app, area_level="subdistrict", area_code="100502", amount_satang=8 * 14_700_000
    )
    project = await allocate(
        pg_app, area_level="project", area_code=str(project_id), amount_satang=3 * 14_700_000
    )
    consumer = pg_app.state.runtime.consumer
    households = [new_id() for _ in range(8)]
    for household_id in households:
        await deliver(pg_app, household_approved(household_id))

    await asyncio.gather(
        *(
            consumer.handle_record(
                kafka_record(
                    construction_started(household_id, project_id=project_id),
                    topics.CONSTRUCTION_HOUSES,
                )
            )
            for household_id in households
        )
    )

    in_project = await _get(pg_app, f"/v1/budgets/{project['id']}")
    in_tambon = await _get(pg_app, f"/v1/budgets/{tambon['id']}")
    assert in_project["free_satang"] == 0
    assert in_project["reserved_satang"] + in_project["disbursed_satang"] == 3 * 14_700_000
    assert in_tambon["reserved_satang"] + in_tambon["disbursed_satang"] == 5 * 14_700_000
    grants = [await _get(pg_app, f"/v1/grants/by-household/{h}") for h in households]
    assert sorted(g["budget_id"] == project["id"] for g in grants) == [False] * 5 + [True] * 3
    # Every house got its first tranche exactly once, from whichever budget holds its grant.
    assert [len(g["disbursements"]) for g in grants] == [1] * 8
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True


async def test_the_same_stage_reported_many_times_at_once_pays_each_tranche_once(
    pg_app: FastAPI,
) -> None:
    # Construction retries: the same facts under new event ids, all arriving together.
    await allocate(pg_app, amount_satang=14_700_000)
    household_id = new_id()
    await deliver(pg_app, household_approved(household_id))
    consumer = pg_app.state.runtime.consumer
    started = construction_started(household_id)
    completed = house_completed(household_id)
    records = [replay(started) for _ in range(4)] + [replay(completed) for _ in range(4)]

    await asyncio.gather(
        *(consumer.handle_record(kafka_record(e, topics.CONSTRUCTION_HOUSES)) for e in records)
    )

    grant = await _get(pg_app, f"/v1/grants/by-household/{household_id}")
    assert sorted(d["tranche"] for d in grant["disbursements"]) == [1, 2]
    assert grant["disbursed_satang"] == 14_700_000
    assert len(await outbox_events(pg_app, "grant.disbursed")) == 2
    balances = {
        a["code"]: a["balance_satang"]
        for a in (await _get(pg_app, "/v1/ledger/trial-balance"))["accounts"]
    }
    assert balances["grants_payable"] == 0
    assert balances["cash"] == 0  # allocated 147,000 THB in, paid 147,000 THB out


async def test_a_loan_disbursed_at_once_from_many_requests_is_paid_once(pg_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
        loan_id = (await http.post("/v1/loans", json=loan_body())).json()["id"]
        answers = await asyncio.gather(
            *(
                http.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
                for _ in range(6)
            )
        )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 5
    assert len(await outbox_events(pg_app, "loan.disbursed")) == 1
    balances = {
        a["code"]: a["balance_satang"]
        for a in (await _get(pg_app, "/v1/ledger/trial-balance"))["accounts"]
    }
    assert balances["loans_receivable"] == 10_000_000


async def test_a_repayment_posted_at_once_with_one_idempotency_key_books_once(
    pg_app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
        loan_id = (await http.post("/v1/loans", json=loan_body())).json()["id"]
        await http.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
        body = {
            "payment_reference": "BANK-KEY-1",
            "amount_satang": 500_000,
            "paid_on": "2026-02-01",
        }
        headers = {"Idempotency-Key": "counter-7-receipt-0042"}
        answers = await asyncio.gather(
            *(
                http.post(f"/v1/loans/{loan_id}/repayments", json=body, headers=headers)
                for _ in range(6)
            )
        )
        retried = await http.post(f"/v1/loans/{loan_id}/repayments", json=body, headers=headers)

    # Each answer is the first one (201) or "still running, retry" (409); never a 500.
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert retried.status_code == 201
    assert retried.json()["id"] in {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(await outbox_events(pg_app, "loan.repayment_received")) == 1
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True


async def test_a_repayment_reversed_at_once_from_many_requests_is_reversed_once(
    pg_app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
        loan_id = (await http.post("/v1/loans", json=loan_body())).json()["id"]
        await http.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
        paid = await http.post(
            f"/v1/loans/{loan_id}/repayments",
            json={
                "payment_reference": "BANK-BOUNCE",
                "amount_satang": 500_000,
                "paid_on": "2026-02-01",
            },
        )
        answers = await asyncio.gather(
            *(
                http.post(
                    f"/v1/loans/{loan_id}/repayments/{paid.json()['id']}/reversal",
                    json={"reason": "cheque bounced"},
                )
                for _ in range(5)
            )
        )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 4
    loan = await _get(pg_app, f"/v1/loans/{loan_id}")
    assert loan["outstanding_principal_satang"] == 10_000_000
    balances = {
        a["code"]: a["balance_satang"]
        for a in (await _get(pg_app, "/v1/ledger/trial-balance"))["accounts"]
    }
    assert (balances["loans_receivable"], balances["interest_income"]) == (10_000_000, 0)


async def _accounts_named(app: FastAPI, code: str) -> int:
    async with app.state.runtime.session_factory() as session:
        rows = await session.exec(select(Account).where(Account.code == code))
        return len(rows.all())


async def test_first_loans_disbursed_at_once_all_succeed_on_one_new_account(
    pg_app: FastAPI,
) -> None:
    """Issue 9: the first disbursements race to create ``loans_receivable`` (not in
    the seeded chart); each must succeed, and the account must exist once."""
    assert await _accounts_named(pg_app, "loans_receivable") == 0
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
        loan_ids = [
            (await http.post("/v1/loans", json=loan_body(principal_satang=1_000_000 * n))).json()[
                "id"
            ]
            for n in range(1, 7)
        ]
        answers = await asyncio.gather(
            *(
                http.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
                for loan_id in loan_ids
            )
        )
        # The first repayments race the same way to create ``interest_income``.
        repaid = await asyncio.gather(
            *(
                http.post(
                    f"/v1/loans/{loan_id}/repayments",
                    json={
                        "payment_reference": f"BANK-FIRST-{number}",
                        "amount_satang": 50_000,
                        "paid_on": "2026-02-01",
                    },
                )
                for number, loan_id in enumerate(loan_ids)
            )
        )
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert [a.status_code for a in repaid] == [201] * 6, [a.text for a in repaid]
    assert await _accounts_named(pg_app, "loans_receivable") == 1
    assert await _accounts_named(pg_app, "interest_income") == 1
    assert len(await outbox_events(pg_app, "loan.disbursed")) == 6
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    balances = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    interest = sum(r.json()["interest_satang"] for r in repaid)
    principal_repaid = sum(r.json()["principal_satang"] for r in repaid)
    assert interest > 0
    assert balances["loans_receivable"] == 21_000_000 - principal_repaid
    assert balances["interest_income"] == interest
    assert balances["cash"] == -21_000_000 + 6 * 50_000


async def test_first_allocations_of_a_new_budget_at_once_add_up_in_one_budget(
    pg_app: FastAPI,
) -> None:
    """The budget itself is a get-or-create too: racing first allocations to a new
    programme × year × area all land in the one budget."""
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
    ) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/v1/budgets",
                    json={
                        "programme": "CANAL",
                        "fiscal_year": 2569,
                        "area_level": "province",
                        "area_code": "57",
                        "amount_satang": 1_000_000 * n,
                    },
                )
                for n in range(1, 6)
            )
        )
        assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
        assert len({a.json()["budget"]["id"] for a in answers}) == 1
        listed = (await http.get("/v1/budgets", params={"area_code": "57"})).json()["items"]
    assert [b["allocated_satang"] for b in listed] == [15_000_000]
    trial = await _get(pg_app, "/v1/ledger/trial-balance")
    assert trial["balanced"] is True
    assert {a["code"]: a["balance_satang"] for a in trial["accounts"]}[
        "budget_appropriations"
    ] == 15_000_000

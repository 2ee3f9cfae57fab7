"""Loans over HTTP: approval within the cap, disbursement, repayments and arrears."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import allocate, household_approved, ledger_balances, loan_body, loan_detail

from baan_shared.events import topics
from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.outbox import outbox_events

# 100,000 THB at 12% a year over 12 months: PMT = 8,884.88 THB, first month's interest 1,000.
PMT = 888_488


async def _active_loan(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    created = await client.post("/v1/loans", json=loan_body(**overrides))
    assert created.status_code == 201, created.text
    loan_id = created.json()["id"]
    paid_out = await client.post(
        f"/v1/loans/{loan_id}/disburse",
        json={"disbursed_on": "2026-01-01", "first_due_on": "2026-01-31"},
    )
    assert paid_out.status_code == 200, paid_out.text
    body: dict[str, Any] = paid_out.json()
    return body


async def _repay(
    client: httpx.AsyncClient, loan_id: str, amount: Any, reference: str, paid_on: str
) -> httpx.Response:
    return await client.post(
        f"/v1/loans/{loan_id}/repayments",
        json={"payment_reference": reference, "amount_satang": amount, "paid_on": paid_on},
    )


class TestApproval:
    async def test_a_canal_household_may_borrow_up_to_360000_baht_in_all(
        self, client: httpx.AsyncClient
    ) -> None:
        household = str(new_id())
        first = await client.post(
            "/v1/loans", json=loan_body(borrower_id=household, principal_satang=30_000_000)
        )
        assert first.status_code == 201, first.text
        assert first.json()["status"] == "approved"
        rest = await client.post(
            "/v1/loans", json=loan_body(borrower_id=household, principal_satang=6_000_000)
        )
        assert rest.status_code == 201
        over = await client.post(
            "/v1/loans", json=loan_body(borrower_id=household, principal_satang=1)
        )
        assert over.status_code == 422
        assert over.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in over.json()["errors"]] == ["body.principal_satang"]
        assert "36000000 satang per household" in over.json()["detail"]

    async def test_a_cooperative_is_not_held_to_the_household_cap(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/v1/loans",
            json=loan_body(borrower_type="organisation", principal_satang=500_000_000),
        )
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"principal_satang": 100.5}, "body.principal_satang"),
            ({"principal_satang": -1}, "body.principal_satang"),
            ({"annual_interest_rate_bp": 1.5}, "body.annual_interest_rate_bp"),
            ({"term_months": 0}, "body.term_months"),
            ({"borrower_type": "company"}, "body.borrower_type"),
            ({"repayment_method": "balloon"}, "body.repayment_method"),
            ({"grace_months": 12}, "body"),
        ],
    )
    async def test_bad_terms_are_a_422_naming_the_field(
        self, app: FastAPI, client: httpx.AsyncClient, overrides: dict[str, Any], field: str
    ) -> None:
        response = await client.post("/v1/loans", json=loan_body(**overrides))
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
        assert (await client.get("/v1/loans")).json()["items"] == []
        assert await outbox_events(app) == []


class TestDisbursement:
    async def test_disbursing_fixes_the_schedule_and_moves_cash_to_the_receivable(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        assert loan["status"] == "active"
        assert loan["outstanding_principal_satang"] == 10_000_000
        assert loan["disbursement_reference"].startswith("LOAN-25")

        detail = await loan_detail(client, loan["id"], "2026-01-01")
        schedule = detail["schedule"]
        assert len(schedule) == 12
        assert schedule[0]["due_on"] == "2026-01-31"
        assert schedule[1]["due_on"] == "2026-02-28"
        assert (schedule[0]["interest_due_satang"], schedule[0]["principal_due_satang"]) == (
            100_000,
            788_488,
        )
        assert sum(i["principal_due_satang"] for i in schedule) == 10_000_000

        balances = await ledger_balances(client)
        assert balances["loans_receivable"] == 10_000_000
        assert balances["cash"] == -10_000_000
        events = await outbox_events(app)
        assert [(e["type"], e["topic"]) for e in events] == [
            ("loan.approved", topics.FINANCE_LOANS),
            ("loan.disbursed", topics.FINANCE_LOANS),
        ]
        assert events[1]["payment_reference"] == loan["disbursement_reference"]

    async def test_a_loan_is_disbursed_once(self, client: httpx.AsyncClient) -> None:
        loan = await _active_loan(client)
        again = await client.post(
            f"/v1/loans/{loan['id']}/disburse", json={"disbursed_on": "2026-01-02"}
        )
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"

    async def test_equal_principal_loans_repay_the_same_principal_each_month(
        self, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(
            client,
            principal_satang=12_000_000,
            annual_interest_rate_bp=600,
            repayment_method="equal_principal",
        )
        schedule = (await loan_detail(client, loan["id"], "2026-01-01"))["schedule"]
        assert {i["principal_due_satang"] for i in schedule} == {1_000_000}
        assert [i["interest_due_satang"] for i in schedule[:3]] == [60_000, 55_000, 50_000]


class TestRepayments:
    async def test_a_payment_goes_to_interest_then_principal_and_is_booked(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        response = await _repay(client, loan["id"], 150_000, "BANK-0001", "2026-01-31")
        assert response.status_code == 201, response.text
        repayment = response.json()
        assert (repayment["interest_satang"], repayment["principal_satang"]) == (100_000, 50_000)
        assert repayment["outstanding_principal_satang"] == 9_950_000

        balances = await ledger_balances(client)
        assert balances["interest_income"] == 100_000
        assert balances["loans_receivable"] == 9_950_000
        assert balances["cash"] == -10_000_000 + 150_000
        [event] = await outbox_events(app, "loan.repayment_received")
        assert event["payment_reference"] == "BANK-0001"
        assert event["outstanding_principal_satang"] == 9_950_000

    async def test_the_same_payment_reference_twice_gives_the_first_result_and_books_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        first = await _repay(client, loan["id"], PMT, "BANK-0002", "2026-01-31")
        before = await ledger_balances(client)
        again = await _repay(client, loan["id"], PMT, "BANK-0002", "2026-01-31")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert await ledger_balances(client) == before
        assert len(await outbox_events(app, "loan.repayment_received")) == 1

    async def test_a_reference_from_another_loan_is_a_conflict(
        self, client: httpx.AsyncClient
    ) -> None:
        one, other = await _active_loan(client), await _active_loan(client)
        await _repay(client, one["id"], 1_000, "BANK-0003", "2026-01-31")
        response = await _repay(client, other["id"], 1_000, "BANK-0003", "2026-01-31")
        assert response.status_code == 409

    async def test_an_early_payment_settles_the_next_instalments_in_order(
        self, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        response = await _repay(client, loan["id"], 2 * PMT, "BANK-0004", "2026-01-10")
        assert response.status_code == 201
        schedule = (await loan_detail(client, loan["id"], "2026-03-01"))["schedule"]
        paid = [i["interest_paid_satang"] + i["principal_paid_satang"] for i in schedule[:3]]
        assert paid == [PMT, PMT, 0]

    async def test_paying_everything_owed_repays_the_loan(self, client: httpx.AsyncClient) -> None:
        loan = await _active_loan(client, principal_satang=1_200_000, annual_interest_rate_bp=0)
        response = await _repay(client, loan["id"], 1_200_000, "BANK-0005", "2026-02-01")
        assert response.status_code == 201
        detail = await loan_detail(client, loan["id"], "2026-02-01")
        assert detail["status"] == "repaid"
        assert detail["outstanding_principal_satang"] == 0
        after = await _repay(client, loan["id"], 1, "BANK-0006", "2026-02-02")
        assert after.status_code == 409

    async def test_an_overpayment_is_refused_saying_what_is_owed_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client, principal_satang=1_200_000, annual_interest_rate_bp=0)
        before = await ledger_balances(client)
        response = await _repay(client, loan["id"], 1_200_001, "BANK-0007", "2026-02-01")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert [e["field"] for e in problem["errors"]] == ["body.amount_satang"]
        assert problem["payoff_satang"] == 1_200_000
        assert "overpayments are refused" in problem["detail"]
        assert await ledger_balances(client) == before
        assert await outbox_events(app, "loan.repayment_received") == []

    @pytest.mark.parametrize("amount", [100.5, 100.0, -5, 0, "100"])
    async def test_a_non_satang_amount_is_a_422(
        self, client: httpx.AsyncClient, amount: Any
    ) -> None:
        loan = await _active_loan(client)
        response = await _repay(client, loan["id"], amount, "BANK-0008", "2026-02-01")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.amount_satang"]

    async def test_a_payment_for_an_unknown_loan_is_404(self, client: httpx.AsyncClient) -> None:
        response = await _repay(client, str(new_id()), 1_000, "BANK-0009", "2026-02-01")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_loan_not_yet_disbursed_takes_no_payment(
        self, client: httpx.AsyncClient
    ) -> None:
        loan_id = (await client.post("/v1/loans", json=loan_body())).json()["id"]
        response = await _repay(client, loan_id, 1_000, "BANK-0010", "2026-02-01")
        assert response.status_code == 409


class TestArrears:
    async def test_days_past_due_and_bucket_follow_the_oldest_unpaid_instalment(
        self, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        assert (await loan_detail(client, loan["id"], "2026-01-31"))["arrears"] == {
            "as_of": "2026-01-31",
            "days_past_due": 0,
            "bucket": "current",
            "overdue_satang": 0,
        }
        late = (await loan_detail(client, loan["id"], "2026-03-05"))["arrears"]
        assert (late["days_past_due"], late["bucket"]) == (33, "31-60")
        assert late["overdue_satang"] == 2 * PMT

        # A late payment of the first instalment: the second is now the oldest unpaid.
        await _repay(client, loan["id"], PMT, "BANK-0011", "2026-03-05")
        late = (await loan_detail(client, loan["id"], "2026-03-05"))["arrears"]
        assert (late["days_past_due"], late["bucket"]) == (5, "1-30")

    async def test_the_review_publishes_each_bucket_a_loan_enters_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        await _active_loan(client)

        async def review(as_of: str) -> dict[str, Any]:
            response = await client.post("/v1/loans/arrears-review", params={"as_of": as_of})
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        assert (await review("2026-01-31"))["in_arrears"] == []
        first = await review("2026-02-10")
        assert len(first["in_arrears"]) == 2
        assert {x["arrears"]["bucket"] for x in first["in_arrears"]} == {"1-30"}
        assert all(x["reported"] for x in first["in_arrears"])
        again = await review("2026-02-11")
        assert not any(x["reported"] for x in again["in_arrears"])
        await review("2026-05-10")  # 99 days: over 90
        events = [
            e for e in await outbox_events(app, "loan.in_arrears") if e["loan_id"] == loan["id"]
        ]
        assert [(e["bucket"], e["days_past_due"]) for e in events] == [
            ("1-30", 10),
            ("over-90", 99),
        ]


class TestHouseholdReconciliation:
    async def test_a_households_outstanding_loan_is_reconciled_with_its_grant(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await allocate(app)
        await deliver(app, household_approved(household_id))
        loan = await _active_loan(client, borrower_id=str(household_id))
        await _repay(client, loan["id"], 150_000, "BANK-0012", "2026-01-31")

        body = (await client.get(f"/v1/reconciliation/households/{household_id}")).json()
        assert body["entitled_satang"] == 14_700_000
        assert body["outstanding_loan_satang"] == 9_950_000


class TestRescheduling:
    async def test_after_a_flood_the_rest_is_spread_anew_and_the_history_is_kept(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan = await _active_loan(client)
        await _repay(client, loan["id"], PMT, "BANK-0013", "2026-01-31")
        # February's instalment is missed (the flood); its interest is still owed.
        before = await ledger_balances(client)

        response = await client.post(
            f"/v1/loans/{loan['id']}/reschedule",
            json={
                "reason": "อุทกภัย 2569",
                "effective_on": "2026-03-15",
                "first_due_on": "2026-06-30",
                "term_months": 24,
                "grace_months": 3,
                "annual_interest_rate_bp": 0,
            },
        )
        assert response.status_code == 200, response.text
        detail = await loan_detail(client, loan["id"], "2026-06-01")
        assert detail["schedule_version"] == 2
        assert detail["annual_interest_rate_bp"] == 0
        assert detail["arrears"]["bucket"] == "current"

        outstanding = 10_000_000 - 788_488
        [rescheduling] = detail["reschedulings"]
        assert rescheduling["reason"] == "อุทกภัย 2569"
        assert rescheduling["outstanding_principal_satang"] == outstanding
        assert rescheduling["carried_interest_satang"] == 92_115  # February's 1% of the rest
        assert (rescheduling["previous_rate_bp"], rescheduling["previous_term_months"]) == (
            1_200,
            12,
        )

        schedule = detail["schedule"]
        assert len(schedule) == 24
        assert schedule[0]["due_on"] == "2026-06-30"
        assert (schedule[0]["principal_due_satang"], schedule[0]["interest_due_satang"]) == (
            0,
            92_115,
        )
        assert sum(i["principal_due_satang"] for i in schedule) == outstanding
        # No interest: 9,211,512 satang over 21 months, rounded up: 438,644 a month.
        assert {i["principal_due_satang"] for i in schedule[3:-1]} == {438_644}

        # The old schedule, with January paid on it, is still there to read.
        earlier = detail["earlier_schedules"]
        assert len(earlier) == 12
        assert earlier[0]["interest_paid_satang"] + earlier[0]["principal_paid_satang"] == PMT
        # Rescheduling moves no money.
        assert await ledger_balances(client) == before

        # The next payment goes to the new schedule: carried interest first.
        paid = await _repay(client, loan["id"], 100_000, "BANK-0014", "2026-06-30")
        assert (paid.json()["interest_satang"], paid.json()["principal_satang"]) == (92_115, 7_885)

    async def test_a_loan_not_being_repaid_cannot_be_rescheduled(
        self, client: httpx.AsyncClient
    ) -> None:
        loan_id = (await client.post("/v1/loans", json=loan_body())).json()["id"]
        response = await client.post(
            f"/v1/loans/{loan_id}/reschedule",
            json={
                "reason": "flood",
                "effective_on": "2026-03-15",
                "first_due_on": "2026-06-30",
                "term_months": 12,
            },
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"

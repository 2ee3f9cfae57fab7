"""A bounced or mistaken repayment is reversed: a reversing ledger entry, what it paid
owed again (so the arrears come back), the payment kept in the history, once only."""

from typing import Any

import httpx
from fastapi import FastAPI
from finance_factories import active_loan, loan_detail

from baan_shared.ids import new_id
from baan_testkit.outbox import outbox_events

# 100,000 THB at 12% a year over 12 months, first due 31 Jan: PMT 8,884.88 THB,
# January's interest 1,000 THB (see test_loans_api.py).
PRINCIPAL = 10_000_000
PMT = 888_488
JANUARY_INTEREST = 100_000


async def _repay(
    client: httpx.AsyncClient, loan_id: str, amount: int, reference: str, paid_on: str
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/loans/{loan_id}/repayments",
        json={"payment_reference": reference, "amount_satang": amount, "paid_on": paid_on},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _reverse(
    client: httpx.AsyncClient, loan_id: str, repayment_id: str, reason: str = "เช็คคืน"
) -> httpx.Response:
    return await client.post(
        f"/v1/loans/{loan_id}/repayments/{repayment_id}/reversal", json={"reason": reason}
    )


async def _balances(client: httpx.AsyncClient) -> dict[str, int]:
    trial = (await client.get("/v1/ledger/trial-balance")).json()
    assert trial["balanced"] is True
    assert trial["debit_satang"] == trial["credit_satang"]
    return {a["code"]: a["balance_satang"] for a in trial["accounts"]}


class TestReversing:
    async def test_a_bounced_payment_is_owed_again_and_the_ledger_is_restored(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client)
        before = await _balances(client)
        paid = await _repay(client, loan_id, PMT, "BANK-BOUNCE-1", "2026-01-31")

        response = await _reverse(client, loan_id, paid["id"], "cheque bounced")

        assert response.status_code == 200, response.text
        reversed_ = response.json()
        assert reversed_["reversed_at"] is not None
        assert reversed_["reversal_reason"] == "cheque bounced"
        assert reversed_["reversal_entry_id"] not in (None, paid["journal_entry_id"])
        detail = await loan_detail(client, loan_id, "2026-03-15")
        assert detail["outstanding_principal_satang"] == PRINCIPAL
        first = detail["schedule"][0]
        assert (first["interest_paid_satang"], first["principal_paid_satang"]) == (0, 0)
        # Unpaid since 31 January: 43 days past due on 15 March.
        assert detail["arrears"]["days_past_due"] == 43
        assert detail["arrears"]["bucket"] == "31-60"
        # The history keeps the payment, marked reversed.
        assert [r["payment_reference"] for r in detail["repayments"]] == ["BANK-BOUNCE-1"]
        assert detail["repayments"][0]["reversed_at"] is not None
        after = await _balances(client)
        assert after["loans_receivable"] == before["loans_receivable"] == PRINCIPAL
        assert after["interest_income"] == 0
        assert after["cash"] == before["cash"]

    async def test_the_reversal_is_published_with_negative_amounts(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client)
        paid = await _repay(client, loan_id, PMT, "BANK-BOUNCE-2", "2026-01-31")
        await _reverse(client, loan_id, paid["id"])

        received = await outbox_events(app, "loan.repayment_received")
        assert [e["amount_satang"] for e in received] == [PMT, -PMT]
        assert [e["interest_satang"] for e in received] == [JANUARY_INTEREST, -JANUARY_INTEREST]
        assert [e["reverses_payment"] for e in received] == [False, True]
        assert [e["outstanding_principal_satang"] for e in received] == [
            PRINCIPAL - (PMT - JANUARY_INTEREST),
            PRINCIPAL,
        ]

    async def test_reversing_an_earlier_payment_leaves_the_later_one_paid(
        self, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client)
        january = await _repay(client, loan_id, PMT, "BANK-JAN", "2026-01-31")
        await _repay(client, loan_id, PMT, "BANK-FEB", "2026-02-28")

        assert (await _reverse(client, loan_id, january["id"])).status_code == 200

        detail = await loan_detail(client, loan_id, "2026-03-01")
        first, second = detail["schedule"][:2]
        assert first["interest_paid_satang"] + first["principal_paid_satang"] == 0
        assert second["interest_paid_satang"] + second["principal_paid_satang"] == PMT
        # January's instalment is owed again: 29 days past due on 1 March.
        assert (detail["arrears"]["days_past_due"], detail["arrears"]["bucket"]) == (29, "1-30")
        assert (
            detail["outstanding_principal_satang"] == PRINCIPAL - (second["principal_paid_satang"])
        )

    async def test_reversing_the_payment_that_repaid_the_loan_reopens_it(
        self, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client, term_months=1, annual_interest_rate_bp=0)
        paid = await _repay(client, loan_id, PRINCIPAL, "BANK-PAYOFF", "2026-01-31")
        assert (await loan_detail(client, loan_id, "2026-01-31"))["status"] == "repaid"

        await _reverse(client, loan_id, paid["id"])

        detail = await loan_detail(client, loan_id, "2026-01-31")
        assert (detail["status"], detail["outstanding_principal_satang"]) == ("active", PRINCIPAL)


class TestRefusing:
    async def test_a_second_reversal_is_a_409_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client)
        paid = await _repay(client, loan_id, PMT, "BANK-TWICE", "2026-01-31")
        await _reverse(client, loan_id, paid["id"])
        balances = await _balances(client)

        again = await _reverse(client, loan_id, paid["id"])

        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"
        assert "already reversed" in again.json()["detail"]
        assert await _balances(client) == balances
        assert len(await outbox_events(app, "loan.repayment_received")) == 2

    async def test_an_unknown_repayment_or_one_of_another_loan_is_a_404(
        self, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client)
        other_loan = await active_loan(client)
        paid = await _repay(client, other_loan, PMT, "BANK-OTHER", "2026-01-31")

        assert (await _reverse(client, loan_id, str(new_id()))).status_code == 404
        assert (await _reverse(client, loan_id, paid["id"])).status_code == 404
        assert (await _reverse(client, str(new_id()), paid["id"])).status_code == 404

    async def test_a_reason_is_required(self, client: httpx.AsyncClient) -> None:
        loan_id = await active_loan(client)
        paid = await _repay(client, loan_id, PMT, "BANK-NOREASON", "2026-01-31")
        response = await _reverse(client, loan_id, paid["id"], reason="")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.reason"

    async def test_a_payment_on_a_schedule_replaced_by_a_rescheduling_is_a_409(
        self, client: httpx.AsyncClient
    ) -> None:
        loan_id = await active_loan(client)
        paid = await _repay(client, loan_id, PMT, "BANK-OLD-SCHEDULE", "2026-01-31")
        rescheduled = await client.post(
            f"/v1/loans/{loan_id}/reschedule",
            json={
                "reason": "อุทกภัย",
                "effective_on": "2026-02-15",
                "first_due_on": "2026-04-30",
                "term_months": 24,
            },
        )
        assert rescheduled.status_code == 200, rescheduled.text

        response = await _reverse(client, loan_id, paid["id"])

        assert response.status_code == 409
        assert "rescheduling" in response.json()["detail"]


class TestRevolvingFund:
    async def test_a_bounced_rural_repayment_leaves_the_fund_again(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = (
            await client.post(
                "/v1/revolving-funds",
                json={
                    "scope": "subdistrict",
                    "code": "570101",
                    "name": "กองทุนตำบลเวียง",
                    "province_code": "57",
                },
            )
        ).json()
        rural = {
            "programme": "BAAN_PHO_PHIANG",
            "province_code": "57",
            "district_code": "5701",
            "subdistrict_code": "570101",
            "principal_satang": 2_000_000,
            "annual_interest_rate_bp": 0,
            "term_months": 10,
        }
        loan_id = await active_loan(client, **rural)
        paid = await _repay(client, loan_id, 200_000, "BANK-RURAL", "2026-01-31")

        assert (await _reverse(client, loan_id, paid["id"])).status_code == 200

        after = (await client.get(f"/v1/revolving-funds/{fund['id']}")).json()
        assert (after["in_satang"], after["out_satang"], after["balance_satang"]) == (
            200_000,
            200_000,
            0,
        )
        assert [m["kind"] for m in after["movements"]] == ["repayment", "repayment_reversal"]
        balances = await _balances(client)
        assert balances[after["ledger_account"]] == 0
        assert balances["loans_receivable"] == 2_000_000

    async def test_a_repayment_the_fund_has_lent_on_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = (
            await client.post(
                "/v1/revolving-funds",
                json={
                    "scope": "subdistrict",
                    "code": "570102",
                    "name": "กองทุนตำบล",
                    "province_code": "57",
                },
            )
        ).json()
        rural = {
            "programme": "BAAN_PHO_PHIANG",
            "province_code": "57",
            "subdistrict_code": "570102",
            "principal_satang": 2_000_000,
            "annual_interest_rate_bp": 0,
            "term_months": 10,
        }
        loan_id = await active_loan(client, **rural)
        paid = await _repay(client, loan_id, 2_000_000, "BANK-LENT-ON", "2026-01-31")
        # The fund lends the whole repayment on to the next household.
        await active_loan(client, **rural, revolving_fund_id=fund["id"], financed_by_fund=True)

        response = await _reverse(client, loan_id, paid["id"])

        assert response.status_code == 409
        assert "lent the money on" in response.json()["detail"]
        assert (await loan_detail(client, loan_id, "2026-02-01"))["status"] == "repaid"

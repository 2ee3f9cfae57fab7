"""Revolving funds: rural repayments flow back into the sub-district's fund
(คืนทุนสู่กองทุน), which then finances the next loans, never beyond its balance."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import loan_body

from baan_shared.ids import new_id

TAMBON = "570101"


def rural_loan(**overrides: Any) -> dict[str, Any]:
    fields = {
        "programme": "BAAN_PHO_PHIANG",
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": TAMBON,
        "principal_satang": 2_000_000,
        "annual_interest_rate_bp": 0,
        "term_months": 10,
        **overrides,
    }
    return loan_body(**fields)


async def _fund(client: httpx.AsyncClient, code: str = TAMBON) -> dict[str, Any]:
    response = await client.post(
        "/v1/revolving-funds",
        json={
            "scope": "subdistrict",
            "code": code,
            "name": "กองทุนบ้านพอเพียงตำบลเวียง",
            "province_code": "57",
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _loan(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    created = await client.post("/v1/loans", json=rural_loan(**overrides))
    assert created.status_code == 201, created.text
    return await client.post(
        f"/v1/loans/{created.json()['id']}/disburse", json={"disbursed_on": "2026-01-01"}
    )


async def _pay(client: httpx.AsyncClient, loan_id: str, amount: int, ref: str) -> None:
    response = await client.post(
        f"/v1/loans/{loan_id}/repayments",
        json={"payment_reference": ref, "amount_satang": amount, "paid_on": "2026-02-01"},
    )
    assert response.status_code == 201, response.text


async def _reconciled(client: httpx.AsyncClient, fund_id: str) -> dict[str, Any]:
    """The fund, asserting that in − out = balance = its account in the trial balance."""
    fund: dict[str, Any] = (await client.get(f"/v1/revolving-funds/{fund_id}")).json()
    assert fund["in_satang"] - fund["out_satang"] == fund["balance_satang"]
    trial = (await client.get("/v1/ledger/trial-balance")).json()
    assert trial["balanced"] is True
    accounts = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
    assert accounts[fund["ledger_account"]] == fund["balance_satang"]
    return fund


class TestOpening:
    async def test_a_fund_is_opened_once_per_sub_district(self, client: httpx.AsyncClient) -> None:
        fund = await _fund(client)
        assert (fund["in_satang"], fund["out_satang"], fund["balance_satang"]) == (0, 0, 0)
        again = await client.post(
            "/v1/revolving-funds",
            json={"scope": "subdistrict", "code": TAMBON, "name": "x", "province_code": "57"},
        )
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"

    async def test_a_rural_loan_needs_its_sub_districts_fund(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/v1/loans", json=rural_loan())
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.revolving_fund_id"]
        assert TAMBON in response.json()["detail"]

    async def test_an_unknown_fund_is_a_422_and_an_unknown_fund_page_a_404(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/v1/loans", json=rural_loan(revolving_fund_id=str(new_id())))
        assert response.status_code == 422
        assert (await client.get(f"/v1/revolving-funds/{new_id()}")).status_code == 404


class TestRepaymentsFlowBack:
    async def test_rural_repayments_credit_the_fund_not_the_agencys_cash(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = await _fund(client)
        loan = (await _loan(client)).json()
        assert loan["revolving_fund_id"] == fund["id"]
        await _pay(client, loan["id"], 200_000, "RURAL-0001")
        await _pay(client, loan["id"], 300_000, "RURAL-0002")

        after = await _reconciled(client, fund["id"])
        assert (after["in_satang"], after["out_satang"]) == (500_000, 0)
        assert [(m["kind"], m["amount_satang"]) for m in after["movements"]] == [
            ("repayment", 200_000),
            ("repayment", 300_000),
        ]
        trial = (await client.get("/v1/ledger/trial-balance")).json()
        accounts = {a["code"]: a["balance_satang"] for a in trial["accounts"]}
        assert accounts["cash"] == -2_000_000  # the loan went out; nothing came back here
        assert accounts["loans_receivable"] == 1_500_000

    async def test_a_canal_loan_repays_into_cash(self, client: httpx.AsyncClient) -> None:
        loan = (
            await client.post(
                f"/v1/loans/{(await client.post('/v1/loans', json=loan_body())).json()['id']}"
                "/disburse",
                json={"disbursed_on": "2026-01-01"},
            )
        ).json()
        assert loan["revolving_fund_id"] is None


class TestFundFinancesLoans:
    async def test_the_fund_lends_what_it_holds_and_refuses_more(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _fund(client)
        first = (await _loan(client)).json()
        await _pay(client, first["id"], 1_000_000, "RURAL-0003")

        too_much = await _loan(client, financed_by_fund=True, principal_satang=1_000_001)
        assert too_much.status_code == 409
        assert "holds 1000000 satang" in too_much.json()["detail"]
        assert (await _reconciled(client, fund["id"]))["out_satang"] == 0

        lent = await _loan(client, financed_by_fund=True, principal_satang=1_000_000)
        assert lent.status_code == 200, lent.text
        after = await _reconciled(client, fund["id"])
        assert (after["in_satang"], after["out_satang"], after["balance_satang"]) == (
            1_000_000,
            1_000_000,
            0,
        )
        assert after["movements"][-1]["kind"] == "loan"
        assert after["movements"][-1]["loan_id"] == lent.json()["id"]

    async def test_seed_money_moves_from_cash_into_the_fund(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _fund(client)
        response = await client.post(
            f"/v1/revolving-funds/{fund['id']}/deposits",
            json={"amount_satang": 5_000_000, "reference": "SEED-2569-57"},
        )
        assert response.status_code == 200, response.text
        assert (await _reconciled(client, fund["id"]))["balance_satang"] == 5_000_000

    @pytest.mark.parametrize("amount", [1.5, -1, 0])
    async def test_a_deposit_of_no_whole_satang_is_a_422(
        self, client: httpx.AsyncClient, amount: Any
    ) -> None:
        fund = await _fund(client)
        response = await client.post(
            f"/v1/revolving-funds/{fund['id']}/deposits",
            json={"amount_satang": amount, "reference": "SEED"},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.amount_satang"]


class TestDepositsAreIdempotent:
    async def test_the_same_deposit_reference_books_once(self, client: httpx.AsyncClient) -> None:
        fund = await _fund(client)
        url = f"/v1/revolving-funds/{fund['id']}/deposits"
        body = {"amount_satang": 5_000_000, "reference": "SEED-2569-57"}
        first, again = await client.post(url, json=body), await client.post(url, json=body)
        assert (first.status_code, again.status_code) == (200, 200)
        after = await _reconciled(client, fund["id"])
        assert after["balance_satang"] == 5_000_000
        assert len(after["movements"]) == 1

        other = await client.post(url, json=body | {"amount_satang": 1})
        assert other.status_code == 409
        assert (await _reconciled(client, fund["id"]))["balance_satang"] == 5_000_000

"""A fund's opening and every movement of its balance (seed deposit, loan paid out,
repayment in, reversed repayment) are published on ``finance.revolving_funds``,
in the same transaction, with the balance after and a per-fund sequence, so
reporting can show the balance exactly whatever order events reach it in."""

from typing import Any

import httpx
from fastapi import FastAPI
from finance_factories import loan_body

from baan_testkit.outbox import outbox_events

TAMBON = "570101"  # Mueang Chiang Rai's Wiang sub-district


async def _open(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "scope": "subdistrict",
        "code": TAMBON,
        "name": "กองทุนบ้านพอเพียงตำบลเวียง",
        "province_code": "57",
        **overrides,
    }
    response = await client.post("/v1/revolving-funds", json=body)
    assert response.status_code == 201, response.text
    fund: dict[str, Any] = response.json()
    return fund


async def _deposit(
    client: httpx.AsyncClient, fund_id: str, amount: int, reference: str
) -> httpx.Response:
    return await client.post(
        f"/v1/revolving-funds/{fund_id}/deposits",
        json={"amount_satang": amount, "reference": reference},
    )


async def _rural_loan(client: httpx.AsyncClient, **overrides: Any) -> str:
    body = loan_body(
        programme="BAAN_PHO_PHIANG",
        province_code="57",
        district_code="5701",
        subdistrict_code=TAMBON,
        principal_satang=2_000_000,
        annual_interest_rate_bp=0,
        term_months=10,
        **overrides,
    )
    created = await client.post("/v1/loans", json=body)
    assert created.status_code == 201, created.text
    loan_id: str = created.json()["id"]
    paid_out = await client.post(
        f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"}
    )
    assert paid_out.status_code == 200, paid_out.text
    return loan_id


async def _repay(client: httpx.AsyncClient, loan_id: str, amount: int, ref: str) -> str:
    response = await client.post(
        f"/v1/loans/{loan_id}/repayments",
        json={"payment_reference": ref, "amount_satang": amount, "paid_on": "2026-02-01"},
    )
    assert response.status_code == 201, response.text
    repayment_id: str = response.json()["id"]
    return repayment_id


async def _fund_events(app: FastAPI) -> list[dict[str, Any]]:
    return [e for e in await outbox_events(app) if e["topic"] == "finance.revolving_funds"]


class TestOpening:
    async def test_opening_a_fund_publishes_it_with_its_area_and_a_zero_balance(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = await _open(client)
        [opened] = await _fund_events(app)
        assert opened["type"] == "revolving_fund.opened"
        assert opened["revolving_fund_id"] == fund["id"]
        assert (opened["scope"], opened["code"]) == ("subdistrict", TAMBON)
        # The sub-district's official code places it; Chiang Rai is the North office's.
        assert (
            opened["province_code"],
            opened["district_code"],
            opened["subdistrict_code"],
            opened["region_code"],
        ) == ("57", "5701", TAMBON, "N")
        assert (opened["sequence"], opened["balance_satang"]) == (0, 0)

    async def test_a_community_fund_names_its_province_only(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await _open(client, scope="community", code="570101-BAAN-NONG", name="กองทุนชุมชนบ้านหนอง")
        [opened] = await _fund_events(app)
        assert (opened["province_code"], opened["district_code"], opened["subdistrict_code"]) == (
            "57",
            None,
            None,
        )

    async def test_a_refused_second_opening_publishes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await _open(client)
        again = await client.post(
            "/v1/revolving-funds",
            json={"scope": "subdistrict", "code": TAMBON, "name": "x", "province_code": "57"},
        )
        assert again.status_code == 409
        assert len(await _fund_events(app)) == 1


class TestMovements:
    async def test_every_movement_publishes_the_balance_after_it_in_sequence(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = await _open(client)
        assert (await _deposit(client, fund["id"], 5_000_000, "SEED-2569-57")).status_code == 200
        # A loan the sub-district's fund pays out, then its borrower repays into it.
        loan_id = await _rural_loan(client, financed_by_fund=True)
        repayment_id = await _repay(client, loan_id, 300_000, "RURAL-0001")
        reversed_ = await client.post(
            f"/v1/loans/{loan_id}/repayments/{repayment_id}/reversal", json={"reason": "เช็คคืน"}
        )
        assert reversed_.status_code == 200, reversed_.text

        changed = [e for e in await _fund_events(app) if e["type"] != "revolving_fund.opened"]
        assert [e["type"] for e in changed] == ["revolving_fund.balance_changed"] * 4
        assert [
            (e["sequence"], e["kind"], e["change_satang"], e["balance_satang"]) for e in changed
        ] == [
            (1, "deposit", 5_000_000, 5_000_000),
            (2, "loan", -2_000_000, 3_000_000),
            (3, "repayment", 300_000, 3_300_000),
            (4, "repayment_reversal", -300_000, 3_000_000),
        ]
        assert [e["loan_id"] for e in changed] == [None, loan_id, loan_id, loan_id]
        assert all(e["amount_satang"] > 0 for e in changed)
        # The last event's balance is the fund's own, as finance reconciles it.
        detail = (await client.get(f"/v1/revolving-funds/{fund['id']}")).json()
        last = changed[-1]
        assert (last["balance_satang"], last["in_satang"], last["out_satang"]) == (
            detail["balance_satang"],
            detail["in_satang"],
            detail["out_satang"],
        )
        assert {e["movement_id"] for e in changed} == {m["id"] for m in detail["movements"]}

    async def test_the_same_deposit_again_publishes_nothing_more(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = await _open(client)
        for _ in range(2):
            assert (await _deposit(client, fund["id"], 1_000_000, "SEED-1")).status_code == 200
        deposits = await outbox_events(app, "revolving_fund.balance_changed")
        assert [(e["sequence"], e["balance_satang"]) for e in deposits] == [(1, 1_000_000)]

    async def test_a_loan_the_fund_cannot_cover_publishes_no_movement(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = await _open(client)
        assert (await _deposit(client, fund["id"], 1_000_000, "SEED-1")).status_code == 200
        created = await client.post(
            "/v1/loans",
            json=loan_body(
                programme="BAAN_PHO_PHIANG",
                province_code="57",
                district_code="5701",
                subdistrict_code=TAMBON,
                principal_satang=2_000_000,
                annual_interest_rate_bp=0,
                term_months=10,
                financed_by_fund=True,
            ),
        )
        refused = await client.post(
            f"/v1/loans/{created.json()['id']}/disburse", json={"disbursed_on": "2026-01-01"}
        )
        assert refused.status_code == 409
        moved = await outbox_events(app, "revolving_fund.balance_changed")
        assert [(e["kind"], e["balance_satang"]) for e in moved] == [("deposit", 1_000_000)]

    async def test_a_repayment_into_a_fund_not_financing_the_loan_still_moves_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # A rural loan paid out of the agency's cash still repays into the fund.
        await _open(client)
        loan_id = await _rural_loan(client)
        await _repay(client, loan_id, 200_000, "RURAL-0002")
        [moved] = await outbox_events(app, "revolving_fund.balance_changed")
        assert (moved["kind"], moved["sequence"], moved["balance_satang"]) == (
            "repayment",
            1,
            200_000,
        )

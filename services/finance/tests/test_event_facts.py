"""The facts finance's events carry for reporting: money by programme × fiscal year ×
area (budgets allocated, reserved, disbursed; loans outstanding; arrears; funds)
without asking finance anything."""

from typing import Any

import httpx
from fastapi import FastAPI
from finance_factories import allocate, construction_started, household_approved, loan_body

from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.outbox import outbox_events

CANAL = 14_700_000


async def _one(app: FastAPI, event_type: str) -> dict[str, Any]:
    found = await outbox_events(app, event_type)
    assert len(found) == 1, found
    return found[0]


class TestBudgetsAndGrants:
    async def test_a_budget_allocation_names_its_province_and_regional_office(
        self, app: FastAPI
    ) -> None:
        await allocate(
            app, area_level="subdistrict", area_code="570101", programme="BAAN_PHO_PHIANG"
        )
        event = await _one(app, "budget.allocated")
        assert (event["programme"], event["fiscal_year"]) == ("BAAN_PHO_PHIANG", 2569)
        assert (event["area_level"], event["area_code"]) == ("subdistrict", "570101")
        # Chiang Rai (57) is served by the North office.
        assert (event["province_code"], event["region_code"]) == ("57", "N")
        assert event["amount_satang"] == event["allocated_total_satang"] == 100_000_000

    async def test_grant_events_carry_programme_year_area_budget_and_amounts(
        self, app: FastAPI
    ) -> None:
        budget = await allocate(app)
        household_id = new_id()
        community_id = new_id()
        await deliver(app, household_approved(household_id, community_id=community_id))
        await deliver(app, construction_started(household_id))

        approved = await _one(app, "grant.approved")
        disbursed = await _one(app, "grant.disbursed")
        for event in (approved, disbursed):
            assert (event["programme"], event["fiscal_year"]) == ("CANAL", 2569)
            assert (event["province_code"], event["district_code"]) == ("10", "1005")
            assert (event["subdistrict_code"], event["region_code"]) == ("100502", "BVE")
            assert event["budget_id"] == budget["id"]
            assert event["community_id"] == str(community_id)
        assert approved["amount_satang"] == CANAL
        assert (disbursed["amount_satang"], disbursed["disbursed_total_satang"]) == (
            5_880_000,
            5_880_000,
        )
        assert disbursed["payment_reference"].startswith("PAY-")

    async def test_a_rejected_grant_says_how_much_went_unfunded(self, app: FastAPI) -> None:
        await deliver(app, household_approved(new_id()))
        event = await _one(app, "grant.rejected")
        assert (event["amount_satang"], event["budget_id"], event["fiscal_year"]) == (
            CANAL,
            None,
            2569,
        )


class TestLoans:
    async def test_loan_events_carry_outstanding_principal_and_days_past_due(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        loan_id = (await client.post("/v1/loans", json=loan_body())).json()["id"]
        await client.post(
            f"/v1/loans/{loan_id}/disburse",
            json={"disbursed_on": "2026-01-01", "first_due_on": "2026-01-31"},
        )
        # Ten days late, and short of January's instalment (interest 100,000 first).
        await client.post(
            f"/v1/loans/{loan_id}/repayments",
            json={
                "payment_reference": "BANK-LATE",
                "amount_satang": 300_000,
                "paid_on": "2026-02-10",
            },
        )
        await client.post("/v1/loans/arrears-review", params={"as_of": "2026-03-05"})

        disbursed = await _one(app, "loan.disbursed")
        assert (disbursed["fiscal_year"], disbursed["region_code"]) == (2569, "BVE")
        assert (disbursed["outstanding_principal_satang"], disbursed["days_past_due"]) == (
            10_000_000,
            0,
        )
        repaid = await _one(app, "loan.repayment_received")
        assert repaid["outstanding_principal_satang"] == 10_000_000 - 200_000
        assert (repaid["days_past_due"], repaid["arrears_bucket"]) == (10, "1-30")
        assert repaid["fiscal_year"] == 2569
        arrears = await _one(app, "loan.in_arrears")
        assert (arrears["days_past_due"], arrears["bucket"]) == (33, "31-60")
        assert arrears["outstanding_principal_satang"] == 9_800_000
        assert arrears["programme"] == "CANAL"

    async def test_a_rural_loan_names_its_fund_and_the_funds_balance(
        self, app: FastAPI, client: httpx.AsyncClient
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
        await client.post(
            f"/v1/revolving-funds/{fund['id']}/deposits",
            json={"amount_satang": 5_000_000, "reference": "SEED-1"},
        )
        loan_id = (
            await client.post(
                "/v1/loans",
                json=loan_body(
                    programme="BAAN_PHO_PHIANG",
                    province_code="57",
                    district_code="5701",
                    subdistrict_code="570101",
                    principal_satang=2_000_000,
                    annual_interest_rate_bp=0,
                    term_months=10,
                    financed_by_fund=True,
                    revolving_fund_id=fund["id"],
                ),
            )
        ).json()["id"]
        await client.post(f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"})
        await client.post(
            f"/v1/loans/{loan_id}/repayments",
            json={
                "payment_reference": "BANK-R1",
                "amount_satang": 200_000,
                "paid_on": "2026-02-01",
            },
        )

        disbursed = await _one(app, "loan.disbursed")
        repaid = await _one(app, "loan.repayment_received")
        assert disbursed["revolving_fund_id"] == repaid["revolving_fund_id"] == fund["id"]
        assert disbursed["financed_by_fund"] is True
        assert disbursed["revolving_fund_balance_satang"] == 3_000_000
        assert repaid["revolving_fund_balance_satang"] == 3_200_000
        assert repaid["region_code"] == "N"

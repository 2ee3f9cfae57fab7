"""A sub-district's revolving fund, end to end over the real broker and PostgreSQL:
finance opens the fund, takes seed money, lends from it and takes a repayment back
into it; reporting's money report shows the same balance as finance's own
reconciliation (GET /v1/revolving-funds/{id}), from finance.revolving_funds.
"""

from typing import Any

import pytest
from platform_harness import Platform, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

# Maha Sarakham (44), Mueang district, Talat sub-district: used by this test alone.
TAMBON = {"province_code": "44", "district_code": "4401", "subdistrict_code": "440101"}
BAHT = 100  # satang


async def _fund_rows(platform: Platform) -> dict[str, Any] | None:
    async with platform.client("reporting") as reporting:
        response = await reporting.get(
            "/v1/reports/money", params={"level": "subdistrict", "province_code": "44"}
        )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_the_money_report_shows_the_funds_balance_as_finance_keeps_it(
    platform: Platform,
) -> None:
    async with platform.client("finance") as finance:
        opened = await finance.post(
            "/v1/revolving-funds",
            json={
                "scope": "subdistrict",
                "code": TAMBON["subdistrict_code"],
                "name": "กองทุนบ้านพอเพียงตำบลตลาด",
                "province_code": "44",
            },
        )
        assert opened.status_code == 201, opened.text
        fund_id = opened.json()["id"]
        seeded = await finance.post(
            f"/v1/revolving-funds/{fund_id}/deposits",
            json={"amount_satang": 60_000 * BAHT, "reference": "SEED-44-0001"},
        )
        assert seeded.status_code == 200, seeded.text

        # A rural loan the fund pays out (it repays into the same fund).
        created = await finance.post(
            "/v1/loans",
            json={
                "borrower_type": "household",
                "borrower_id": "0193b1a2-0000-7000-8000-000000000044",
                "programme": "BAAN_PHO_PHIANG",
                **TAMBON,
                "principal_satang": 20_000 * BAHT,
                "annual_interest_rate_bp": 0,
                "term_months": 10,
                "financed_by_fund": True,
            },
        )
        assert created.status_code == 201, created.text
        loan_id = created.json()["id"]
        assert created.json()["revolving_fund_id"] == fund_id
        paid_out = await finance.post(
            f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"}
        )
        assert paid_out.status_code == 200, paid_out.text
        repaid = await finance.post(
            f"/v1/loans/{loan_id}/repayments",
            json={
                "payment_reference": "RURAL-44-0001",
                "amount_satang": 2_000 * BAHT,
                "paid_on": "2026-02-01",
            },
        )
        assert repaid.status_code == 201, repaid.text

        fund = (await finance.get(f"/v1/revolving-funds/{fund_id}")).json()
    assert [m["kind"] for m in fund["movements"]] == ["deposit", "loan", "repayment"]
    assert fund["balance_satang"] == 42_000 * BAHT

    async def caught_up() -> dict[str, Any] | None:
        report = await _fund_rows(platform)
        assert report is not None
        total = report["revolving_funds_total"]
        return report if total["revolving_fund_balance_satang"] == fund["balance_satang"] else None

    report = await eventually(caught_up, what="reporting to show the fund's balance")
    [row] = report["revolving_funds"]
    assert (row["area_code"], row["revolving_funds"]) == ("440101", 1)
    assert row["revolving_fund_balance_satang"] == fund["balance_satang"]
    assert (row["revolving_fund_in_satang"], row["revolving_fund_out_satang"]) == (
        fund["in_satang"],
        fund["out_satang"],
    )

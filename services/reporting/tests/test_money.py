"""The money report: budgets, grants and loans from finance's events, by programme × area."""

import csv
import io
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_factories import (
    BAAN_PHO_PHIANG,
    CANAL,
    CANAL_GRANT,
    NOV_2018,
    Household,
    allocation,
    apply_events,
    cloud_event,
    journey,
)

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    LoanApproved,
    LoanDisbursed,
    LoanInArrears,
    LoanRepaymentReceived,
)
from baan_shared.ids import new_id

BAHT = 100  # satang


def at(data: Any, hours: int = 0) -> CloudEvent:
    return cloud_event(data, time=NOV_2018 + timedelta(hours=hours))


def loan_events(
    *, principal: int, repaid_principal: int, overdue: int, paid_after_review: int = 0
) -> list[CloudEvent]:
    """A canal household's loan in Bangkok: approved, paid out whole, partly repaid,
    reviewed for arrears and (optionally) paid after the review."""
    loan = {
        "loan_id": new_id(),
        "borrower_type": "household",
        "borrower_id": new_id(),
        "programme": CANAL,
        "province_code": "10",
        "district_code": "1038",
        "subdistrict_code": "103801",
    }
    events = [
        LoanApproved(
            **loan,
            principal_satang=principal,
            annual_interest_rate_bp=400,
            term_months=180,
            grace_months=0,
            repayment_method="annuity",
        ),
        LoanDisbursed(
            **loan, amount_satang=principal, payment_reference="L-1", disbursed_on=date(2018, 11, 5)
        ),
        LoanRepaymentReceived(
            **loan,
            payment_reference="R-1",
            amount_satang=repaid_principal + 1_000 * BAHT,
            interest_satang=1_000 * BAHT,
            principal_satang=repaid_principal,
            paid_on=date(2018, 12, 5),
            outstanding_principal_satang=principal - repaid_principal,
        ),
    ]
    if overdue:
        events.append(
            LoanInArrears(
                **loan,
                as_of=date(2019, 3, 1),
                days_past_due=45,
                bucket="31-60",
                overdue_satang=overdue,
            )
        )
    if paid_after_review:
        events.append(
            LoanRepaymentReceived(
                **loan,
                payment_reference="R-2",
                amount_satang=paid_after_review,
                interest_satang=0,
                principal_satang=paid_after_review,
                paid_on=date(2019, 3, 10),
                outstanding_principal_satang=principal - repaid_principal - paid_after_review,
            )
        )
    return [at(data, hours) for hours, data in enumerate(events)]


async def money(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/reports/money", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_area(report: dict[str, Any], programme: str) -> dict[str, dict[str, Any]]:
    return {r["area_code"]: r for r in report["rows"] if r["programme"] == programme}


def total(report: dict[str, Any], programme: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in report["totals"] if t["programme"] == programme)
    return found


class TestBudgets:
    async def test_each_budget_counts_at_its_own_level_and_the_coarser_ones(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(
            app,
            [
                at(allocation("country", "TH", 1_000_000 * BAHT)),
                at(allocation("region", "N", 300_000 * BAHT)),
                at(allocation("province", "57", 200_000 * BAHT)),
                at(allocation("subdistrict", "570101", 50_000 * BAHT)),
                at(allocation("province", "57", 70_000 * BAHT, fiscal_year=2563)),
            ],
        )
        regions = await money(client, fiscal_year=2562, level="region")
        assert by_area(regions, BAAN_PHO_PHIANG)["N"]["budget_allocated_satang"] == (550_000 * BAHT)
        # The country's budget belongs to no region: only the country's total shows it.
        assert total(regions, BAAN_PHO_PHIANG)["budget_allocated_satang"] == 1_550_000 * BAHT
        provinces = await money(client, fiscal_year=2562, level="province", region="N")
        assert by_area(provinces, BAAN_PHO_PHIANG)["57"]["budget_allocated_satang"] == (
            250_000 * BAHT
        )
        assert total(provinces, BAAN_PHO_PHIANG)["budget_allocated_satang"] == 550_000 * BAHT

    async def test_a_reversed_allocation_leaves_the_running_total(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget_id = new_id()
        await apply_events(
            app,
            [
                at(allocation("province", "57", 500_000 * BAHT, budget_id=budget_id), 0),
                at(
                    allocation(
                        "province", "57", 20_000 * BAHT, budget_id=budget_id, total=520_000 * BAHT
                    ),
                    1,
                ),
                at(
                    allocation(
                        "province",
                        "57",
                        -500_000 * BAHT,
                        budget_id=budget_id,
                        total=20_000 * BAHT,
                        reverses_allocation=True,
                    ),
                    2,
                ),
            ],
        )
        report = await money(client, fiscal_year=2562, level="province")
        assert by_area(report, BAAN_PHO_PHIANG)["57"]["budget_allocated_satang"] == 20_000 * BAHT


class TestGrants:
    async def test_reserved_and_disbursed_per_province_for_the_fiscal_year(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        for stage, start in (("completed", 0), ("ready_to_build", 1)):
            household = Household(programme=CANAL, province_code="10", fiscal_year=2562)
            await apply_events(
                app,
                journey(
                    stage,
                    household=household,
                    start=NOV_2018 + timedelta(days=start),
                    grant_satang=CANAL_GRANT,
                ),
            )
        other_year = Household(programme=CANAL, province_code="10", fiscal_year=2563)
        await apply_events(app, journey("completed", household=other_year, grant_satang=1))
        report = await money(client, fiscal_year=2562, level="province")
        bangkok = by_area(report, CANAL)["10"]
        assert bangkok["grant_reserved_satang"] == 2 * CANAL_GRANT
        # One grant paid in full, the other its first tranche (30%).
        assert bangkok["grant_disbursed_satang"] == CANAL_GRANT + CANAL_GRANT * 3 // 10
        assert bangkok["area_name_en"] == "Bangkok"


class TestLoans:
    async def test_outstanding_and_the_arrears_ratio(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(
            app,
            loan_events(
                principal=300_000 * BAHT, repaid_principal=50_000 * BAHT, overdue=6_000 * BAHT
            )
            + loan_events(principal=100_000 * BAHT, repaid_principal=50_000 * BAHT, overdue=0),
        )
        canal = total(await money(client, level="province"), CANAL)
        assert canal["loans"] == 2
        assert canal["loan_disbursed_satang"] == 400_000 * BAHT
        assert canal["loan_outstanding_satang"] == 300_000 * BAHT
        assert canal["loan_repaid_satang"] == 102_000 * BAHT  # principal and interest
        assert (canal["loans_in_arrears"], canal["loan_overdue_satang"]) == (1, 6_000 * BAHT)
        assert canal["arrears_ratio_percent"] == 83.3  # 250,000 of 300,000 outstanding

    async def test_a_payment_after_the_review_that_covers_the_overdue_ends_the_arrears(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(
            app,
            loan_events(
                principal=300_000 * BAHT,
                repaid_principal=50_000 * BAHT,
                overdue=6_000 * BAHT,
                paid_after_review=6_000 * BAHT,
            ),
        )
        canal = total(await money(client), CANAL)
        assert (canal["loans_in_arrears"], canal["arrears_ratio_percent"]) == (0, 0.0)
        assert canal["loan_outstanding_satang"] == 244_000 * BAHT


class TestRedelivery:
    async def test_events_delivered_twice_count_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        events = [
            at(allocation("province", "57", 500_000 * BAHT)),
            *loan_events(principal=300_000 * BAHT, repaid_principal=50_000 * BAHT, overdue=0),
        ]
        await apply_events(app, events)
        await apply_events(app, events)
        report = await money(client, fiscal_year=2562)
        assert total(report, BAAN_PHO_PHIANG)["budget_allocated_satang"] == 500_000 * BAHT
        assert total(report, CANAL)["loan_outstanding_satang"] == 250_000 * BAHT
        freshness = (await client.get("/v1/reports/freshness")).json()
        assert {s["stream"] for s in freshness["streams"]} == {"finance.budgets", "finance.loans"}


class TestMoneyEverywhere:
    async def test_the_export_and_the_query_api_carry_the_same_figures(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, [at(allocation("province", "57", 500_000 * BAHT))])
        response = await client.get(
            "/v1/reports/money/export", params={"fiscal_year": 2562, "level": "province"}
        )
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        chiang_rai = next(r for r in rows if r["รหัสพื้นที่ / Area code"] == "57")
        assert chiang_rai["งบประมาณจัดสรร (สตางค์) / Budget allocated (satang)"] == str(
            500_000 * BAHT
        )
        response = await client.get(
            "/v1/query",
            params={
                "fiscal_year": 2562,
                "level": "province",
                "measures": ["budget_allocated_satang", "completed"],
            },
        )
        assert response.status_code == 200, response.text
        (cell,) = response.json()["cells"]
        assert (cell["area_code"], cell["measures"]) == (
            "57",
            {"budget_allocated_satang": 500_000 * BAHT, "completed": 0},
        )

    async def test_an_unknown_region_is_404_and_a_level_coarser_than_the_area_422(
        self, client: httpx.AsyncClient
    ) -> None:
        assert (await client.get("/v1/reports/money", params={"region": "XX"})).status_code == 404
        response = await client.get(
            "/v1/reports/money", params={"province_code": "57", "level": "region"}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "query.level"

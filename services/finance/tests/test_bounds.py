"""Every integer a partner sends finance has an upper bound (baan_shared.http.bounds):
a too-large amount, year or count is a 422 naming the field, never an overflow in
the database (a 500) nor a number silently stored."""

from typing import Any

import httpx
import pytest
from finance_factories import budget_body, loan_body

from baan_shared.http.bounds import MAX_SATANG
from baan_shared.ids import new_id

TOO_MUCH = 10**16  # satang: 100 trillion baht, ten times the bound
HUGE = 2**40

SOME_ID = new_id()

BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("/v1/loans", loan_body(principal_satang=TOO_MUCH), "body.principal_satang"),
    ("/v1/loans", loan_body(annual_interest_rate_bp=HUGE), "body.annual_interest_rate_bp"),
    ("/v1/loans", loan_body(term_months=HUGE), "body.term_months"),
    ("/v1/loans", loan_body(grace_months=HUGE), "body.grace_months"),
    (
        f"/v1/loans/{SOME_ID}/repayments",
        {"payment_reference": "BANK-1", "amount_satang": TOO_MUCH, "paid_on": "2026-02-01"},
        "body.amount_satang",
    ),
    (
        f"/v1/loans/{SOME_ID}/reschedule",
        {
            "reason": "อุทกภัย",
            "effective_on": "2026-06-01",
            "first_due_on": "2026-07-01",
            "term_months": HUGE,
        },
        "body.term_months",
    ),
    ("/v1/budgets", budget_body(amount_satang=TOO_MUCH), "body.amount_satang"),
    ("/v1/budgets", budget_body(fiscal_year=HUGE), "body.fiscal_year"),
    (
        f"/v1/revolving-funds/{SOME_ID}/deposits",
        {"amount_satang": TOO_MUCH, "reference": "SEED-1"},
        "body.amount_satang",
    ),
]


@pytest.mark.parametrize(("path", "body", "field"), BODIES)
async def test_a_too_large_number_in_a_body_is_a_422_naming_it(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/budgets", "fiscal_year"),
        ("/v1/grants", "fiscal_year"),
        ("/v1/budgets", "limit"),
        ("/v1/grants", "limit"),
        ("/v1/loans", "limit"),
        ("/v1/revolving-funds", "limit"),
    ],
)
async def test_a_too_large_number_in_a_query_is_a_422_naming_it(
    client: httpx.AsyncClient, path: str, parameter: str
) -> None:
    response = await client.get(path, params={parameter: 10**20})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [f"query.{parameter}"]


async def test_the_largest_amount_allowed_is_allocated_to_the_satang(
    client: httpx.AsyncClient,
) -> None:
    allocated = await client.post("/v1/budgets", json=budget_body(amount_satang=MAX_SATANG))
    assert allocated.status_code == 201, allocated.text
    assert allocated.json()["budget"]["allocated_satang"] == MAX_SATANG
    over = await client.post("/v1/budgets", json=budget_body(amount_satang=MAX_SATANG + 1))
    assert over.status_code == 422


async def test_a_fiscal_year_filter_within_bounds_still_filters(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/v1/budgets", json=budget_body(fiscal_year=2569))
    assert len((await client.get("/v1/budgets", params={"fiscal_year": 2569})).json()["items"]) == 1
    assert (await client.get("/v1/budgets", params={"fiscal_year": 2570})).json()["items"] == []

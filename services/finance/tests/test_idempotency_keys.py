"""Every finance POST honours ``Idempotency-Key``: a retry gets the first answer and
moves no money; the key reused for another request is a 422 naming the header."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import budget_body, loan_body

from baan_shared.ids import new_id
from baan_testkit.outbox import outbox_events


@dataclass
class Write:
    path: str
    body: dict[str, Any] | None
    params: dict[str, str] | None = None


async def _loan(client: httpx.AsyncClient, *, disbursed: bool = True) -> str:
    loan_id: str = (await client.post("/v1/loans", json=loan_body())).json()["id"]
    if disbursed:
        paid = await client.post(
            f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"}
        )
        assert paid.status_code == 200, paid.text
    return loan_id


async def _fund(client: httpx.AsyncClient) -> str:
    created = await client.post(
        "/v1/revolving-funds",
        json={
            "scope": "community",
            "code": f"C-{new_id().hex[:8]}",
            "name": "กองทุนชุมชน",
            "province_code": "10",
        },
    )
    assert created.status_code == 201, created.text
    fund_id: str = created.json()["id"]
    return fund_id


async def allocation(client: httpx.AsyncClient) -> Write:
    return Write("/v1/budgets", budget_body())


async def allocation_reversal(client: httpx.AsyncClient) -> Write:
    made = (await client.post("/v1/budgets", json=budget_body())).json()
    return Write(
        f"/v1/budgets/{made['budget']['id']}/allocations/{made['allocation']['id']}/reversal",
        {"reason": "keyed twice"},
    )


async def loan(client: httpx.AsyncClient) -> Write:
    return Write("/v1/loans", loan_body())


async def disbursement(client: httpx.AsyncClient) -> Write:
    return Write(
        f"/v1/loans/{await _loan(client, disbursed=False)}/disburse", {"disbursed_on": "2026-01-01"}
    )


async def repayment(client: httpx.AsyncClient) -> Write:
    return Write(
        f"/v1/loans/{await _loan(client)}/repayments",
        {"payment_reference": "BANK-IDEM-1", "amount_satang": 300_000, "paid_on": "2026-02-01"},
    )


async def repayment_reversal(client: httpx.AsyncClient) -> Write:
    loan_id = await _loan(client)
    paid = await client.post(
        f"/v1/loans/{loan_id}/repayments",
        json={
            "payment_reference": "BANK-IDEM-2",
            "amount_satang": 300_000,
            "paid_on": "2026-02-01",
        },
    )
    return Write(
        f"/v1/loans/{loan_id}/repayments/{paid.json()['id']}/reversal",
        {"reason": "cheque bounced"},
    )


async def rescheduling(client: httpx.AsyncClient) -> Write:
    return Write(
        f"/v1/loans/{await _loan(client)}/reschedule",
        {
            "reason": "อุทกภัย",
            "effective_on": "2026-03-01",
            "first_due_on": "2026-04-01",
            "term_months": 24,
        },
    )


async def arrears_review(client: httpx.AsyncClient) -> Write:
    await _loan(client)
    return Write("/v1/loans/arrears-review", None, {"as_of": "2026-05-01"})


async def fund(client: httpx.AsyncClient) -> Write:
    return Write(
        "/v1/revolving-funds",
        {"scope": "community", "code": "KLONG-9", "name": "กองทุน", "province_code": "10"},
    )


async def deposit(client: httpx.AsyncClient) -> Write:
    return Write(
        f"/v1/revolving-funds/{await _fund(client)}/deposits",
        {"amount_satang": 1_000_000, "reference": "SEED-IDEM"},
    )


WRITES: list[Callable[[httpx.AsyncClient], Awaitable[Write]]] = [
    allocation,
    allocation_reversal,
    loan,
    disbursement,
    repayment,
    repayment_reversal,
    rescheduling,
    arrears_review,
    fund,
    deposit,
]


async def _state(app: FastAPI, client: httpx.AsyncClient) -> tuple[Any, ...]:
    """What a second effect would change: events, money, loans, funds, schedules."""
    trial = (await client.get("/v1/ledger/trial-balance")).json()
    loans = (await client.get("/v1/loans", params={"limit": 500})).json()["items"]
    funds = (await client.get("/v1/revolving-funds", params={"limit": 500})).json()["items"]
    versions = [
        (await client.get(f"/v1/loans/{item['id']}")).json()["schedule_version"] for item in loans
    ]
    return len(await outbox_events(app)), trial["debit_satang"], len(loans), len(funds), versions


@pytest.mark.parametrize("prepare", WRITES, ids=lambda w: w.__name__)
async def test_a_retried_write_gets_the_first_answer_and_changes_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    prepare: Callable[[httpx.AsyncClient], Awaitable[Write]],
) -> None:
    write = await prepare(client)
    headers = {"Idempotency-Key": f"key-{new_id()}"}
    first = await client.post(write.path, json=write.body, params=write.params, headers=headers)
    assert first.status_code in (200, 201), first.text
    after_first = await _state(app, client)

    again = await client.post(write.path, json=write.body, params=write.params, headers=headers)

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert await _state(app, client) == after_first


@pytest.mark.parametrize(
    "prepare", [allocation, loan, repayment, deposit], ids=lambda w: w.__name__
)
async def test_a_key_reused_for_another_request_is_a_422_naming_the_header(
    app: FastAPI,
    client: httpx.AsyncClient,
    prepare: Callable[[httpx.AsyncClient], Awaitable[Write]],
) -> None:
    write = await prepare(client)
    headers = {"Idempotency-Key": f"key-{new_id()}"}
    await client.post(write.path, json=write.body, headers=headers)
    before = await _state(app, client)
    assert write.body is not None
    other = (
        {**write.body, "amount_satang": 1}
        if "amount_satang" in write.body
        else {**write.body, "principal_satang": 1}
    )

    response = await client.post(write.path, json=other, headers=headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "header.idempotency-key"
    assert await _state(app, client) == before

"""Partner access on the finance API: scopes per operation, tokens, rate limits, audit rows."""

import time
from pathlib import Path

import httpx
from conftest import ClientFor
from fastapi import FastAPI
from finance_auth import ISSUER, auth_settings, national_headers
from finance_factories import budget_body, loan_body

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import operations_without_scopes
from baan_shared.auth.scopes import FINANCE_READ, FINANCE_WRITE
from finance.main import create_app
from finance.settings import FinanceSettings


def test_every_operation_requires_a_scope(app: FastAPI) -> None:
    assert operations_without_scopes(app) == []


def _anonymous(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://finance", headers=headers
    )


async def test_no_token_is_401_problem_naming_the_header(app: FastAPI) -> None:
    async with _anonymous(app) as anonymous:
        read = await anonymous.get("/v1/loans")
        write = await anonymous.post("/v1/budgets", json=budget_body())
    for response in (read, write):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "header.Authorization"


async def test_forged_token_is_401(app: FastAPI) -> None:
    forger = DevIssuer()  # another key, same issuer name
    token = forger.mint_token("baan-national", [FINANCE_READ], ["*"])
    async with _anonymous(app, {"Authorization": f"Bearer {token}"}) as forged:
        response = await forged.get("/v1/budgets")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_expired_token_is_401(app: FastAPI) -> None:
    an_hour_ago = time.time() - 3600
    token = ISSUER.mint_token(
        "baan-national", [FINANCE_READ], ["*"], now=an_hour_ago, lifetime_seconds=60
    )
    async with _anonymous(app, {"Authorization": f"Bearer {token}"}) as expired:
        response = await expired.get("/v1/budgets")
    assert response.status_code == 401


async def test_a_reader_cannot_allocate_a_budget(client_for: ClientFor) -> None:
    async with client_for("reader", [FINANCE_READ], ["*"]) as reader:
        refused = await reader.post("/v1/budgets", json=budget_body())
        listed = await reader.get("/v1/budgets")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["missing_scopes"] == ["finance:write"]
    assert listed.json()["items"] == []


async def test_moving_money_needs_finance_disburse(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    loan_id = (await client.post("/v1/loans", json=loan_body())).json()["id"]
    async with client_for("loan-officer", [FINANCE_READ, FINANCE_WRITE], ["*"]) as officer:
        disbursed = await officer.post(
            f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"}
        )
        repaid = await officer.post(
            f"/v1/loans/{loan_id}/repayments",
            json={"amount_satang": 100, "paid_on": "2026-02-01", "reference": "R-1"},
        )
    for response in (disbursed, repaid):
        assert response.status_code == 403
        assert response.json()["missing_scopes"] == ["finance:disburse"]
    assert (await client.get(f"/v1/loans/{loan_id}")).json()["status"] == "approved"
    paid_out = await client.post(
        f"/v1/loans/{loan_id}/disburse", json={"disbursed_on": "2026-01-01"}
    )
    assert paid_out.status_code == 200, paid_out.text


async def test_the_audit_log_needs_audit_read(client_for: ClientFor) -> None:
    async with client_for("reader", [FINANCE_READ], ["*"]) as reader:
        response = await reader.get("/v1/audit-log")
    assert response.status_code == 403
    assert response.json()["missing_scopes"] == ["audit:read"]


async def test_writes_are_in_the_audit_log_naming_what_they_created(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    loan = (await client.post("/v1/loans", json=loan_body())).json()
    async with client_for("reader", [FINANCE_READ], ["*"]) as reader:
        await reader.post("/v1/loans", json=loan_body())
    log = await client.get("/v1/audit-log")
    assert log.status_code == 200
    rows = [
        (r["client_id"], r["resource_type"], r["resource_id"], r["status"])
        for r in log.json()["items"]
        if r["method"] == "POST"
    ]
    assert rows == [("baan-national", "loans", loan["id"], 201), ("reader", "loans", None, 403)]


async def test_a_client_over_its_limit_gets_429_with_retry_after(tmp_path: Path) -> None:
    settings = FinanceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/finance.db",
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    auth = auth_settings(rate_limit_requests=3, rate_limit_window_seconds=3600)
    application = create_app(settings, auth)
    async with (
        application.router.lifespan_context(application),
        _anonymous(application, national_headers()) as http,
    ):
        answers = [(await http.get("/v1/budgets")).status_code for _ in range(4)]
        refused = await http.get("/v1/budgets")
    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.headers["content-type"] == "application/problem+json"

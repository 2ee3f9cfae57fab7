"""Partner access on the finance API: scopes per operation, tokens, rate limits, audit rows."""

import re
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import BASE_URL, ISSUER, auth_settings, national_headers
from finance_factories import budget_body, loan_body

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import operations_without_scopes
from baan_shared.auth.scopes import (
    AUDIT_READ,
    FINANCE_DISBURSE,
    FINANCE_READ,
    FINANCE_WRITE,
)
from baan_shared.ids import new_id
from baan_testkit.auth import (
    ClientFor,
    Refusal,
    answers_past_the_limit,
    asgi_client,
    refusal_without,
    served_operations,
)
from finance.main import create_app
from finance.settings import FinanceSettings


def test_every_operation_requires_a_scope(app: FastAPI) -> None:
    assert operations_without_scopes(app) == []


# The one scope each operation needs (finance.access): reads finance:read; budgets,
# loan approval and rescheduling, funds and the arrears review finance:write; money
# out of or into a loan finance:disburse; the audit log audit:read.
REQUIRED_SCOPE = {
    "POST /v1/budgets": FINANCE_WRITE,
    "GET /v1/budgets": FINANCE_READ,
    "GET /v1/budgets/{budget_id}": FINANCE_READ,
    "POST /v1/budgets/{budget_id}/allocations/{allocation_id}/reversal": FINANCE_WRITE,
    "GET /v1/grants": FINANCE_READ,
    "GET /v1/grants/by-household/{household_id}": FINANCE_READ,
    "GET /v1/grants/{grant_id}": FINANCE_READ,
    "POST /v1/loans": FINANCE_WRITE,
    "GET /v1/loans": FINANCE_READ,
    "POST /v1/loans/arrears-review": FINANCE_WRITE,
    "GET /v1/loans/{loan_id}": FINANCE_READ,
    "POST /v1/loans/{loan_id}/reschedule": FINANCE_WRITE,
    "POST /v1/loans/{loan_id}/disburse": FINANCE_DISBURSE,
    "POST /v1/loans/{loan_id}/repayments": FINANCE_DISBURSE,
    "POST /v1/loans/{loan_id}/repayments/{repayment_id}/reversal": FINANCE_DISBURSE,
    "POST /v1/bank-statements": FINANCE_DISBURSE,
    "POST /v1/bank-statements/file": FINANCE_DISBURSE,
    "POST /v1/revolving-funds": FINANCE_WRITE,
    "GET /v1/revolving-funds": FINANCE_READ,
    "GET /v1/revolving-funds/{fund_id}": FINANCE_READ,
    "POST /v1/revolving-funds/{fund_id}/deposits": FINANCE_WRITE,
    "GET /v1/ledger/trial-balance": FINANCE_READ,
    "GET /v1/reconciliation/households/{household_id}": FINANCE_READ,
    "GET /v1/welfare-match-payments": FINANCE_READ,
    "GET /v1/audit-log": AUDIT_READ,
}


def test_every_route_is_listed_with_its_scope(app: FastAPI) -> None:
    """Walks every route the app answers: a new endpoint fails here until its scope is
    decided, and none hides from the OpenAPI document."""
    walked = {
        f"{method} {path}" for method, path in served_operations(app) if path.startswith("/v1/")
    }
    assert walked == set(REQUIRED_SCOPE)
    documented = {
        f"{method.upper()} {path}": [
            scope
            for requirement in operation.get("security", [])
            for scopes in requirement.values()
            for scope in scopes
        ]
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith("/health/")
        for method, operation in operations.items()
    }
    assert documented == {operation: [scope] for operation, scope in REQUIRED_SCOPE.items()}


@pytest.mark.parametrize("operation", sorted(REQUIRED_SCOPE))
async def test_an_operation_refuses_a_token_without_its_scope(
    operation: str, client_for: ClientFor
) -> None:
    """Every other scope in the catalogue, all areas, not this one: 403 naming it,
    before anything is read or validated."""
    method, path = operation.split(" ", 1)
    scope = REQUIRED_SCOPE[operation]
    url = re.sub(r"\{[a-z_]+\}", str(new_id()), path)
    body: dict[str, object] | None = {} if method == "POST" else None
    refused = await refusal_without(client_for, method, url, [scope], json=body)
    assert refused == Refusal(403, "application/problem+json", [scope])


def _anonymous(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return asgi_client(app, BASE_URL, headers)


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


async def test_the_audit_log_refuses_an_auditor_bound_to_areas(client_for: ClientFor) -> None:
    """The audit log is national (issue 14): its rows name other areas' records, so an
    auditor bound to areas gets 403 ``national-only`` even with ``audit:read``."""
    async with client_for("provincial-auditor", [AUDIT_READ, FINANCE_READ], ["50"]) as auditor:
        response = await auditor.get("/v1/audit-log")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["code"] == "national-only"
    assert "items" not in response.json()


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
    answers = await answers_past_the_limit(
        application, BASE_URL, national_headers(), "/v1/budgets", requests=5
    )
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert int(refused.headers["retry-after"]) > 0
    assert refused.headers["content-type"] == "application/problem+json"

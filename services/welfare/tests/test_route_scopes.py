"""Each welfare operation asks for the right scope (docs/adr/0003-partner-access.md):
reads need ``welfare:read``; registering funds and members, contributions, claims, rule
versions, income and match requests ``welfare:write``; the committee's decisions on
claims and payments ``welfare:decide``; approving a match ``welfare:match``; the audit
log ``audit:read``. A client holding every other scope is refused with a 403 naming
the one it lacks, before anything is read or stored."""

from typing import Any

import pytest
from fastapi import FastAPI

from baan_shared.auth.scopes import (
    AUDIT_READ,
    WELFARE_DECIDE,
    WELFARE_MATCH,
    WELFARE_READ,
    WELFARE_WRITE,
)
from baan_testkit.auth import ClientFor, Refusal, refusal_without
from welfare.main import create_app
from welfare.settings import WelfareSettings

OPEN = ("/health/",)  # probes
COMMITTEE = {
    "/v1/claims/{claim_id}/decision",
    "/v1/claims/{claim_id}/payment",
    "/v1/funds/{fund_id}/claim-decisions",
    "/v1/funds/{fund_id}/claim-payments",
}
MATCH = {"/v1/match-requests/{request_id}/decision"}


def _published_operations() -> dict[tuple[str, str], list[str]]:
    app = create_app(WelfareSettings(database_url="sqlite+aiosqlite://", log_json=False))
    return {
        (method.upper(), path): [
            scope
            for requirement in operation.get("security") or []
            for scopes in requirement.values()
            for scope in scopes
        ]
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith(OPEN)
        for method, operation in operations.items()
    }


OPERATIONS = _published_operations()


def _right_scope(method: str, path: str) -> str:
    if path == "/v1/audit-log":
        return AUDIT_READ
    if method == "GET":
        return WELFARE_READ
    if path in COMMITTEE:
        return WELFARE_DECIDE
    if path in MATCH:
        return WELFARE_MATCH
    return WELFARE_WRITE


def test_every_operation_asks_for_its_right_scope_and_no_other() -> None:
    wrong = {
        f"{method} {path}": scopes
        for (method, path), scopes in OPERATIONS.items()
        if scopes != [_right_scope(method, path)]
    }
    assert wrong == {}


def test_the_committee_and_the_matcher_have_their_own_scopes() -> None:
    assert {path for (_, path), scopes in OPERATIONS.items() if scopes == [WELFARE_DECIDE]} == (
        COMMITTEE
    )
    assert {path for (_, path), scopes in OPERATIONS.items() if scopes == [WELFARE_MATCH]} == MATCH


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
async def test_a_client_without_the_right_scope_is_refused_naming_it(
    app: FastAPI, client_for: ClientFor, method: str, path: str
) -> None:
    needed = _right_scope(method, path)
    url = path.format(
        fund_id="0190c0de-0000-7000-8000-000000000001",
        member_id="0190c0de-0000-7000-8000-000000000002",
        claim_id="0190c0de-0000-7000-8000-000000000003",
        request_id="0190c0de-0000-7000-8000-000000000004",
    )
    request: dict[str, Any] = {} if method == "GET" else {"json": {}}
    refused = await refusal_without(client_for, method, url, [needed], **request)
    assert refused == Refusal(403, "application/problem+json", [needed])

"""Each reporting operation asks for the right scope (docs/adr/0003-partner-access.md):
reading reports, queries, exports and targets needs ``reports:read``, setting targets
``reports:write``, the audit log ``audit:read``, rebuilds' progress ``admin``; a client
holding every other scope is refused with a 403 naming the one it lacks."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import Household, apply_events, journey, target

from baan_shared.auth.scopes import ADMIN, AUDIT_READ, REPORTS_READ, REPORTS_WRITE
from baan_testkit.auth import ClientFor, Refusal, refusal_without
from reporting.main import create_app
from reporting.settings import ReportingSettings

OPEN = ("/health/",)  # probes


def _published_operations() -> dict[tuple[str, str], list[str]]:
    """``{(METHOD, path): scopes}`` as the OpenAPI document publishes them."""
    app = create_app(ReportingSettings(database_url="sqlite+aiosqlite://", log_json=False))
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
    if path.startswith("/v1/rebuilds"):
        return ADMIN  # ops polling a rebuild: the national administration
    if method == "PUT" and path in (
        "/v1/targets",
        "/v1/historical-achievements",
        "/v1/long-term-targets/{code}",
    ):
        return REPORTS_WRITE
    assert method == "GET", f"{method} {path}: a new write needs its scope decided here"
    return REPORTS_READ


def test_every_operation_asks_for_its_right_scope_and_no_other() -> None:
    wrong = {
        f"{method} {path}": scopes
        for (method, path), scopes in OPERATIONS.items()
        if scopes != [_right_scope(method, path)]
    }
    assert wrong == {}


REQUESTS: dict[str, dict[str, Any]] = {
    "GET": {
        "params": {
            "fiscal_year": "2562",
            "measures": "completed",
            "from_year": "2546",
            "to_year": "2565",
        }
    },
    "PUT": {"json": {"targets": [target()]}},
}


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
async def test_a_client_without_the_right_scope_is_refused_naming_it(
    app: FastAPI, client_for: ClientFor, method: str, path: str
) -> None:
    needed = _right_scope(method, path)
    refused = await refusal_without(client_for, method, path, [needed], **REQUESTS[method])
    assert refused == Refusal(403, "application/problem+json", [needed])


# An object for every read whose path names one, set up by the national office.
PATH_VALUES = {"code": "master-plan-20-year"}
LONG_TERM_TARGET = {
    "name_th": "แผนแม่บท 20 ปี",
    "name_en": "20-year master plan",
    "first_fiscal_year": 2560,
    "last_fiscal_year": 2579,
    "households": 1_050_000,
    "source": "seed 003",
}


async def test_reading_every_report_needs_nothing_but_reports_read(
    app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    put = await client.put("/v1/long-term-targets/master-plan-20-year", json=LONG_TERM_TARGET)
    assert put.status_code == 200, put.text
    household = Household()
    await apply_events(app, journey("surveyed", household=household))
    values = {**PATH_VALUES, "household_id": household.household_id}
    async with client_for("reader", [REPORTS_READ], ["*"]) as reader:
        statuses: dict[str, int] = {}
        for method, path in sorted(OPERATIONS):
            if _right_scope(method, path) == REPORTS_READ:
                # Only the parameters the report takes: it refuses any other (422).
                declared = {
                    p["name"] for p in app.openapi()["paths"][path]["get"].get("parameters", [])
                }
                params = {k: v for k, v in REQUESTS["GET"]["params"].items() if k in declared}
                url = path.format(**values)
                response: httpx.Response = await reader.get(url, params=params)
                statuses[path] = response.status_code
    assert set(statuses.values()) == {200}

"""Every integer reporting accepts has an upper bound, so a number too large to store is
a 422 naming the field, never an overflow in the database (``baan_shared.http.bounds``)."""

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import ISSUER
from reporting_factories import target

from baan_shared.auth.scopes import ADMIN
from baan_testkit.auth import integers_in_requests, unbounded_integers
from reporting.main import create_app
from reporting.settings import ReportingSettings

TOO_LARGE = 10**16
# What a GET needs besides the number being tried.
REQUIRED = {
    "fiscal_year": "2562",
    "measures": "completed",
    "from_year": "2546",
    "to_year": "2565",
}


APP = create_app(ReportingSettings(database_url="sqlite+aiosqlite://", log_json=False))


def _integer_query_parameters() -> list[tuple[str, str]]:
    """(path, name) of every integer query parameter of a GET, from the shared walk's
    ``GET /v1/... query.name`` places (``query.name.N`` for a list of integers)."""
    found = []
    for where, _ in integers_in_requests(APP):
        method, path, place = where.split(" ", 2)
        if method == "GET" and place.startswith("query."):
            found.append((path, place.split(".")[1]))
    return list(dict.fromkeys(found))


def test_every_integer_in_a_request_has_a_maximum() -> None:
    assert unbounded_integers(APP) == []


def test_the_reports_take_fiscal_years_as_integers() -> None:
    # Guards the walk below: it has numbers to try on every report that takes a year.
    assert {path for path, _ in _integer_query_parameters()} >= {
        "/v1/reports/progress",
        "/v1/reports/targets",
        "/v1/reports/money",
        "/v1/reports/targets/export",
        "/v1/query",
        "/v1/targets",
    }


@pytest.mark.parametrize(("path", "name"), _integer_query_parameters())
async def test_a_too_large_number_in_a_query_is_a_422_naming_it(
    client: httpx.AsyncClient, path: str, name: str
) -> None:
    # Only what the report takes: it refuses parameters it does not (422 naming them).
    declared = {p["name"] for p in APP.openapi()["paths"][path]["get"].get("parameters", [])}
    required = {key: value for key, value in REQUIRED.items() if key in declared}
    headers = {}
    if path.startswith("/v1/rebuilds"):  # the national administration's alone (admin)
        headers = {"Authorization": f"Bearer {ISSUER.mint_token('ops', (ADMIN,), ['*'])}"}
    response = await client.get(path, params={**required, name: str(TOO_LARGE)}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"].split(".")[:2] for e in response.json()["errors"]] == [["query", name]]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"quantity": 2**40}, "body.targets.0.quantity"),
        ({"quantity": 100_000_001}, "body.targets.0.quantity"),
        ({"fiscal_year": TOO_LARGE}, "body.targets.0.fiscal_year"),
    ],
)
async def test_a_too_large_target_is_a_422_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient, given: dict[str, int], field: str
) -> None:
    response = await client.put("/v1/targets", json={"targets": [target(**given)]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (await client.get("/v1/targets")).json()["targets"] == []

"""Every integer reporting accepts has an upper bound, so a number too large to store is
a 422 naming the field, never an overflow in the database (``baan_shared.http.bounds``)."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import target

from reporting.main import create_app
from reporting.settings import ReportingSettings

TOO_LARGE = 10**16
# What a GET needs besides the number being tried.
REQUIRED = {"fiscal_year": "2562", "measures": "completed"}


def _openapi() -> dict[str, Any]:
    app = create_app(ReportingSettings(database_url="sqlite+aiosqlite://", log_json=False))
    document: dict[str, Any] = app.openapi()
    return document


OPENAPI = _openapi()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = OPENAPI["components"]["schemas"][name]
    return schema


def _integers(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer in a schema, by its path: ``(body.targets.*.quantity, {...})``."""
    schema = _resolve(schema)
    if schema.get("type") == "integer":
        yield where, schema
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from _integers(option, where)
    if "items" in schema:
        yield from _integers(schema["items"], f"{where}.*")
    for name, field in schema.get("properties", {}).items():
        yield from _integers(field, f"{where}.{name}")


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _integer_query_parameters() -> list[tuple[str, str]]:
    return [
        (path, parameter["name"])
        for method, path, operation in _operations()
        if method == "get"
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and any(_integers(parameter["schema"], ""))
    ]


def test_every_integer_in_a_request_has_a_maximum() -> None:
    unbounded = []
    for method, path, operation in _operations():
        for parameter in operation.get("parameters", []):
            where = f"{method} {path} {parameter['in']}.{parameter['name']}"
            unbounded += [
                where for _, s in _integers(parameter["schema"], "") if "maximum" not in s
            ]
        for content in operation.get("requestBody", {}).get("content", {}).values():
            unbounded += [
                f"{method} {path} {field}"
                for field, s in _integers(content["schema"], "body")
                if "maximum" not in s
            ]
    assert unbounded == []


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
    response = await client.get(path, params={**REQUIRED, name: str(TOO_LARGE)})
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

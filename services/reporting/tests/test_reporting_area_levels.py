"""One vocabulary for area levels (issue 20): the whole country is ``country`` in
reporting's reports and targets and in the budget events it reads. Events published
before say ``national``: they are read as ``country``, never rewritten. Each level
enum in the OpenAPI lists exactly what its operation accepts."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import BAAN_PHO_PHIANG, NOV_2018, allocation, apply_events, cloud_event
from sqlmodel import select

from baan_shared.events import CloudEvent
from baan_shared.reference import AreaLevel
from reporting.projections.models import BudgetMoney
from reporting.targets.models import TargetLevel

YEAR = {"fiscal_year": "2562"}


def old_event(level: str, code: str, amount: int) -> CloudEvent:
    """A budget.allocated as the log holds it, with ``level`` written as it was then."""
    event = cloud_event(allocation("country", code, amount), time=NOV_2018)
    assert isinstance(event.data, dict)
    event.data["area_level"] = level
    return event


async def country_budget(client: httpx.AsyncClient) -> int:
    response = await client.get("/v1/reports/money", params={**YEAR, "level": "country"})
    assert response.status_code == 200, response.text
    [row] = [r for r in response.json()["rows"] if r["programme"] == BAAN_PHO_PHIANG]
    assert (row["area_level"], row["area_code"]) == ("country", "TH")
    allocated: int = row["budget_allocated_satang"]
    return allocated


class TestBudgetsAtTheCountryLevel:
    async def test_a_country_budget_shows_in_the_country_row(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, [cloud_event(allocation("country", "TH", 500), time=NOV_2018)])
        assert await country_budget(client) == 500

    async def test_an_old_event_saying_national_is_read_as_country(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, [old_event("national", "TH", 700)])
        assert await country_budget(client) == 700
        async with app.state.runtime.session_factory() as session:
            [stored] = (await session.exec(select(BudgetMoney))).all()
        assert stored.area_level == "country"

    async def test_a_region_never_shows_the_countrys_budget(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, [old_event("national", "TH", 700)])
        response = await client.get("/v1/reports/money", params={**YEAR, "level": "region"})
        assert response.status_code == 200, response.text
        assert all(r["budget_allocated_satang"] == 0 for r in response.json()["rows"])
        [total] = [t for t in response.json()["totals"] if t["programme"] == BAAN_PHO_PHIANG]
        assert total["budget_allocated_satang"] == 700


class TestTargetsAtTheCountryLevel:
    async def test_a_country_target_is_set_and_read_back(self, client: httpx.AsyncClient) -> None:
        target = {
            "programme": BAAN_PHO_PHIANG,
            "fiscal_year": 2562,
            "period": "year",
            "area_level": "country",
            "area_code": "TH",
            "unit": "households",
            "quantity": 60_000,
        }
        response = await client.put("/v1/targets", json={"targets": [target]})
        assert response.status_code == 200, response.text
        found = await client.get("/v1/targets", params={"area_level": "country"})
        [stored] = found.json()["targets"]
        assert (stored["area_level"], stored["area_code"], stored["quantity"]) == (
            "country",
            "TH",
            60_000,
        )

    @pytest.mark.parametrize("level", ["national", "district", "subdistrict"])
    async def test_a_target_at_any_other_level_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, level: str
    ) -> None:
        target = {
            "programme": BAAN_PHO_PHIANG,
            "fiscal_year": 2562,
            "period": "year",
            "area_level": level,
            "area_code": "5701",
            "unit": "households",
            "quantity": 1,
        }
        response = await client.put("/v1/targets", json={"targets": [target]})
        assert response.status_code == 422
        fields = [e["field"] for e in response.json()["errors"]]
        assert fields == ["body.targets.0.area_level"]


# --- each level enum in the OpenAPI against what its operation accepts ------------------


def _enum(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for variant in schema.get("anyOf", []):
        if variant.get("type") != "null":
            return _enum(document, variant)
    values: list[str] = schema["enum"]
    return values


def _level_parameters(document: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(path, parameter, enum) for every GET query parameter naming a level."""
    found = []
    for path, operations in document["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] in ("level", "area_level"):
                found.append((path, parameter["name"], _enum(document, parameter["schema"])))
    return found


# What else each operation needs to answer: the smallest valid query.
REQUIRED: dict[str, dict[str, Any]] = {
    "/v1/query": {**YEAR, "measures": ["approved", "budget_allocated_satang"]},
    "/v1/reports/targets": YEAR,
    "/v1/reports/targets/export": YEAR,
    "/v1/reports/targets/monthly/export": YEAR,
    "/v1/reports/plans": YEAR,
    "/v1/reports/plans/export": YEAR,
    # Tambon rows are asked for one province at a time.
    "/v1/reports/survey-coverage": {"province_code": "57"},
}
WORDS = sorted({*AreaLevel, "national", "project", "nation"})


async def test_every_level_enum_lists_exactly_the_levels_its_operation_accepts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    document = app.openapi()
    parameters = _level_parameters(document)
    assert {path for path, _, _ in parameters} == {
        "/v1/query",
        "/v1/reports/money",
        "/v1/reports/money/export",
        "/v1/reports/plans",
        "/v1/reports/plans/export",
        "/v1/reports/survey-coverage",
        "/v1/reports/targets",
        "/v1/reports/targets/export",
        "/v1/reports/welfare",
        "/v1/reports/welfare/export",
        "/v1/reports/targets/monthly/export",
        "/v1/targets",
    }
    for path, name, enum in parameters:
        # Reports cut at any level of the one vocabulary; targets are read at any too
        # (a district has none: the answer is empty).
        assert enum == [level.value for level in AreaLevel], path
        for word in WORDS:
            response = await client.get(path, params={**REQUIRED.get(path, {}), name: word})
            refused = (
                [e["field"] for e in response.json().get("errors", [])]
                if response.headers["content-type"].startswith("application/problem")
                else []
            )
            if word in enum:
                assert response.status_code == 200, (path, word, response.text)
            else:
                assert response.status_code == 422, (path, word)
                assert refused == [f"query.{name}"], (path, word, refused)

    body = document["components"]["schemas"]["TargetSet"]["properties"]["area_level"]
    target_levels = _enum(document, body)
    assert (
        target_levels
        == [level.value for level in TargetLevel]
        == [
            "country",
            "region",
            "province",
        ]
    )
    codes = {"country": "TH", "region": "N", "province": "57", "district": "5701"}
    for word in WORDS:
        target = {
            "programme": BAAN_PHO_PHIANG,
            "fiscal_year": 2562,
            "period": "year",
            "area_level": word,
            "area_code": codes.get(word, "5701"),
            "unit": "households",
            "quantity": 1,
        }
        response = await client.put("/v1/targets", json={"targets": [target]})
        assert response.status_code == (200 if word in target_levels else 422), (word, response)

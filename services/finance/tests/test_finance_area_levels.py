"""One vocabulary for area levels (issue 20): a budget for the whole country is at
level ``country``, the word reporting, targets and events use. ``national``, finance's
old word, is still taken on input as a deprecated alias and answered as ``country``;
stored budgets are migrated to the new word (SQLite and PostgreSQL)."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import allocate, budget_body
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from baan_shared.events.catalog import BudgetAllocated
from baan_shared.ids import new_id
from baan_shared.reference import AreaLevel
from baan_testkit.outbox import outbox_events
from finance.budgets.areas import BUDGET_LEVEL_INPUT, BudgetLevel

ROOT = Path(__file__).resolve().parents[3]
BEFORE = "87f9e3b9f3cb"  # the revision before budgets' levels were renamed


def test_a_budget_level_is_an_area_level_or_a_project() -> None:
    assert {level.value for level in BudgetLevel} == {*AreaLevel, "project"}
    assert [*(level.value for level in BudgetLevel), "national"] == BUDGET_LEVEL_INPUT


class TestTheCountrysBudget:
    async def test_a_country_budget_is_allocated_listed_and_published_as_country(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget = await allocate(app, area_level="country", area_code="TH")
        assert (budget["area_level"], budget["area_code"]) == ("country", "TH")
        listed = await client.get("/v1/budgets", params={"area_level": "country"})
        assert [b["id"] for b in listed.json()["items"]] == [budget["id"]]
        [event] = await outbox_events(app, "budget.allocated")
        assert (event["area_level"], event["area_code"]) == ("country", "TH")
        data = BudgetAllocated.model_validate(event)
        assert data.area_level == "country"

    async def test_national_is_a_deprecated_alias_answered_as_country(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        first = await allocate(app, area_level="national", area_code="TH", amount_satang=100)
        second = await allocate(app, area_level="country", area_code="", amount_satang=20)
        assert first["area_level"] == second["area_level"] == "country"
        assert first["id"] == second["id"]  # one budget: the same level, however written
        assert second["allocated_satang"] == 120
        listed = await client.get("/v1/budgets", params={"area_level": "national"})
        assert listed.status_code == 200, listed.text
        assert [b["id"] for b in listed.json()["items"]] == [first["id"]]
        events = await outbox_events(app, "budget.allocated")
        assert [e["area_level"] for e in events] == ["country", "country"]

    async def test_an_unknown_level_is_refused_naming_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/v1/budgets", json=budget_body(area_level="nation"))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.area_level"]
        listed = await client.get("/v1/budgets", params={"area_level": "nation"})
        assert listed.status_code == 422
        assert [e["field"] for e in listed.json()["errors"]] == ["query.area_level"]


def _enum(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for variant in schema.get("anyOf", []):
        if variant.get("type") != "null":
            return _enum(document, variant)
    values: list[str] = schema["enum"]
    return values


CODES = {
    "project": str(new_id()),
    "subdistrict": "100502",
    "district": "1005",
    "province": "10",
    "region": "BVE",
    "country": "TH",
    "national": "TH",
}


async def test_each_level_enum_lists_exactly_the_levels_budgets_accept(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    document = app.openapi()
    schemas = document["components"]["schemas"]
    body = _enum(document, schemas["BudgetAllocate"]["properties"]["area_level"])
    [parameter] = [
        p
        for p in document["paths"]["/v1/budgets"]["get"]["parameters"]
        if p["name"] == "area_level"
    ]
    query = _enum(document, parameter["schema"])
    answered = _enum(document, schemas["BudgetPublic"]["properties"]["area_level"])
    assert body == query == BUDGET_LEVEL_INPUT
    assert answered == [level.value for level in BudgetLevel]  # never "national"
    for word in sorted({*CODES, *AreaLevel, "nation", "Country"}):
        allocated = await client.post(
            "/v1/budgets", json=budget_body(area_level=word, area_code=CODES.get(word, "10"))
        )
        listed = await client.get("/v1/budgets", params={"area_level": word})
        if word in body:
            assert allocated.status_code == 201, (word, allocated.text)
            assert allocated.json()["budget"]["area_level"] in answered
            assert listed.status_code == 200, (word, listed.text)
        else:
            assert (allocated.status_code, listed.status_code) == (422, 422), word


# --- the stored rows: a data migration, on SQLite and PostgreSQL -------------------------


def _alembic(url: str, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "services/finance/alembic.ini"), *args],
        env={**os.environ, "FINANCE_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"alembic {' '.join(args)}:\n{result.stderr}"


async def _levels(url: str, statement: str | None = None) -> list[tuple[str, str]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if statement is not None:
                await connection.execute(text(statement))
            rows = await connection.execute(
                text("SELECT area_level, area_code FROM budgets ORDER BY area_code")
            )
            return [(row[0], row[1]) for row in rows]
    finally:
        await engine.dispose()


INSERT = (
    "INSERT INTO budgets (id, programme, fiscal_year, area_level, area_code, "
    "allocated_satang, committed_satang, created_at, updated_at) VALUES "
    "('{0}', 'CANAL', 2569, 'national', 'TH', 5, 0, '2026-11-30 00:00:00+00', "
    "'2026-11-30 00:00:00+00'), "
    "('{1}', 'CANAL', 2569, 'province', '10', 5, 0, '2026-11-30 00:00:00+00', "
    "'2026-11-30 00:00:00+00')"
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    if request.param == "sqlite":
        return lambda: f"sqlite+aiosqlite:///{tmp_path}/finance-levels.db"
    make_database = request.getfixturevalue("make_postgres_database")
    return lambda: str(make_database("finance_levels"))


async def test_stored_national_budgets_become_country_and_back(
    database_url: Callable[[], str],
) -> None:
    url = database_url()
    _alembic(url, "upgrade", BEFORE)
    ids = (new_id().hex, new_id().hex) if url.startswith("sqlite") else (new_id(), new_id())
    before = await _levels(url, INSERT.format(*ids))
    assert before == [("province", "10"), ("national", "TH")]
    _alembic(url, "upgrade", "head")
    assert await _levels(url) == [("province", "10"), ("country", "TH")]
    _alembic(url, "downgrade", BEFORE)
    assert await _levels(url) == [("province", "10"), ("national", "TH")]

"""The projection and reports on PostgreSQL, the production database.

Needs the ``baan`` pytest plugin (deploy/local), which starts a throwaway
PostgreSQL server; skipped when it is not loaded (``-p no:baan``).
"""

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import national_headers
from reporting_factories import (
    Household,
    StartApp,
    apply_events,
    journey,
    latest_time,
    realistic_mix,
    target,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Callable[[], str]:
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return lambda: str(make_database("reporting"))


async def _report(app: FastAPI, url: str) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_reports_match_whatever_the_order(start_app: StartApp) -> None:
    events = realistic_mix()
    in_order, shuffled = await start_app(), await start_app()
    assert in_order.state.runtime.engine.dialect.name == "postgresql"
    await apply_events(in_order, events)
    await apply_events(shuffled, random.Random(5).sample(events, k=len(events)))
    for url in ("/v1/reports/progress", "/v1/reports/funnel"):
        assert await _report(shuffled, url) == await _report(in_order, url)
    progress = await _report(in_order, "/v1/reports/progress")
    assert progress["totals"]["completed"] == 3
    assert progress["totals"]["grant_disbursed_satang"] == 30_990_000
    assert progress["as_of"] is not None


async def test_the_three_streams_of_one_household_applied_at_once(start_app: StartApp) -> None:
    # Three consumers (one per stream) race to create the same household's row.
    app = await start_app()
    events = journey("completed", household=Household(programme="CANAL", province_code="10"))
    streams: dict[str, list[Any]] = {}
    for event in events:
        streams.setdefault(event.type.split(".")[0], []).append(event)
    await asyncio.gather(*(apply_events(app, of_stream) for of_stream in streams.values()))
    funnel = await _report(app, "/v1/reports/funnel")
    assert funnel["households"] == 1
    assert {s["stage"]: s["households"] for s in funnel["stages"]}["completed"] == 1
    progress = await _report(app, "/v1/reports/progress")
    assert progress["totals"]["grant_disbursed_satang"] == 2_000_000
    freshness = await _report(app, "/v1/reports/freshness")
    assert sum(s["events_applied"] for s in freshness["streams"]) == len(events)
    assert datetime.fromisoformat(freshness["as_of"]) == latest_time(events)


async def test_targets_and_target_report_on_postgresql(start_app: StartApp) -> None:
    app = await start_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.put("/v1/targets", json={"targets": [target(quantity=2)]})
        assert response.status_code == 200, response.text
        again = await http.put("/v1/targets", json={"targets": [target(quantity=1)]})
        assert again.status_code == 200, again.text
        start = datetime(2018, 11, 5, 2, 0, tzinfo=UTC)
        events = []
        for day in range(3):
            household = Household(fiscal_year=2562)
            events += journey("completed", household=household, start=start + timedelta(days=day))
        await apply_events(app, events)
        response = await http.get(
            "/v1/reports/targets",
            params={"fiscal_year": 2562, "period": "h1", "level": "province", "unit": "households"},
        )
        assert response.status_code == 200, response.text
        [row] = response.json()["rows"]
        assert (row["target"], row["completed"], row["completed_percent"]) == (1, 3, 300.0)
        assert sum(m["completed"] for m in response.json()["months"]) == 3

"""The drill-down (GET /v1/reports/households): every figure down to its households.

For a generated data set (every stage, three programmes, provinces with and without
known districts, two fiscal years and both halves), every household figure of every
report links to a list, and the list holds exactly that many households: the
progress report, the funnel (now, by half and as of a past date), the targets report
at every level and period (rows, totals and months) and the query API's cells. On
SQLite and on PostgreSQL; for a national client and for one bound to a province.
"""

import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES, auth_settings
from reporting_factories import (
    BAAN_PHO_PHIANG,
    CANAL,
    Household,
    apply_events,
    journey,
    target,
)

from baan_shared.events import CloudEvent
from baan_testkit.auth import ClientFor
from reporting.main import create_app
from reporting.projections.models import Stage
from reporting.settings import ReportingSettings

STAGES = [stage.value for stage in Stage]
# (province, district, subdistrict): Chiang Rai in two districts, Bangkok, and Chiang Mai
# households whose district and sub-district are not known.
PLACES = [
    ("57", "5701", "570101"),
    ("57", "5702", "570201"),
    ("10", "1038", "103801"),
    ("50", None, None),
]
PROGRAMMES = [BAAN_PHO_PHIANG, CANAL, "BAAN_MANKONG"]
FY2562 = datetime(2018, 10, 3, 3, 0, tzinfo=UTC)  # 3 Oct 2018, early in FY 2562


class PlacedHousehold(Household):
    district: str | None = None
    subdistrict: str | None = None

    def area(self) -> dict[str, object]:
        return {
            **super().area(),
            "district_code": self.district,
            "subdistrict_code": self.subdistrict,
        }


def generated(count: int, seed: int = 15) -> list[CloudEvent]:
    """``count`` households at random stages, places and programmes, approved on random
    days across FY 2562 and the start of FY 2563."""
    rng = random.Random(seed)
    events: list[CloudEvent] = []
    for _ in range(count):
        province, district, subdistrict = rng.choice(PLACES)
        start = FY2562 + timedelta(days=rng.randrange(0, 420), hours=rng.randrange(0, 24))
        household = PlacedHousehold(
            programme=rng.choice(PROGRAMMES),
            province_code=province,
            fiscal_year=2562 if start < datetime(2019, 9, 30, 17, tzinfo=UTC) else 2563,
            community_id=uuid.UUID(int=rng.randrange(3) + 1),
        )
        household.district, household.subdistrict = district, subdistrict
        events += journey(rng.choice(STAGES), household=household, start=start)
    return events


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    if request.param == "sqlite":
        return lambda: f"sqlite+aiosqlite:///{tmp_path}/reporting-{uuid.uuid4().hex[:6]}.db"
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return lambda: str(make_database("reporting"))


@pytest.fixture
async def app(database_url: Callable[[], str]) -> AsyncIterator[FastAPI]:
    """The reporting app, allowing the many requests that following every link takes."""
    settings = ReportingSettings(
        database_url=database_url(),
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    application = create_app(settings, auth_settings(rate_limit_requests=1_000_000))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def populated(app: FastAPI) -> FastAPI:
    """The app the ``client`` and ``client_for`` fixtures call, with generated households."""
    await apply_events(app, generated(70))
    return app


async def _get(client: httpx.AsyncClient, url: str, **params: Any) -> Any:
    # httpx replaces a URL's own query string with ``params`` when given any.
    response = await client.get(url, params=params) if params else await client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


async def households_behind(client: httpx.AsyncClient, link: str) -> list[dict[str, Any]]:
    """Every household of a drill-down link, page by page (small pages: the cursor is
    exercised); the list's own ``count`` must agree with its length."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    count = None
    while True:
        url = f"{link}&limit=25" + (f"&cursor={cursor}" if cursor else "")
        page = await _get(client, url)
        count = page["count"] if count is None else count
        assert page["count"] == count
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [item["household_id"] for item in items]
    assert len(set(ids)) == len(ids), f"{link}: a household listed twice"
    assert ids == sorted(ids)
    assert len(items) == count, link
    return items


Cell = tuple[str, int, str]
"""(where in the report, the figure, its drill-down link)."""


def cells(report: Any, at: str = "") -> list[Cell]:
    """Every figure with a link in a report: each ``drill_down`` beside its figures."""
    found: list[Cell] = []
    if isinstance(report, dict):
        for measure, link in report.get("drill_down", {}).items():
            figure = report[measure] if measure in report else report["measures"][measure]
            found.append((f"{at}.{measure}", figure, link))
        for key, value in report.items():
            if key != "drill_down":
                found += cells(value, f"{at}.{key}")
    elif isinstance(report, list):
        for n, value in enumerate(report):
            found += cells(value, f"{at}[{n}]")
    return found


REPORTS: list[tuple[str, dict[str, Any]]] = [
    ("/v1/reports/progress", {}),
    ("/v1/reports/progress", {"fiscal_year": 2562}),
    ("/v1/reports/progress", {"fiscal_year": 2562, "period": "h2", "programme": CANAL}),
    ("/v1/reports/funnel", {}),
    ("/v1/reports/funnel", {"fiscal_year": 2562, "period": "h1"}),
    ("/v1/reports/funnel", {"as_of_date": "2019-03-31", "province_code": "57"}),
    *[
        ("/v1/reports/targets", {"fiscal_year": 2562, "level": level})
        for level in ("country", "region", "province", "district", "subdistrict")
    ],
    ("/v1/reports/targets", {"fiscal_year": 2562, "period": "h1", "level": "province"}),
    ("/v1/reports/targets", {"fiscal_year": 2562, "period": "h2", "level": "subdistrict"}),
    ("/v1/reports/targets", {"fiscal_year": 2563, "level": "district", "province_code": "57"}),
    ("/v1/reports/targets", {"fiscal_year": 2562, "level": "province", "region": "N"}),
    (
        "/v1/query",
        {
            "fiscal_year": [2562, 2563],
            "measures": ["approved", "started", "completed", "target"],
            "level": "province",
        },
    ),
]


async def every_cell_equals_its_list(
    client: httpx.AsyncClient, reports: list[tuple[str, dict[str, Any]]] = REPORTS
) -> dict[str, set[str]]:
    """Follows every link of the reports; returns the provinces each list named."""
    provinces: dict[str, set[str]] = {}
    links = 0
    for path, params in reports:
        report = await _get(client, path, **params)
        for at, figure, link in cells(report):
            listed = await households_behind(client, link)
            assert len(listed) == figure, f"{path} {params} {at}: {figure} but {len(listed)}"
            provinces[f"{path}{at}"] = {h["province_code"] for h in listed}
            links += 1
    assert links > 10 * len(reports)  # every report linked its figures
    return provinces


@pytest.mark.timeout(900)
async def test_every_figure_of_every_report_equals_the_length_of_its_list(
    populated: FastAPI, client: httpx.AsyncClient
) -> None:
    await client.put(
        "/v1/targets",
        json={"targets": [target(quantity=4), target(area_code="10", quantity=3)]},
    )
    provinces = await every_cell_equals_its_list(client)
    assert set().union(*provinces.values()) == {"57", "10", "50"}
    # The stage at a moment after every event, worked out in SQL, is the stored stage.
    now = await _get(client, "/v1/reports/funnel")
    later = await _get(client, "/v1/reports/funnel", as_of_date="2030-01-01")
    assert [s["households"] for s in later["stages"]] == [s["households"] for s in now["stages"]]
    assert later["households"] == now["households"] == 70


@pytest.mark.timeout(900)
async def test_a_client_bound_to_a_province_gets_only_its_households_behind_every_figure(
    populated: FastAPI, client_for: ClientFor, client: httpx.AsyncClient
) -> None:
    async with client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as chiang_rai:
        # A cut of the reports (following every link takes long on PostgreSQL).
        provinces = await every_cell_equals_its_list(chiang_rai, REPORTS[::2])
        assert set().union(*provinces.values()) == {"57"}
        everyone = await households_behind(client, "/v1/reports/households?measure=households")
        own = await households_behind(chiang_rai, "/v1/reports/households?measure=households")
        assert len(own) == sum(h["province_code"] == "57" for h in everyone) > 0
        # Elsewhere is nowhere: Bangkok's households are an empty list, as for a province
        # with no households at all.
        bangkok = await _get(chiang_rai, "/v1/reports/households", province_code="10")
        empty = await _get(chiang_rai, "/v1/reports/households", province_code="11")
        assert bangkok == empty
        assert bangkok["count"] == 0


async def test_the_list_names_each_household_with_its_area_stage_dates_and_money(
    populated: FastAPI, client: httpx.AsyncClient
) -> None:
    completed = await households_behind(
        client, "/v1/reports/households?stage=completed&province_code=57"
    )
    assert completed
    for household in completed:
        assert household["stage"] == "completed"
        assert household["province_name_en"] == "Chiang Rai"
        assert household["province_name_th"] == "เชียงราย"
        assert household["region"] == "N"
        assert household["completed_on"] is not None
        assert household["grant_paid_satang"] == household["grant_approved_satang"] > 0
        assert household["household_path"] == f"/v1/households/{household['household_id']}"
        # Reporting holds no personal data: nothing to mask, nothing to leak.
        assert not {"national_id", "name", "phone"} & set(household)


async def test_the_funnel_as_of_a_past_date_counts_the_stages_households_were_at(
    app: FastAPI, client_for: ClientFor
) -> None:
    start = datetime(2019, 1, 10, 3, tzinfo=UTC)
    # One event an hour: surveyed 10 Jan 10:00 Bangkok, approved 11:00 ... completed.
    await apply_events(app, journey("completed", start=start))
    await apply_events(app, journey("surveyed", start=start + timedelta(days=30)))
    async with client_for("national", NATIONAL_SCOPES, ["*"]) as national:
        before = await _get(national, "/v1/reports/funnel", as_of_date="2019-01-09")
        then = await _get(national, "/v1/reports/funnel", as_of_date="2019-01-10")
        now = await _get(national, "/v1/reports/funnel")
        far = await _get(national, "/v1/reports/funnel", as_of_date="2030-01-01")

    def at(report: dict[str, Any]) -> dict[str, int]:
        return {s["stage"]: s["households"] for s in report["stages"] if s["households"]}

    assert (before["households"], at(before)) == (0, {})
    assert (then["households"], at(then)) == (1, {"completed": 1})
    assert at(now) == {"completed": 1, "surveyed": 1}
    assert at(far) == at(now)
    assert then["stages_as_of"] == "2019-01-10T16:59:59.999999Z"


async def test_the_funnel_by_half_counts_households_approved_in_that_half(
    app: FastAPI, client_for: ClientFor
) -> None:
    h1, h2 = datetime(2018, 11, 5, 3, tzinfo=UTC), datetime(2019, 5, 6, 3, tzinfo=UTC)
    for start, stage in [(h1, "completed"), (h1, "approved"), (h2, "under_construction")]:
        await apply_events(app, journey(stage, household=Household(fiscal_year=2562), start=start))
    async with client_for("national", NATIONAL_SCOPES, ["*"]) as national:
        year, first, second = [
            await _get(national, "/v1/reports/funnel", fiscal_year=2562, period=period)
            for period in ("year", "h1", "h2")
        ]
        refused = await national.get("/v1/reports/funnel", params={"period": "h1"})
    assert (year["households"], first["households"], second["households"]) == (3, 2, 1)
    assert {s["stage"]: s["households"] for s in second["stages"]}["under_construction"] == 1
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.period"


def _report_paths(app: FastAPI) -> list[str]:
    paths = app.openapi()["paths"]
    return sorted(
        p for p in paths if p.startswith(("/v1/reports", "/v1/query")) and "get" in paths[p]
    )


async def test_an_unknown_query_parameter_on_any_report_is_a_422_naming_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    paths = _report_paths(app)
    assert "/v1/reports/households" in paths and "/v1/reports/funnel" in paths
    for template in paths:
        # A record's route is asked for a household that is not there (its id: valid).
        path = template.replace("{household_id}", str(uuid.uuid4()))
        response = await client.get(path, params={"perod": "h1"})
        assert response.status_code == 422, path
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"] == [
            {
                "field": "query.perod",
                "value": "h1",
                "reason": "not a parameter of this report",
                "code": "unknown_parameter",
            }
        ], path
        assert "perod" in problem["detail"]

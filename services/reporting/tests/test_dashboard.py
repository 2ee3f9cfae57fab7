"""The dashboard page in headless Chromium (Debian's package): the figures it shows.

The app serves on a real port; Chromium loads /dashboard, runs its script
against the JSON API and prints the resulting DOM, which we read back.
`make test` installs Chromium (scripts/install-test-deps.sh); without it this fails, not skips.
"""

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from reporting_auth import national_headers, national_token
from reporting_factories import (
    NOV_2018,
    allocation,
    apply_events,
    cloud_event,
    households,
    target,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from baan_local.ports import free_ports
from reporting.main import create_app
from reporting.settings import ReportingSettings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    assert Path(CHROMIUM).exists(), "needs Debian's chromium: run scripts/install-test-deps.sh"


class Figures(HTMLParser):
    """Collects ``data-figure`` cells by the row that holds them (area, stage or money)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.row: str | None = None
        self.figure: str | None = None
        self.loaded: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.loaded = a.get("data-loaded")
        if tag == "tr":
            key = a.get("data-area") or a.get("data-stage") or a.get("data-money")
            self.row = f"{a.get('data-programme') or ''}:{key}" if key else None
        if tag == "td" and self.row and a.get("data-figure"):
            self.figure = a["data-figure"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.row and self.figure:
            self.rows.setdefault(self.row, {})[self.figure] = data
            self.figure = None


async def page(app: ASGIApp, path: str, tmp_path: Path) -> Figures:
    (port,) = free_ports(1)
    server = uvicorn.Server(uvicorn.Config(app, port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    for _ in range(400):
        if server.started:
            break
        await asyncio.sleep(0.05)
    try:
        chromium = await asyncio.create_subprocess_exec(
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            # The page's data endpoints need a token; the page takes it from the
            # URL fragment, which the browser never sends to the server.
            f"http://127.0.0.1:{port}{path}#token={national_token()}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        dom, _ = await asyncio.wait_for(chromium.communicate(), timeout=120)
    finally:
        server.should_exit = True
        await serving
    figures = Figures()
    figures.feed(dom.decode("utf-8"))
    return figures


@pytest.fixture
async def half_year(app: FastAPI) -> FastAPI:
    return await _half_year(app)


async def _half_year(app: FastAPI) -> FastAPI:
    """FY 2562 H1: 5 Chiang Rai households completed against targets of 3 (57) and 2 (50),
    a budget of 1,000,000 THB for Chiang Rai and 300,000 THB for the country."""
    from httpx import ASGITransport, AsyncClient

    async with AsyncClient(
        transport=ASGITransport(app=app), base_url="http://r", headers=national_headers()
    ) as http:
        response = await http.put(
            "/v1/targets",
            json={"targets": [target(quantity=3), target(area_code="50", quantity=2)]},
        )
        assert response.status_code == 200
    await apply_events(
        app,
        [
            cloud_event(allocation("province", "57", 100_000_000), time=NOV_2018),
            cloud_event(allocation("country", "TH", 30_000_000), time=NOV_2018),
        ],
    )
    await apply_events(app, households(5, "completed", start=NOV_2018))
    await apply_events(app, households(1, "under_construction", start=NOV_2018))
    return app


async def test_the_dashboard_shows_targets_against_achieved_by_region(
    half_year: FastAPI, tmp_path: Path
) -> None:
    shown = await page(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert shown.loaded == "yes"
    north = shown.rows["BAAN_PHO_PHIANG:N"]
    assert (north["target"], north["completed"], north["completed_percent"]) == ("5", "5", "100%")
    assert north["subdistricts_reached"] == "1"  # all six households live in one tambon
    assert "ปีงบประมาณ 2562 ครึ่งปีแรก (ต.ค. 2561 - มี.ค. 2562)" in "".join(shown.text)
    assert shown.rows[":completed"]["households"] == "5"
    assert shown.rows[":under_construction"]["households"] == "1"
    assert shown.rows[":grant_disbursed_satang"]["grant_disbursed_satang"] == "114,000.00"
    assert shown.rows[":budget_allocated_satang"]["budget_allocated_satang"] == "1,300,000.00"
    assert shown.rows[":arrears_ratio_percent"]["arrears_ratio_percent"] == "-"


async def test_drilling_into_a_region_shows_its_provinces(
    half_year: FastAPI, tmp_path: Path
) -> None:
    shown = await page(half_year, "/dashboard?fiscal_year=2562&period=h1&region=N", tmp_path)
    chiang_rai = shown.rows["BAAN_PHO_PHIANG:57"]
    assert (chiang_rai["target"], chiang_rai["completed"]) == ("3", "5")
    assert chiang_rai["completed_percent"] == "166.7%"  # beyond the target, not capped
    assert shown.rows["BAAN_PHO_PHIANG:50"]["completed"] == "0"
    # The North's money: Chiang Rai's budget, not the national one.
    assert shown.rows[":budget_allocated_satang"]["budget_allocated_satang"] == "1,000,000.00"


@pytest.fixture
async def half_year_under_a_prefix(database_url: Callable[[], str]) -> AsyncIterator[FastAPI]:
    """The same figures from a reporting published under /reporting (behind the gateway,
    which keeps the prefix): REPORTING_ROOT_PATH."""
    settings = ReportingSettings(
        database_url=database_url(),
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        root_path="/reporting",
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield await _half_year(application)


async def test_the_dashboard_under_a_path_prefix_calls_the_api_under_it(
    half_year_under_a_prefix: FastAPI, tmp_path: Path
) -> None:
    async def gateway(scope: Scope, receive: Receive, send: Send) -> None:
        """Routes /reporting/... only, as the chart's HTTPRoute does."""
        if scope["type"] == "http" and not scope["path"].startswith("/reporting/"):
            await PlainTextResponse("not routed", status_code=404)(scope, receive, send)
            return
        await half_year_under_a_prefix(scope, receive, send)

    shown = await page(gateway, "/reporting/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert shown.loaded == "yes"
    north = shown.rows["BAAN_PHO_PHIANG:N"]
    assert (north["target"], north["completed"]) == ("5", "5")
    assert shown.rows[":budget_allocated_satang"]["budget_allocated_satang"] == "1,300,000.00"

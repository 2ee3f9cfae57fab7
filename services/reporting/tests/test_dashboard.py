"""The dashboard page in headless Chromium (Debian's package): the figures it shows.

The app serves on a real port; Chromium loads /dashboard, runs its script
against the JSON API and prints the resulting DOM, which we read back.
`make test` installs Chromium (scripts/install-test-deps.sh); without it this fails, not skips.
"""

import asyncio
import base64
import json
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from reporting_auth import ISSUER, NATIONAL_SCOPES, national_headers, national_token
from reporting_factories import (
    LONG_TERM_TARGETS,
    NOV_2018,
    allocation,
    apply_events,
    cloud_event,
    households,
    plan_line,
    tambon_plan,
    target,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from baan_local.ports import free_ports
from baan_testkit.chromium import CHROMIUM, HEADLESS, require_chromium, run_chromium
from reporting.main import create_app
from reporting.settings import ReportingSettings

REPOSITORY = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    require_chromium()


class Figures(HTMLParser):
    """Collects ``data-figure`` cells by the row that holds them (area, stage or money)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.links: dict[str, dict[str, str]] = {}
        """Each figure's drill-down: the page's own URL showing its households."""
        self.households: list[dict[str, str | None]] = []
        self.count: dict[str, str | None] = {}
        self.charts: dict[str, dict[str, str | None]] = {}
        """Each chart's container: how many series and points ECharts was given."""
        self.svgs: dict[str, int] = {}
        """How many SVG shapes ECharts drew in each chart."""
        self.map: dict[str, dict[str, str | None]] = {}
        """The map's provinces by code: shade (class), figure, label and link."""
        self.map_view: dict[str, str | None] = {}
        self.legend: list[str | None] = []
        self.chart: str | None = None
        self.row: str | None = None
        self.figure: str | None = None
        self.loaded: str | None = None
        self.funnel_as_of: str | None = None
        self.household_labels: list[str] = []
        """What each listed household is shown as (its first cell)."""
        self.labelling = False
        self.household_links: list[str] = []
        """Each listed household's link to its record."""
        self.record: dict[str, str] = {}
        """The household view's fields (data-field) and what each shows."""
        self.record_field: str | None = None
        self.long_view_hidden: bool | None = None
        self.record_value = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.loaded = a.get("data-loaded")
        if tag == "tr":
            key = a.get("data-area") or a.get("data-stage") or a.get("data-money")
            self.row = f"{a.get('data-programme') or ''}:{key}" if key else None
            if a.get("data-plan") is not None:
                self.row = f"plan:{a.get('data-programme')}:{a['data-plan']}"
            if a.get("data-long-target"):
                self.row = f"long:{a['data-long-target']}"
        if a.get("id") == "long-view":
            self.long_view_hidden = "hidden" in a
        if tag == "td" and self.row and a.get("data-figure"):
            self.figure = a["data-figure"]
        if tag == "a" and self.row and self.figure and a.get("href"):
            self.links.setdefault(self.row, {})[self.figure] = a["href"] or ""
        if tag == "tr" and a.get("data-household"):
            self.households.append(a)
            self.labelling = True
        if tag == "a" and "household" in (a.get("class") or "").split():
            self.household_links.append(a.get("href") or "")
        if tag == "tr":
            self.record_field = a.get("data-field")
        if tag == "td" and self.record_field:
            self.record_value = True
        if (a.get("id") or "").startswith("chart-") and a.get("data-series"):
            self.chart = a["id"]
            self.charts[self.chart or ""] = {k: a.get(k) for k in ("data-series", "data-points")}
        if self.chart and tag in ("path", "rect", "polyline", "text"):
            self.svgs[self.chart] = self.svgs.get(self.chart, 0) + 1
        if tag == "figure":
            self.chart = None
        if tag == "a" and a.get("data-province"):
            self.map[a["data-province"] or ""] = a
        if tag == "svg" and a.get("id") == "map":
            self.map_view = a
        if tag == "li" and a.get("data-shade"):
            self.legend.append(a["data-shade"])
        if a.get("id") == "funnel-label":
            self.funnel_as_of = a.get("data-as-of-date")
        if a.get("id") == "households-count":
            self.count = {"count": a.get("data-count"), "listed": a.get("data-listed")}

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.record_value and self.record_field:
            self.record[self.record_field] = data
            self.record_field, self.record_value = None, False
        if self.labelling:
            self.household_labels.append(data)
            self.labelling = False
        if self.row and self.figure:
            self.rows.setdefault(self.row, {})[self.figure] = data
            self.figure = None


ARTIFACTS = Path(os.environ.get("BAAN_TEST_ARTIFACTS", REPOSITORY / "test-artifacts")) / "dashboard"
"""Screenshots of each view, for people to look at (gitignored; CI may keep them)."""


async def page(
    app: ASGIApp,
    path: str,
    tmp_path: Path,
    *,
    token: str | None = None,
    screenshot: str | None = None,
) -> Figures:
    """The page's DOM after its scripts ran; ``screenshot``: also a PNG of it under
    that name in ARTIFACTS. ``token``: the caller (the national office by default)."""
    figures = Figures()
    figures.feed(await page_dom(app, path, tmp_path, token=token, screenshot=screenshot))
    return figures


async def page_dom(
    app: ASGIApp,
    path: str,
    tmp_path: Path,
    *,
    token: str | None = None,
    screenshot: str | None = None,
) -> str:
    """The page's DOM (HTML) after its scripts ran, as ``page`` reads it."""
    token = token or national_token()
    (port,) = free_ports(1)
    server = uvicorn.Server(uvicorn.Config(app, port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    for _ in range(400):
        if server.started:
            break
        await asyncio.sleep(0.05)
    # The page's data endpoints need a token; the page takes it from the URL
    # fragment, which the browser never sends to the server.
    url = f"http://127.0.0.1:{port}{path}#token={token}"
    try:
        dom = await _chromium(tmp_path, "--dump-dom", url)
        if screenshot is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"{screenshot}.png"
            await _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", url)
            assert shot.stat().st_size > 10_000, "an empty screenshot"
    finally:
        server.should_exit = True
        await serving
    return dom.decode("utf-8")


async def _chromium(tmp_path: Path, *args: str) -> bytes:
    return await run_chromium(tmp_path / "chromium", *args)


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
    shown = await page(
        half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path, screenshot="country"
    )
    assert shown.loaded == "yes"
    north = shown.rows["BAAN_PHO_PHIANG:N"]
    assert (north["target"], north["completed"], north["completed_percent"]) == (
        "5",
        "5",
        "100.0%",
    )
    assert north["subdistricts_reached"] == "1"  # all six households live in one tambon
    assert "ปีงบประมาณ 2562 ครึ่งปีแรก (ต.ค. 2561 - มี.ค. 2562)" in "".join(shown.text)
    assert shown.rows[":completed"]["households"] == "5"
    assert shown.rows[":under_construction"]["households"] == "1"
    assert shown.rows[":grant_disbursed_satang"]["grant_disbursed_satang"] == "114,000.00"
    assert shown.rows[":budget_allocated_satang"]["budget_allocated_satang"] == "1,300,000.00"
    assert shown.rows[":arrears_ratio_percent"]["arrears_ratio_percent"] == "-"
    # Charts, drawn by the ECharts the service serves itself: months to date against
    # the target line, the funnel, money.
    assert shown.charts["chart-months"] == {"data-series": "4", "data-points": "24"}
    assert shown.charts["chart-funnel"] == {"data-series": "1", "data-points": "8"}
    assert shown.charts["chart-money"] == {"data-series": "1", "data-points": "5"}
    assert all(shown.svgs.get(chart, 0) > 10 for chart in shown.charts), shown.svgs


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


async def test_a_figure_drills_down_to_its_households_and_their_count_is_the_figure(
    half_year: FastAPI, tmp_path: Path
) -> None:
    shown = await page(
        half_year, "/dashboard?fiscal_year=2562&period=h1&region=N", tmp_path, screenshot="regions"
    )
    chiang_rai = shown.rows["BAAN_PHO_PHIANG:57"]
    link = shown.links["BAAN_PHO_PHIANG:57"]["completed"]
    listed = await page(half_year, f"/dashboard{link}", tmp_path, screenshot="households")
    assert listed.count == {"count": chiang_rai["completed"], "listed": chiang_rai["completed"]}
    assert len(listed.households) == 5
    assert len(set(listed.household_labels)) == 5  # told apart at a glance, not 5 alike
    assert {h["data-province"] for h in listed.households} == {"57"}
    text = "".join(listed.text)
    assert "บ้านพอเพียงชนบท" in text and "แล้วเสร็จ" in text  # names, not codes
    # The funnel's figures drill down too, in English when asked.
    funnel = await page(half_year, "/dashboard?fiscal_year=2562&period=h1&lang=en", tmp_path)
    under = funnel.links[":under_construction"]["households"]
    building = await page(half_year, f"/dashboard{under}", tmp_path, screenshot="funnel-en")
    assert building.count["count"] == funnel.rows[":under_construction"]["households"] == "1"
    assert "Under construction" in "".join(building.text)
    assert "Baan Pho Phiang (rural repair and rebuild)" in "".join(building.text)


async def test_each_household_of_a_list_links_to_its_record(
    half_year: FastAPI, tmp_path: Path
) -> None:
    shown = await page(half_year, "/dashboard?fiscal_year=2562&period=h1&region=N", tmp_path)
    listed = await page(
        half_year, f"/dashboard{shown.links['BAAN_PHO_PHIANG:57']['completed']}", tmp_path
    )
    assert len(listed.household_links) == len(listed.households) == 5
    opened = await page(
        half_year, f"/dashboard{listed.household_links[0]}", tmp_path, screenshot="household"
    )
    assert opened.loaded == "yes"
    record = opened.record
    assert record["household_id"] == listed.households[0]["data-household"]
    # Names, not codes: programme, stage, areas; each step's date; the grant paid.
    assert (record["programme"], record["stage"]) == ("บ้านพอเพียงชนบท", "แล้วเสร็จ")
    assert (record["region"], record["province"]) == ("ภาคเหนือ", "เชียงราย")
    assert record["district"] not in ("-", "5701") and record["subdistrict"] not in ("-", "570101")
    assert record["fiscal_year"] == "2562"
    assert record["approved_on"].endswith("2561") and record["completed_on"].endswith("2561")
    assert record["cancelled_at"] == "-"
    assert record["grant_approved_satang"] == record["grant_paid_satang"] == "20,000.00"
    assert record["household_path"] == f"/v1/households/{record['household_id']}"
    # Reporting holds no personal data: none shown, none to mask.
    assert not {"head_name", "national_id", "phone"} & set(record)
    english = await page(half_year, f"/dashboard{listed.household_links[0]}&lang=en", tmp_path)
    assert (english.record["programme"], english.record["stage"]) == (
        "Baan Pho Phiang (rural repair and rebuild)",
        "Completed",
    )
    assert english.record["province"] == "Chiang Rai"


async def test_a_partner_opening_another_provinces_household_is_told_what_a_random_id_gets(
    app: FastAPI, tmp_path: Path
) -> None:
    await _half_year(app)
    await apply_events(app, households(1, "completed", start=NOV_2018, province="10"))
    national = await page(app, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    bangkok = await page(app, f"/dashboard{national.links[':completed']['households']}", tmp_path)
    [bangkok_id] = [h["data-household"] for h in bangkok.households if h["data-province"] == "10"]
    office = ISSUER.mint_token("chiang-rai-office", NATIONAL_SCOPES, ["57"])
    query = "/dashboard?fiscal_year=2562&period=h1&household="
    elsewhere = await page(app, f"{query}{bangkok_id}", tmp_path, token=office)
    nowhere_id = "01900000-0000-7000-8000-000000000000"
    nowhere = await page(app, f"{query}{nowhere_id}", tmp_path, token=office)
    assert elsewhere.loaded == nowhere.loaded == "error"
    assert elsewhere.record == nowhere.record == {}
    said = "".join(elsewhere.text).replace(str(bangkok_id), "<id>")
    assert said == "".join(nowhere.text).replace(nowhere_id, "<id>")
    assert "does not exist" in said
    # The national office opens it.
    opened = await page(app, f"{query}{bangkok_id}", tmp_path)
    assert opened.record["province"] == "กรุงเทพมหานคร"


async def test_a_partner_bound_to_one_province_sees_only_its_households(
    app: FastAPI, tmp_path: Path
) -> None:
    await _half_year(app)
    await apply_events(app, households(2, "completed", start=NOV_2018, province="10"))
    office = ISSUER.mint_token("chiang-rai-office", NATIONAL_SCOPES, ["57"])
    national = await page(app, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert national.rows[":completed"]["households"] == "7"
    shown = await page(app, "/dashboard?fiscal_year=2562&period=h1", tmp_path, token=office)
    assert {row.split(":")[1] for row in shown.rows if row.startswith("BAAN")} == {"N"}
    assert shown.rows[":completed"]["households"] == "5"
    link = shown.links[":completed"]["households"]
    listed = await page(app, f"/dashboard{link}", tmp_path, token=office, screenshot="partner")
    assert listed.count["count"] == "5"
    assert {h["data-province"] for h in listed.households} == {"57"}
    # On the map too: Chiang Rai alone, its figure only.
    mapped = await page(
        app,
        "/dashboard?fiscal_year=2562&period=h1",
        tmp_path,
        token=office,
        screenshot="map-partner",
    )
    assert set(mapped.map) == {"57"}
    assert mapped.map["57"]["data-value"] == "166.7"
    assert national.map["10"]["class"] == "no-data" and len(national.map) == 77


async def test_the_page_uses_only_assets_the_service_serves_itself(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    html = (await client.get("/dashboard")).text
    sources = re.findall(r'(?:src|href)="([^"#?]+)', html)
    assert sources and all(source.startswith("/dashboard/assets/") for source in sources)
    assert "http://" not in html and "https://" not in html  # no CDN
    for source in sources:
        response = await client.get(source)
        assert response.status_code == 200, source
    css = (await client.get("/dashboard/assets/fonts.css")).text
    for font in re.findall(r"url\(([^)]+)\)", css):
        response = await client.get(f"/dashboard/assets/{font}")
        assert response.status_code == 200
        assert response.content[:4] == b"wOF2"  # a WOFF2 font, Thai and Latin
    assert (await client.get("/dashboard/assets/../main.py")).status_code == 404


async def test_the_map_shades_each_province_by_its_percent_of_target_and_drills_to_its_households(
    half_year: FastAPI, tmp_path: Path
) -> None:
    shown = await page(
        half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path, screenshot="map"
    )
    assert shown.loaded == "yes"
    assert len(shown.map) == 77  # every province drawn, by official code
    assert shown.map_view["data-measure"] == "completed_percent"
    chiang_rai, chiang_mai = shown.map["57"], shown.map["50"]
    # 5 completed of 3 (166.7%: the darkest shade, not capped in the label); 0 of 2.
    assert (chiang_rai["class"], chiang_rai["data-value"]) == ("shade-5", "166.7")
    assert (chiang_mai["class"], chiang_mai["data-value"]) == ("shade-1", "0")
    assert shown.map["10"]["class"] == "no-data"  # Bangkok: no target
    assert "เชียงราย" in (chiang_rai["aria-label"] or "")
    assert "166.7%" in (chiang_rai["aria-label"] or "")
    assert "เชียงใหม่" in (chiang_mai["aria-label"] or "")
    assert shown.legend[-1] == "no-data" and len(shown.legend) == 6
    assert "CC BY 4.0" in "".join(shown.text)  # the outlines' licence asks for credit
    # A province is a link (focusable, Enter follows it) to the households behind it.
    listed = await page(half_year, f"/dashboard{chiang_rai['href']}", tmp_path)
    assert (
        listed.count
        == {"count": "5", "listed": "5"}
        == {
            "count": chiang_rai["data-households"],
            "listed": chiang_rai["data-households"],
        }
    )
    assert {h["data-province"] for h in listed.households} == {"57"}


async def test_the_map_shades_any_measure_chosen_and_regions_by_their_provinces_sum(
    half_year: FastAPI, tmp_path: Path
) -> None:
    await apply_events(half_year, households(2, "completed", start=NOV_2018, province="10"))
    counts = await page(
        half_year, "/dashboard?fiscal_year=2562&period=h1&map_measure=completed", tmp_path
    )
    assert counts.map_view["data-measure"] == "completed"
    # Counts shade against the largest: Chiang Rai's 5 the darkest, Bangkok's 2 of 5 in
    # the second fifth, none in the lightest.
    assert (counts.map["57"]["class"], counts.map["57"]["data-value"]) == ("shade-5", "5")
    assert (counts.map["10"]["class"], counts.map["10"]["data-value"]) == ("shade-2", "2")
    assert counts.map["50"]["class"] == "shade-0"
    regions = await page(
        half_year,
        "/dashboard?fiscal_year=2562&period=h1&map_level=region&lang=en",
        tmp_path,
        screenshot="map-regions",
    )
    north = [p for p in regions.map.values() if p["data-region"] == "N"]
    # The North: 5 completed of 3 + 2 = 100%, every one of its provinces in that shade.
    assert {(p["class"], p["data-value"]) for p in north} == {("shade-5", "100")}
    assert "North" in (north[0]["aria-label"] or "")
    bangkok_region = {p["class"] for p in regions.map.values() if p["data-region"] == "BVE"}
    assert bangkok_region == {"no-data"}  # 2 completed but no target there
    # A region drills to its provinces: the map then draws those alone.
    drilled = await page(half_year, f"/dashboard{north[0]['href']}", tmp_path)
    assert {p["data-region"] for p in drilled.map.values()} == {"N"}
    assert len(drilled.map) == 17
    assert "BAAN_PHO_PHIANG:57" in drilled.rows


async def test_the_funnel_shows_the_period_chosen_as_it_stood_at_the_end_of_a_day(
    half_year: FastAPI, tmp_path: Path
) -> None:
    # Chiang Rai's households were surveyed a day apart from 5 November 2018, each
    # taken to its stage within its day: by the end of the 6th (Thai time) two had
    # been completed and one was under construction; the other three unheard of.
    then = await page(
        half_year,
        "/dashboard?fiscal_year=2562&period=h1&as_of_date=2018-11-06",
        tmp_path,
        screenshot="funnel-as-of",
    )
    assert then.loaded == "yes"
    assert then.funnel_as_of == "2018-11-06"
    assert then.rows[":completed"]["households"] == "2"
    assert then.rows[":under_construction"]["households"] == "1"
    assert "ณ สิ้นวันที่ 6 พ.ย. 2561" in "".join(then.text)
    # Its figures drill down as of that day too.
    listed = await page(half_year, f"/dashboard{then.links[':completed']['households']}", tmp_path)
    assert listed.count == {"count": "2", "listed": "2"}
    now = await page(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert now.funnel_as_of == ""
    assert now.rows[":completed"]["households"] == "5"
    # All six were approved in the first half: the second half's funnel has none.
    second_half = await page(half_year, "/dashboard?fiscal_year=2562&period=h2", tmp_path)
    assert second_half.rows[":completed"]["households"] == "0"
    assert second_half.rows[":surveyed"]["reached"] == "0"


_NAVIGATING = ("Inspected target navigated or closed", "Cannot find context with specified id")


class Navigating(Exception):
    """The page asked went away (a navigation) before it answered."""


class Browser:
    """Chromium driven over its DevTools protocol (a websocket), for what a loaded
    page cannot show: a keyboard user's Tab and Enter, a mouse click."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.sent = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.sent += 1
        await self.socket.send(json.dumps({"id": self.sent, "method": method, "params": params}))
        while True:  # events arrive between the answers: skip them
            message = json.loads(await self.socket.recv())
            if message.get("id") == self.sent:
                error = message.get("error", {}).get("message", "")
                if error.startswith(_NAVIGATING):
                    raise Navigating(error)
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, script: str) -> Any:
        answer = await self.call("Runtime.evaluate", expression=script, returnByValue=True)
        return answer["result"].get("value")

    async def ready(self, what: str = "true") -> None:
        """Until the page says it has shown everything (and ``what`` holds)."""
        for _ in range(600):
            try:
                if await self.evaluate(f"document.body?.dataset.ready === 'yes' && ({what})"):
                    return
            except Navigating:  # a click's navigation replaced the page mid-question: ask again
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"the page never got ready ({what})")

    async def dom(self) -> Figures:
        figures = Figures()
        figures.feed(await self.evaluate("document.documentElement.outerHTML"))
        return figures


@asynccontextmanager
async def browser(app: ASGIApp, path: str, tmp_path: Path) -> AsyncIterator[Browser]:
    """``path`` of ``app`` open in a Chromium driven over DevTools, as the national office."""
    import websockets

    (port,) = free_ports(1)
    server = uvicorn.Server(uvicorn.Config(app, port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    chromium = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *HEADLESS,
        "--window-size=1280,1600",
        "--remote-debugging-port=0",
        f"--user-data-dir={tmp_path / 'chromium-driven'}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert chromium.stderr is not None
        while True:
            line = (await asyncio.wait_for(chromium.stderr.readline(), timeout=60)).decode()
            assert line, "chromium ended before it listened"
            if line.startswith("DevTools listening on "):
                devtools = line.split()[-1].split("/devtools/")[0].replace("ws://", "http://")
                break
        async with httpx.AsyncClient() as http:
            pages = (await http.get(f"{devtools}/json/list")).json()
        target = next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
        async with websockets.connect(target, max_size=2**26) as socket:
            driven = Browser(socket)
            url = f"http://127.0.0.1:{port}{path}#token={national_token()}"
            await driven.call("Page.navigate", url=url)
            await driven.ready()
            yield driven
    finally:
        chromium.kill()
        await chromium.wait()
        server.should_exit = True
        await serving


async def test_a_keyboard_user_tabs_to_a_province_and_enter_lists_its_households(
    half_year: FastAPI, tmp_path: Path
) -> None:
    async with browser(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path) as page_:
        # Tab moves through the map's provinces (each a focusable link): from the one
        # before Chiang Rai, one Tab reaches it, its label read out as it gets focus.
        await page_.evaluate("document.querySelector('#map a[data-province=\"56\"]').focus()")
        for kind in ("keyDown", "keyUp"):
            await page_.call(
                "Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9
            )
        focused = await page_.evaluate(
            "[document.activeElement.dataset.province, document.activeElement.ariaLabel]"
        )
        assert focused[0] == "57"
        assert "เชียงราย" in focused[1] and "166.7%" in focused[1]
        for kind in ("keyDown", "keyUp"):
            await page_.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                **({"text": "\r"} if kind == "keyDown" else {}),
            )
        await page_.ready("location.search.includes('drill=')")
        listed = await page_.dom()
    assert listed.count == {"count": "5", "listed": "5"}
    assert {h["data-province"] for h in listed.households} == {"57"}


async def test_a_click_on_a_region_of_the_map_shows_its_provinces(
    half_year: FastAPI, tmp_path: Path
) -> None:
    path = "/dashboard?fiscal_year=2562&period=h1&map_level=region"
    async with browser(half_year, path, tmp_path) as page_:
        # A real mouse click at a point inside Chiang Mai's outline (the North).
        box = await page_.evaluate(
            "(() => { const r = document.querySelector('#map a[data-province=\"50\"] path')"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        hit = await page_.evaluate(
            f"document.elementFromPoint({box[0]}, {box[1]})?.closest('a')?.dataset.region"
        )
        assert hit == "N"
        for kind in ("mousePressed", "mouseReleased"):
            await page_.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )
        await page_.ready("location.search.includes('region=N')")
        shown = await page_.dom()
    assert {p["data-region"] for p in shown.map.values()} == {"N"}
    assert shown.rows["BAAN_PHO_PHIANG:57"]["completed"] == "5"


async def test_on_a_phone_the_map_fits_the_screen_and_nothing_scrolls_sideways(
    half_year: FastAPI, tmp_path: Path
) -> None:
    path = "/dashboard?fiscal_year=2562&period=h1"
    async with browser(half_year, path, tmp_path) as page_:
        # A phone's screen (390 CSS pixels wide, touch), then the page loaded again on it.
        await page_.call(
            "Emulation.setDeviceMetricsOverride",
            width=390,
            height=844,
            deviceScaleFactor=2,
            mobile=True,
        )
        await page_.evaluate("document.body.dataset.ready = 'no'; location.reload()")
        await page_.ready("innerWidth === 390")
        width, scrolled, map_width, provinces = await page_.evaluate(
            "[innerWidth, document.documentElement.scrollWidth,"
            " document.getElementById('map').getBoundingClientRect().width,"
            " document.querySelectorAll('#map a').length]"
        )
        shot = await page_.call("Page.captureScreenshot", format="png")
    assert provinces == 77
    assert width == 390 and 0 < map_width <= width
    assert scrolled <= width  # wide tables scroll in their own box, not the page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "phone.png").write_bytes(base64.b64decode(shot["data"]))


async def test_plans_stand_beside_the_target_and_what_was_achieved(
    half_year: FastAPI, tmp_path: Path
) -> None:
    # Chiang Rai's tambon 570101 adopted a plan counting on 8 households in FY 2562.
    plan = tambon_plan(plan_line(2562, 8, communities=2), adopted_on=date(2018, 10, 15))
    adopted = cloud_event(plan, time=NOV_2018)
    await apply_events(half_year, [adopted])
    shown = await page(
        half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path, screenshot="plans"
    )
    assert shown.loaded == "yes"
    north = shown.rows["plan:BAAN_PHO_PHIANG:N"]
    assert (north["planned_households"], north["target"], north["completed"]) == ("8", "5", "5")
    assert north["completed_percent_of_plan"] == "62.5%"
    assert north["tambons_planned"] == "1"
    assert north["planned_budget_satang"] == "152,000.00"
    assert shown.charts["chart-plans"] == {"data-series": "4", "data-points": "4"}


async def test_the_long_view_shows_reached_to_date_against_the_long_term_targets(
    half_year: FastAPI, tmp_path: Path
) -> None:
    before = await page(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert before.long_view_hidden is True  # no long-term target set yet
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=half_year),
        base_url="http://r",
        headers=national_headers(),
    ) as http:
        for code, body in LONG_TERM_TARGETS.items():
            response = await http.put(f"/v1/long-term-targets/{code}", json=body)
            assert response.status_code == 200, response.text
    shown = await page(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path)
    assert shown.long_view_hidden is False
    # Chiang Rai's five rural households completed in FY 2562 count toward both.
    master, rural = shown.rows["long:master-plan-20-year"], shown.rows["long:rural-5-year"]
    assert (master["target"], master["reached"], master["remaining"]) == (
        "1,050,000",
        "5",
        "1,049,995",
    )
    assert (rural["target"], rural["reached"], rural["reached_percent_of_target"]) == (
        "352,000",
        "5",
        "0.0%",
    )
    # Two lines per target (reached to date, the target) over FY 2560-2579.
    assert shown.charts["chart-long-view"] == {"data-series": "4", "data-points": "80"}
    assert shown.svgs["chart-long-view"] > 10
    text = "".join(shown.text)
    assert "แผนแม่บทการพัฒนาที่อยู่อาศัยระยะ 20 ปี" in text
    # A picture of the section itself (it lies below the map): scrolled to, then captured.
    async with browser(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path) as page_:
        box = await page_.evaluate(
            "(() => { const s = document.getElementById('long-view'); s.scrollIntoView();"
            " const r = s.getBoundingClientRect();"
            " return [r.x + scrollX, r.y + scrollY, r.width, r.height]; })()"
        )
        x, y, width, height = box
        shot = await page_.call(
            "Page.captureScreenshot",
            format="png",
            clip={"x": x, "y": y, "width": width, "height": height, "scale": 1},
            captureBeyondViewport=True,
        )
    assert height > 200  # the chart and the table, not an empty section
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-view.png").write_bytes(base64.b64decode(shot["data"]))
    # The country's figures: a provincial office gets no long view.
    office = ISSUER.mint_token("chiang-rai-office", NATIONAL_SCOPES, ["57"])
    partner = await page(half_year, "/dashboard?fiscal_year=2562&period=h1", tmp_path, token=office)
    assert partner.loaded == "yes" and partner.long_view_hidden is True
    assert not any(row.startswith("long:") for row in partner.rows)

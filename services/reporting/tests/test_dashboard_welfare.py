"""The dashboard's welfare view in headless Chromium (as in test_dashboard.py): funds,
members, money in the funds, people helped and benefits paid by area, drilled from the
country to a tambon's funds, in baht with thousands separators; a partner bound to one
province sees only its own."""

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import ISSUER, NATIONAL_SCOPES
from reporting_factories import apply_events
from reporting_welfare_events import Fund
from test_dashboard import page_dom
from test_welfare_reports import fund_events

from reporting.geography import AreaLevel, area_names


class WelfareView(HTMLParser):
    """What the welfare view shows: each area row's and the total's figures, the links,
    the trail of places, the funds listed and the charts."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: str | None = None
        self.rows: dict[str, dict[str, str]] = {}
        self.total: dict[str, str] = {}
        self.drill: dict[str, str] = {}
        """Each area row's link one level down."""
        self.funds_links: dict[str, str] = {}
        """Each area row's funds figure: the link to its funds."""
        self.trail: list[tuple[str, str]] = []
        self.funds: dict[str, dict[str, str]] = {}
        self.fund_provinces: set[str] = set()
        self.count: dict[str, str | None] = {}
        self.charts: dict[str, str | None] = {}
        self.text: list[str] = []
        self.hidden: set[str] = set()
        self._row: tuple[str, str] | None = None
        self._figure: str | None = None
        self._crumb: str | None = None
        self._fund_name = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.loaded = a.get("data-loaded")
        if "hidden" in a and a.get("id"):
            self.hidden.add(a["id"] or "")
        if tag == "tr":
            self._row = None
            if a.get("data-welfare-area"):
                self._row = ("area", a["data-welfare-area"] or "")
            elif a.get("data-welfare-total"):
                self._row = ("total", "")
            elif a.get("data-welfare-fund"):
                self._row = ("fund", a["data-welfare-fund"] or "")
                self.fund_provinces.add(a.get("data-province") or "")
                self._fund_name = True
        if tag == "td" and self._row:
            self._figure = a.get("data-figure")
        if tag == "a" and self._row and self._row[0] == "area":
            if "drill" in (a.get("class") or ""):
                self.drill[self._row[1]] = a.get("href") or ""
            if "figure" in (a.get("class") or ""):
                self.funds_links[self._row[1]] = a.get("href") or ""
        if tag == "li" and a.get("data-area"):
            self._crumb = a["data-area"]
        if (a.get("id") or "").startswith("chart-welfare") and a.get("data-series"):
            self.charts[a["id"] or ""] = a.get("data-series")
        if a.get("id") == "welfare-funds-count":
            self.count = {"count": a.get("data-count"), "listed": a.get("data-listed")}

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._crumb:
            self.trail.append((self._crumb, data))
            self._crumb = None
        if self._row and self._row[0] == "fund" and self._fund_name:
            self.funds.setdefault(self._row[1], {})["name"] = data
            self._fund_name = False
        if self._row and self._figure:
            kind, code = self._row
            target = (
                self.total
                if kind == "total"
                else self.rows.setdefault(code, {})
                if kind == "area"
                else self.funds.setdefault(code, {})
            )
            target[self._figure] = data
            self._figure = None


async def view(app: FastAPI, path: str, tmp_path: Path, **kwargs: Any) -> WelfareView:
    shown = WelfareView()
    shown.feed(await page_dom(app, path, tmp_path, **kwargs))
    assert shown.loaded == "yes", "".join(shown.text)[-500:]
    return shown


def baht(satang: int) -> str:
    """How the page writes money: baht, two decimals, thousands separators."""
    return f"{satang / 100:,.2f}"


MONEY = (
    "contributions_satang",
    "agency_match_satang",
    "local_match_satang",
    "other_income_satang",
    "benefits_paid_satang",
    "balance_satang",
)
COUNTS = ("funds", "members", "people_helped", "benefits")


def shown_as(row: dict[str, Any]) -> dict[str, str]:
    """A report row's figures as the page should write them."""
    return {
        **{key: f"{row[key]:,}" for key in COUNTS},
        **{key: baht(row[key]) for key in MONEY},
    }


@pytest.fixture
async def funds(app: FastAPI) -> dict[str, Fund]:
    events, funds = fund_events()
    await apply_events(app, events)
    return funds


async def test_the_welfare_view_shows_each_region_s_funds_members_money_and_people_helped(
    app: FastAPI, client: httpx.AsyncClient, funds: dict[str, Fund], tmp_path: Path
) -> None:
    shown = await view(
        app, "/dashboard?view=welfare&welfare_years=all", tmp_path, screenshot="welfare"
    )
    assert {"housing-view", "welfare-funds-part"} <= shown.hidden
    assert "welfare-view" not in shown.hidden
    report = (await client.get("/v1/reports/welfare", params={"level": "region"})).json()
    assert set(shown.rows) == {row["area_code"] for row in report["rows"]} == {"N", "BVE"}
    for row in report["rows"]:
        assert shown.rows[row["area_code"]] == shown_as(row), row["area_code"]
    assert shown.total == shown_as(report["total"])
    # Chiang Rai's two funds: 3 + 4 members, one left; books in baht from satang.
    north = shown.rows["N"]
    chiang_rai = [funds["570101"], funds["570201"]]
    assert (north["funds"], north["members"]) == ("2", "6")
    assert north["balance_satang"] == baht(sum(f.books()["balance_satang"] for f in chiang_rai))
    assert "," in north["contributions_satang"]  # 2,920.00 THB, not 2920
    assert shown.charts == {"chart-welfare-money": "5", "chart-welfare-people": "2"}
    assert "ทุกปีงบประมาณ ถึงปัจจุบัน" in shown.text


async def test_drilling_from_a_region_to_a_tambon_lists_its_funds(
    app: FastAPI, client: httpx.AsyncClient, funds: dict[str, Fund], tmp_path: Path
) -> None:
    country = await view(app, "/dashboard?view=welfare&fiscal_year=2569&lang=en", tmp_path)
    north = await view(app, f"/dashboard{country.drill['N']}", tmp_path)
    assert set(north.rows) == {"57"}
    province = await view(app, f"/dashboard{north.drill['57']}", tmp_path)
    assert set(province.rows) == {"5701", "5702"}
    district = await view(app, f"/dashboard{province.drill['5701']}", tmp_path)
    # A district's tambons, from its province's report by tambon; FY 2569's figures.
    by_tambon = await client.get(
        "/v1/reports/welfare",
        params={"level": "subdistrict", "province_code": "57", "fiscal_year": 2569},
    )
    [row] = [r for r in by_tambon.json()["rows"] if r["area_code"] == "570101"]
    assert district.rows == {"570101": shown_as(row)}
    assert district.total == shown_as(row)  # the district holds that one tambon
    assert "FY2026" in district.text
    tambon = await view(app, f"/dashboard{district.drill['570101']}", tmp_path)
    assert [code for code, _ in tambon.trail] == ["TH", "N", "57", "5701", "570101"]
    names = [
        area_names(level, code)[1]
        for level, code in [
            (AreaLevel.REGION, "N"),
            (AreaLevel.PROVINCE, "57"),
            (AreaLevel.DISTRICT, "5701"),
            (AreaLevel.SUBDISTRICT, "570101"),
        ]
    ]
    assert [name for _, name in tambon.trail] == ["The whole country", *names]
    fund = funds["570101"]
    assert tambon.count == {"count": "1", "listed": "1"}
    listed = tambon.funds[str(fund.id)]
    assert listed["name"] == fund.books()["name"]
    assert listed["balance_satang"] == baht(fund.books()["balance_satang"])
    assert listed["members"] == "2"  # 3 joined, one left
    assert tambon.total == shown_as(row)
    assert "welfare-areas-part" in tambon.hidden


async def test_a_partner_bound_to_one_province_sees_only_its_funds(
    app: FastAPI, funds: dict[str, Fund], tmp_path: Path
) -> None:
    office = ISSUER.mint_token("chiang-rai-office", NATIONAL_SCOPES, ["57"])
    shown = await view(
        app,
        "/dashboard?view=welfare&welfare_years=all",
        tmp_path,
        token=office,
        screenshot="welfare-partner",
    )
    assert set(shown.rows) == {"N"}
    assert shown.total["funds"] == "2"
    chiang_rai = [funds["570101"], funds["570201"]]
    assert shown.total["balance_satang"] == baht(
        sum(f.books()["balance_satang"] for f in chiang_rai)
    )
    # The country's funds as it sees them: Chiang Rai's two, never Bangkok's.
    listed = await view(app, f"/dashboard{shown.funds_links['N']}", tmp_path, token=office)
    assert listed.count == {"count": "2", "listed": "2"}
    assert listed.fund_provinces == {"57"}
    assert set(listed.funds) == {str(f.id) for f in chiang_rai}

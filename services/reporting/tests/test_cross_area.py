"""Every reporting GET, read by a provincial office, says nothing about another province
(docs/adr/0003-partner-access.md), on SQLite and on PostgreSQL.

Two databases: one with only what Chiang Rai's office (57) may see (its
household, grant, loan, province target, and the budgets of the province, one of
its districts and one of its sub-districts), and one with all that plus Bangkok's
rows (10, another region, budgets at every level), budgets and targets set for
regions and the country, and stream marks moved by Bangkok's later events.
The office reads every GET route in every shape (each level, unit, measure and
file format) from both: the answers must be the same, so nothing of Bangkok's
can show, not even inside a sum. The national office, reading the same routes,
gets different answers from the two databases: every route would show a leak.
"""

import io
import itertools
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import ISSUER, NATIONAL_SCOPES, national_headers
from reporting_factories import StartApp

from baan_shared.ids import new_id
from reporting.cumulative.models import HistoricalAchievement, PlaceKind
from reporting.geography import AreaLevel
from reporting.long_term_targets.models import LongTermTarget
from reporting.periods import PeriodKind
from reporting.plans.models import PlannedLine
from reporting.projections.models import (
    BudgetMoney,
    GrantProgress,
    HouseholdProgress,
    LoanMoney,
    ProjectionState,
    Stage,
)
from reporting.query.schemas import Measure
from reporting.survey_coverage.models import TambonCoverage
from reporting.targets.models import Target, Unit
from reporting.welfare.models import (
    WelfareBenefit,
    WelfareFund,
    WelfareFundYear,
    WelfareMember,
    WelfareMovement,
)

PROGRAMME, CANAL = "BAAN_PHO_PHIANG", "CANAL"
APPROVED_ON = datetime(2018, 11, 5, 2, 0, tzinfo=UTC)  # FY 2562
COMPLETED_ON = datetime(2019, 2, 1, 2, 0, tzinfo=UTC)
CHIANG_RAI_LAST_EVENT = datetime(2019, 2, 1, 3, 0, tzinfo=UTC)
BANGKOK_LAST_EVENT = datetime(2019, 3, 3, 3, 33, 33, tzinfo=UTC)


@dataclass(frozen=True)
class Place:
    province: str
    district: str
    subdistrict: str


CHIANG_RAI = Place("57", "5701", "570101")  # in the North (N)
BANGKOK = Place("10", "1038", "103801")  # in Bangkok and vicinity (BVE)
BANGKOK_WORDS = ("Bangkok", "กรุงเทพ", "BVE", BANGKOK_LAST_EVENT.isoformat()[:19])


def _household(
    place: Place,
    *,
    grant: int,
    disbursed: int,
    persons: int,
    last: datetime,
    programme: str = PROGRAMME,
    ids: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> Any:
    household_id, community_id = ids or (new_id(), new_id())
    return HouseholdProgress(
        household_id=household_id,
        programme=programme,
        province_code=place.province,
        district_code=place.district,
        subdistrict_code=place.subdistrict,
        community_id=community_id,
        household_size=persons,
        fiscal_year=2562,
        house_id=uuid.uuid5(household_id, "house"),  # the same in both databases
        stage=Stage.COMPLETED,
        surveyed_at=APPROVED_ON,
        approved_at=APPROVED_ON,
        approval_dated=APPROVED_ON,
        started_at=APPROVED_ON,
        start_dated=APPROVED_ON,
        completed_at=COMPLETED_ON,
        completion_dated=COMPLETED_ON,
        grant_amount_satang=grant,
        disbursed_satang=disbursed,
        last_event_time=last,
    )


def _grant(household: HouseholdProgress) -> GrantProgress:
    return GrantProgress(
        grant_id=uuid.uuid5(household.household_id, "grant"),
        household_id=household.household_id,
        programme=household.programme,
        province_code=household.province_code,
        district_code=household.district_code,
        subdistrict_code=household.subdistrict_code,
        fiscal_year=2562,
        amount_satang=household.grant_amount_satang,
        disbursed_satang=household.disbursed_satang,
        tranches_paid=3,
        approved_at=APPROVED_ON,
        last_event_time=household.last_event_time,
    )


def _loan(place: Place, *, principal: int, outstanding: int, overdue: int, last: datetime) -> Any:
    return LoanMoney(
        loan_id=new_id(),
        borrower_type="community",
        programme=PROGRAMME,
        province_code=place.province,
        district_code=place.district,
        subdistrict_code=place.subdistrict,
        principal_approved_satang=principal,
        disbursed_satang=principal,
        outstanding_satang=outstanding,
        overdue_satang=overdue,
        days_past_due=45 if overdue else 0,
        last_event_time=last,
    )


def _budget(level: str, code: str, allocated: int, last: datetime) -> BudgetMoney:
    return BudgetMoney(
        budget_id=new_id(),
        programme=PROGRAMME,
        fiscal_year=2562,
        area_level=level,
        area_code=code,
        allocated_satang=allocated,
        allocations=1,
        last_event_time=last,
    )


def _target(level: AreaLevel, code: str, quantity: int, programme: str = PROGRAMME) -> Target:
    return Target(
        programme=programme,
        fiscal_year=2562,
        period=PeriodKind.YEAR,
        area_level=level,
        area_code=code,
        unit=Unit.HOUSEHOLDS,
        quantity=quantity,
        updated_at=APPROVED_ON,  # the same in both databases
    )


def _planned(place: Place, region: str, households: int, budget: int) -> PlannedLine:
    """A line of an adopted plan of the place's tambon for FY 2562."""
    return PlannedLine(
        plan_id=new_id(),
        programme=PROGRAMME,
        fiscal_year=2562,
        need="repair",
        region_code=region,
        province_code=place.province,
        district_code=place.district,
        subdistrict_code=place.subdistrict,
        households=households,
        budget_satang=budget,
        communities=1,
    )


def _history(province: str | None, key: str, households: int) -> HistoricalAchievement:
    """What the programme reached in one tambon in FY 2550, before the platform."""
    return HistoricalAchievement(
        programme=PROGRAMME,
        fiscal_year=2550,
        place_kind=PlaceKind.SUBDISTRICT if province else PlaceKind.NONE,
        place_key=key,
        province_code=province,
        households=households,
        persons=0,
        source="รายงานประจำปี",
        updated_at=APPROVED_ON,
    )


def _coverage(place: Place, region: str, surveyed: int, last: datetime) -> TambonCoverage:
    return TambonCoverage(
        subdistrict_code=place.subdistrict,
        district_code=place.district,
        province_code=place.province,
        region_code=region,
        communities=2,
        communities_surveyed=2,
        households_surveyed=surveyed,
        households_in_area=surveyed,
        whole_tambon_surveyed=True,
        as_of=last,
    )


def _marks(last: datetime, events: int) -> list[ProjectionState]:
    return [
        ProjectionState(
            projection="household_progress",
            stream=stream,
            last_event_time=last,
            last_applied_at=last,
            events_applied=events,
        )
        for stream in ("survey.households", "finance.loans")
    ]


def _welfare(place: Place, ids: tuple[Any, Any], name: str, money: int) -> list[Any]:
    """A welfare fund with one member paid one benefit in FY 2562, and its books."""
    fund_id, member_id = ids
    area = {
        "province_code": place.province,
        "district_code": place.district,
        "subdistrict_code": place.subdistrict,
    }
    return [
        WelfareFund(
            welfare_fund_id=fund_id,
            name=name,
            kind="tambon",
            region_code=None,
            registered_on=APPROVED_ON.date(),
            registered_fiscal_year=2562,
            sequence=2,
            contributions_satang=money,
            benefits_paid_satang=money // 10,
            balance_satang=money - money // 10,
            members=1,
            people_helped=1,
            benefits=1,
            **area,
        ),
        WelfareFundYear(
            welfare_fund_id=fund_id,
            fiscal_year=2562,
            contributions_satang=money,
            benefits_paid_satang=money // 10,
            members_joined=1,
            people_helped=1,
            benefits=1,
            **area,
        ),
        WelfareMovement(
            movement_id=new_id(),
            welfare_fund_id=fund_id,
            sequence=1,
            movement_kind="contribution",
            change_satang=money,
            occurred_on=APPROVED_ON.date(),
        ),
        WelfareMember(
            member_id=member_id,
            welfare_fund_id=fund_id,
            status="active",
            joined_on=APPROVED_ON.date(),
            **area,
        ),
        WelfareBenefit(
            claim_id=new_id(),
            member_id=member_id,
            welfare_fund_id=fund_id,
            benefit_kind="hospital",
            fiscal_year=2562,
            amount_satang=money // 10,
            paid_on=COMPLETED_ON.date(),
            **area,
        ),
    ]


# The same household in both databases: the drill-down lists it by id.
CHIANG_RAI_HOUSEHOLD = (new_id(), new_id())
BANGKOK_HOUSEHOLD = (new_id(), new_id())
CHIANG_RAI_WELFARE = (new_id(), new_id())  # its welfare fund and member, likewise


def chiang_rai_rows() -> list[Any]:
    mine = _household(
        CHIANG_RAI,
        grant=2_000_000,
        disbursed=1_400_000,
        persons=4,
        last=CHIANG_RAI_LAST_EVENT,
        ids=CHIANG_RAI_HOUSEHOLD,
    )
    return [
        mine,
        _grant(mine),
        _loan(CHIANG_RAI, principal=3_000_000, outstanding=1_000_000, overdue=0, last=APPROVED_ON),
        _budget("province", CHIANG_RAI.province, 5_000_000, APPROVED_ON),
        # Its districts' and sub-districts' budgets are its own too (finding 9).
        _budget("district", CHIANG_RAI.district, 600_000, APPROVED_ON),
        _budget("subdistrict", CHIANG_RAI.subdistrict, 70_000, APPROVED_ON),
        _target(AreaLevel.PROVINCE, CHIANG_RAI.province, 1_234),
        _planned(CHIANG_RAI, "N", 321, 6_100_000),
        _history(CHIANG_RAI.province, CHIANG_RAI.subdistrict, 55),
        _coverage(CHIANG_RAI, "N", 88, CHIANG_RAI_LAST_EVENT),
        *_welfare(CHIANG_RAI, CHIANG_RAI_WELFARE, "กองทุนสวัสดิการชุมชนเวียง", 36_500),
    ]


def everyone_elses_rows() -> list[Any]:
    """Bangkok's household, grant, loan, budget and target; budgets and targets for
    both regions and the country; a programme only Bangkok has (canals). Figures unlike
    Chiang Rai's, so a sum would show."""
    theirs = _household(
        BANGKOK,
        grant=91_919_191,
        disbursed=81_818_181,
        persons=7_373,
        last=BANGKOK_LAST_EVENT,
        ids=BANGKOK_HOUSEHOLD,
    )
    canal = _household(
        BANGKOK,
        grant=14_700_000,
        disbursed=0,
        persons=5,
        last=BANGKOK_LAST_EVENT,
        programme=CANAL,
    )
    return [
        theirs,
        _grant(theirs),
        canal,
        _grant(canal),
        _target(AreaLevel.PROVINCE, BANGKOK.province, 300, programme=CANAL),
        _loan(
            BANGKOK,
            principal=93_939_393,
            outstanding=83_838_383,
            overdue=29_292_929,
            last=BANGKOK_LAST_EVENT,
        ),
        _budget("province", BANGKOK.province, 72_727_272, BANGKOK_LAST_EVENT),
        _budget("district", BANGKOK.district, 38_383_838, BANGKOK_LAST_EVENT),
        _budget("subdistrict", BANGKOK.subdistrict, 27_272_727, BANGKOK_LAST_EVENT),
        _budget("national", "TH", 63_636_363, BANGKOK_LAST_EVENT),
        _budget("region", "BVE", 54_545_454, BANGKOK_LAST_EVENT),
        _budget("region", "N", 45_454_545, BANGKOK_LAST_EVENT),
        _target(AreaLevel.PROVINCE, BANGKOK.province, 6_161),
        _target(AreaLevel.REGION, "N", 5_050_505),
        _target(AreaLevel.REGION, "BVE", 4_040_404),
        _target(AreaLevel.COUNTRY, "TH", 9_090_909),
        _planned(BANGKOK, "BVE", 7_979, 797_979_797),
        _history(BANGKOK.province, BANGKOK.subdistrict, 4_747),
        # A record of no place (emergency help, say) is the country's alone.
        _history(None, "ไฟไหม้ชุมชน", 3_636),
        _coverage(BANGKOK, "BVE", 2_929, BANGKOK_LAST_EVENT),
        *_welfare(BANGKOK, (new_id(), new_id()), "กองทุนสวัสดิการชุมชนกรุงเทพ", 7_676_767),
        # The country's long-term target: a figure for more than any one province.
        LongTermTarget(
            code="master-plan-20-year",
            version=1,
            name_th="แผนแม่บท 20 ปี",
            name_en="20-year master plan",
            programmes="",
            first_fiscal_year=2560,
            last_fiscal_year=2579,
            households=1_050_000,
            source="seed 003",
            set_by="baan-national",
            set_at=APPROVED_ON,
        ),
    ]


RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


async def _store(app: FastAPI, rows: list[Any]) -> FastAPI:
    async with app.state.runtime.session_factory() as session:
        session.add_all(rows)
        await session.commit()
    return app


@dataclass(frozen=True)
class Databases:
    chiang_rai_only: FastAPI
    everyone: FastAPI


@pytest.fixture
async def databases(start_app: StartApp) -> Databases:
    only_mine = await _store(
        await start_app(), [*chiang_rai_rows(), *_marks(CHIANG_RAI_LAST_EVENT, 3)]
    )
    everyone = await _store(
        await start_app(),
        [*chiang_rai_rows(), *everyone_elses_rows(), *_marks(BANGKOK_LAST_EVENT, 424_242)],
    )
    return Databases(only_mine, everyone)


@asynccontextmanager
async def reading(app: FastAPI, headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting", headers=headers
    ) as http:
        yield http


def office_headers(*areas: str) -> dict[str, str]:
    token = ISSUER.mint_token(f"office-{'-'.join(areas)}", NATIONAL_SCOPES, list(areas))
    return {"Authorization": f"Bearer {token}"}


CHIANG_RAI_OFFICE = office_headers(CHIANG_RAI.province)


# What each GET needs to be asked in every shape that changes what it shows.
YEAR = {"fiscal_year": "2562"}
LEVELS = [level.value for level in AreaLevel]
FORMATS = ("csv", "xlsx")
EVERY_MEASURE = [m.value for m in Measure]


def _calls(path: str) -> Iterator[dict[str, Any]]:
    """The queries each reporting GET is read with: every level, unit and file format."""
    formats = FORMATS if path.endswith("/export") else (None,)
    if path.startswith(
        ("/v1/reports/targets", "/v1/reports/money", "/v1/query", "/v1/reports/plans")
    ):
        units = ("households", "persons") if "money" not in path else (None,)
        shapes = [{**YEAR, "level": level, "unit": unit} for level in LEVELS for unit in units]
        if path == "/v1/query":
            shapes = [{**shape, "measures": EVERY_MEASURE} for shape in shapes]
    elif path.startswith("/v1/reports/cumulative"):
        # From the first year of the records to beyond the platform's houses.
        shapes = [{"from_year": "2546", "to_year": "2570"}]
    elif path == "/v1/reports/survey-coverage":
        # Tambon rows are asked for one province at a time.
        shapes = [
            {
                "level": level,
                "province_code": CHIANG_RAI.province if level == "subdistrict" else None,
            }
            for level in LEVELS
        ]
    elif path in ("/v1/reports/welfare", "/v1/reports/welfare/export"):
        # Now and in a fiscal year, at every level.
        shapes = [{**year, "level": level} for year in ({}, YEAR) for level in LEVELS]
    elif path in ("/v1/reports/welfare/funds", "/v1/reports/welfare/members"):
        # Every fund or member, those of a year, and the people helped.
        shapes = [{}, YEAR, {"measure": "people_helped"} if "members" in path else {}]
    elif path == "/v1/reports/households":
        # The drill-down: every household, and those behind a figure of each kind.
        shapes = [{}, {"measure": "approved"}, {**YEAR, "measure": "approved_in_period"}]
    else:
        shapes = [{}]
    for shape, file_format in itertools.product(shapes, formats):
        params = {k: v for k, v in shape.items() if v is not None}
        yield params if file_format is None else {**params, "format": file_format}


READ_ROUTES = {
    "/v1/reports/progress",
    "/v1/reports/funnel",
    "/v1/reports/freshness",
    "/v1/reports/targets",
    "/v1/reports/money",
    "/v1/reports/targets/export",
    "/v1/reports/targets/monthly/export",
    "/v1/reports/money/export",
    "/v1/reports/progress/export",
    "/v1/reports/funnel/export",
    "/v1/reports/freshness/export",
    "/v1/reports/households",
    "/v1/reports/households/{household_id}",
    "/v1/reports/plans",
    "/v1/reports/plans/export",
    "/v1/reports/cumulative",
    "/v1/reports/cumulative/export",
    "/v1/reports/survey-coverage",
    "/v1/reports/welfare",
    "/v1/reports/welfare/export",
    "/v1/reports/welfare/funds",
    "/v1/reports/welfare/members",
    "/v1/reports/long-term-targets",
    "/v1/reports/long-term-targets/export",
    "/v1/long-term-targets",
    "/v1/query",
    "/v1/targets",
}
NOT_AREA_DATA = {
    "/health/live",
    "/health/ready",
    "/v1/audit-log",  # auditors are national (ADR 0003)
    # One national target's versions: a client bound to areas gets the 404 of an
    # unknown code (test_long_term_targets.py), a national one the country's figures.
    "/v1/long-term-targets/{code}/history",
    # A rebuild's progress: counts of events, the national administration's alone
    # (test_route_scopes: admin scope; a partner's token is refused).
    "/v1/rebuilds",
    "/v1/rebuilds/{run_id}",
}


def _get_paths(app: FastAPI) -> set[str]:
    """Every GET the API publishes (the dashboard page and /metrics are not in it: the
    page holds no data of its own, it reads the reports below)."""
    return {path for path, operations in app.openapi()["paths"].items() if "get" in operations}


def _text(response: httpx.Response) -> str:
    """What a person would see in the answer: JSON or CSV as text, an XLSX's sheets."""
    if response.headers["content-type"].startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            return "\n".join(
                workbook.read(name).decode("utf-8")
                for name in workbook.namelist()
                if name.startswith("xl/") and name.endswith(".xml")
            )
    return response.text


def _asked(path: str) -> dict[str, str]:
    """The path asked for each record a route names: one household's record is read
    for Chiang Rai's household and for Bangkok's (the office's answer for Bangkok's
    must be what it gets where Bangkok's household never was: a random id's)."""
    if "{household_id}" not in path:
        return {"": path}
    return {
        f" household of {place}": path.replace("{household_id}", str(ids[0]))
        for place, ids in (
            (CHIANG_RAI.province, CHIANG_RAI_HOUSEHOLD),
            (BANGKOK.province, BANGKOK_HOUSEHOLD),
        )
    }


async def _everything_read(app: FastAPI, headers: dict[str, str]) -> dict[str, str]:
    """``{"GET path {query}": what it answered}`` for every reporting read."""
    answers = {}
    async with reading(app, headers) as http:
        for route in sorted(READ_ROUTES):
            for name, path in _asked(route).items():
                for params in _calls(route):
                    response = await http.get(path, params=params)
                    found = response.status_code == 200
                    # Only a record outside the caller's areas or not stored may be missing.
                    assert found or name == f" household of {BANGKOK.province}", (
                        path,
                        params,
                        response.text,
                    )
                    answers[f"{route} {params}{name}"] = (
                        f"{response.status_code} {response.headers['content-type']} "
                        + _text(response)
                    )
    return answers


def _differing(one: dict[str, str], other: dict[str, str]) -> set[str]:
    return {call for call in one if one[call] != other[call]}


async def test_every_get_route_is_either_read_here_or_holds_no_area_data(app: FastAPI) -> None:
    # A new report must join READ_ROUTES (and so the search below).
    assert _get_paths(app) - NOT_AREA_DATA == READ_ROUTES


async def test_a_provincial_office_reads_the_same_whatever_other_provinces_hold(
    databases: Databases,
) -> None:
    alone = await _everything_read(databases.chiang_rai_only, CHIANG_RAI_OFFICE)
    among_others = await _everything_read(databases.everyone, CHIANG_RAI_OFFICE)
    assert _differing(alone, among_others) == set()
    shown = {word: [c for c, t in among_others.items() if word in t] for word in BANGKOK_WORDS}
    assert {word: calls for word, calls in shown.items() if calls} == {}
    # Not because it reads nothing: its own figures are there, its district's and
    # sub-district's budgets with its province's (5,000,000 + 600,000 + 70,000).
    assert any("2000000" in text and "Chiang Rai" in text for text in among_others.values())
    assert any('"budget_allocated_satang":5670000' in text for text in among_others.values())


async def test_the_national_office_reads_other_provinces_on_every_route(
    databases: Databases,
) -> None:
    # The comparison above can fail: every route answers differently with Bangkok's rows.
    alone = await _everything_read(databases.chiang_rai_only, national_headers())
    among_others = await _everything_read(databases.everyone, national_headers())
    routes_that_differ = {call.split(" ")[0] for call in _differing(alone, among_others)}
    # Bangkok's household's record: missing in one database, there in the other.
    record = "/v1/reports/households/{household_id} {} household of 10"
    assert alone[record].startswith("404") and among_others[record].startswith("200")
    assert routes_that_differ == READ_ROUTES


async def test_freshness_is_the_time_of_the_last_event_in_the_clients_own_areas(
    databases: Databases,
) -> None:
    async with reading(databases.everyone, CHIANG_RAI_OFFICE) as office:
        mine = (await office.get("/v1/reports/freshness")).json()
        progress = (await office.get("/v1/reports/progress")).json()
    assert datetime.fromisoformat(mine["as_of"]) == CHIANG_RAI_LAST_EVENT
    # The streams' marks and the consumer's last apply are the whole country's.
    assert (mine["streams"], mine["last_applied_at"]) == ([], None)
    assert datetime.fromisoformat(progress["as_of"]) == CHIANG_RAI_LAST_EVENT
    async with reading(databases.everyone, national_headers()) as national:
        country = (await national.get("/v1/reports/freshness")).json()
    assert datetime.fromisoformat(country["as_of"]) == BANGKOK_LAST_EVENT
    assert [s["events_applied"] for s in country["streams"]] == [424_242, 424_242]


async def test_an_office_whose_areas_have_no_rows_yet_has_no_as_of(
    databases: Databases,
) -> None:
    async with reading(databases.everyone, office_headers("83")) as phuket:
        freshness = (await phuket.get("/v1/reports/freshness")).json()
        report = (await phuket.get("/v1/reports/targets", params=YEAR)).json()
    assert freshness["as_of"] is None
    assert report["as_of"] is None


async def test_asking_for_another_province_by_code_shows_none_of_its_figures(
    databases: Databases,
) -> None:
    bangkok = {**YEAR, "province_code": BANGKOK.province, "level": "province"}
    async with reading(databases.everyone, CHIANG_RAI_OFFICE) as office:
        targets = (await office.get("/v1/reports/targets", params=bangkok)).json()
        money = (await office.get("/v1/reports/money", params=bangkok)).json()
        listed = (await office.get("/v1/targets", params={"area_code": "10"})).json()
    assert targets["rows"] == []
    assert [(t["target"], t["completed"]) for t in targets["totals"]] == [(None, 0)]
    assert money["rows"] == []
    assert all(t["loan_outstanding_satang"] == 0 for t in money["totals"])
    assert listed["targets"] == []

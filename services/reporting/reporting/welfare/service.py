"""Welfare in reporting: projecting welfare's events, and the reports that read them.

Projecting. A fund's events carry its books' totals after each movement and the
movement's ``sequence``: the fund's summary row keeps the totals of the highest
sequence seen, and each movement (recorded once, by id) adds its amount to the
flows of its fiscal year. A member's events keep the membership's status and when it
began and ended (members holding one now: active or lapsed), a paid benefit counts
the benefit and, the first time for that member (ever, and in that fiscal year),
one more person helped. Events about one fund arrive on four topics, so whichever
comes first makes the fund's row from the area it carries.

Reporting. ``welfare_report`` sums the funds' summary rows (no fiscal year: now) or
their rows per fiscal year (the year's flows, and every earlier year's for the
balance and members at the year's end): its cost follows the number of funds and
years, never the number of members. Every figure links to the list behind it.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    EventData,
    WelfareBenefitPaid,
    WelfareFundBalanceChanged,
    WelfareFundEvent,
    WelfareFundRegistered,
    WelfareMemberJoined,
    WelfareMemberStatusChanged,
)
from baan_shared.fiscal import BUDDHIST_ERA_OFFSET, fiscal_year_be
from reporting.geography import (
    AreaLevel,
    area_names,
    check_area,
    check_rows_level,
    office_map,
    place_at,
    scope_of,
)
from reporting.projections.household_progress import event_time
from reporting.projections.repository import record_applied
from reporting.reports.service import as_of
from reporting.welfare import repository
from reporting.welfare.models import WelfareFund, WelfareMember
from reporting.welfare.schemas import (
    WelfareDrillDown,
    WelfareFigures,
    WelfareFundPublic,
    WelfareMemberPublic,
    WelfareReport,
    WelfareRow,
)

HOLDING = ("active", "lapsed")
"""A membership is held while active or lapsed; left and deceased end it."""
FLOW_OF_KIND = {
    "contribution": "contributions_satang",
    "agency_match": "agency_match_satang",
    "local_match": "local_match_satang",
    "other_income": "other_income_satang",
    "benefit": "benefits_paid_satang",
}
FUNDS_PATH = "/v1/reports/welfare/funds"
MEMBERS_PATH = "/v1/reports/welfare/members"

# --- projecting ------------------------------------------------------------------------

WELFARE = "welfare"
"""The projection's name in the freshness marks (``projection_state``)."""
E = TypeVar("E", bound=EventData)
Projector = Callable[[AsyncSession, E, CloudEvent], Awaitable[None]]


def marked(projector: Projector[E]) -> Projector[E]:
    """``projector``, then the welfare projection's high-water mark on the event's stream
    moved: the freshness report's mark and every report's ``as_of``, as the household
    and money projections do (handlers.py wraps each welfare projector)."""

    async def apply(session: AsyncSession, data: E, event: CloudEvent) -> None:
        await projector(session, data, event)
        await record_applied(
            session, projection=WELFARE, stream=data.topic, event_time=event_time(event)
        )

    apply.__name__ = apply.__qualname__ = projector.__name__
    apply.__doc__ = projector.__doc__
    return apply


def fund_area(data: Any) -> dict[str, Any]:
    """A welfare event's area, as the fund's row keeps it."""
    return {
        "province_code": data.province_code,
        "district_code": data.district_code,
        "subdistrict_code": data.subdistrict_code,
        "region_code": data.region_code,
    }


def mark_seen(fund: WelfareFund, event: CloudEvent) -> None:
    """The fund's freshness: the latest event about it (events may come out of order)."""
    if fund.last_event_time is None or event.time > fund.last_event_time:
        fund.last_event_time = event.time


def keep_totals(fund: WelfareFund, data: WelfareFundEvent) -> None:
    """The fund's name, kind and totals from its latest balance event (by sequence)."""
    if data.sequence < fund.sequence:
        return
    fund.sequence = data.sequence
    fund.name, fund.kind = data.name, data.kind
    for name in repository.FUND_TOTALS:
        setattr(fund, name, getattr(data, name))


async def on_fund_registered(
    session: AsyncSession, data: WelfareFundRegistered, event: CloudEvent
) -> None:
    fund = await repository.lock_fund(session, data.welfare_fund_id, fund_area(data))
    mark_seen(fund, event)
    fund.registered_on = data.registered_on
    fund.registered_fiscal_year = fiscal_year_be(data.registered_on)
    keep_totals(fund, data)
    session.add(fund)
    await session.flush()


async def on_fund_balance_changed(
    session: AsyncSession, data: WelfareFundBalanceChanged, event: CloudEvent
) -> None:
    fund = await repository.lock_fund(session, data.welfare_fund_id, fund_area(data))
    mark_seen(fund, event)
    keep_totals(fund, data)
    session.add(fund)
    new = await repository.record_movement(
        session,
        {
            "movement_id": data.movement_id,
            "welfare_fund_id": data.welfare_fund_id,
            "sequence": data.sequence,
            "movement_kind": data.movement_kind,
            "change_satang": data.change_satang,
            "occurred_on": data.occurred_on,
        },
    )
    flow = FLOW_OF_KIND.get(data.movement_kind)
    if new and flow is not None:
        year = await repository.lock_fund_year(session, fund, fiscal_year_be(data.occurred_on))
        setattr(year, flow, getattr(year, flow) + data.amount_satang)
        session.add(year)
    await session.flush()


async def _count_membership(
    session: AsyncSession, fund: WelfareFund, on: date, field: str, by: int
) -> None:
    year = await repository.lock_fund_year(session, fund, fiscal_year_be(on))
    setattr(year, field, getattr(year, field) + by)
    session.add(year)


async def on_member_joined(
    session: AsyncSession, data: WelfareMemberJoined, event: CloudEvent
) -> None:
    if await repository.lock_member(session, data.member_id) is not None:
        return
    fund = await repository.lock_fund(session, data.welfare_fund_id, fund_area(data))
    mark_seen(fund, event)
    area = fund_area(data)
    del area["region_code"]
    member = WelfareMember(
        member_id=data.member_id,
        welfare_fund_id=data.welfare_fund_id,
        status=data.status,
        joined_on=data.joined_on,
        **area,
    )
    session.add(member)
    await _count_membership(session, fund, data.joined_on, "members_joined", 1)
    if data.status in HOLDING:
        fund.members += 1
    else:  # joined and ended before reporting heard of it
        member.ended_on = data.joined_on
        await _count_membership(session, fund, data.joined_on, "members_ended", 1)
    session.add(fund)
    await session.flush()


async def on_member_status_changed(
    session: AsyncSession, data: WelfareMemberStatusChanged, event: CloudEvent
) -> None:
    member = await repository.lock_member(session, data.member_id)
    if member is None:
        fields = set(WelfareMemberJoined.model_fields)
        joined = WelfareMemberJoined(**data.model_dump(include=fields))
        joined.status = data.previous_status
        await on_member_joined(session, joined, event)
        member = await repository.lock_member(session, data.member_id)
        assert member is not None
    if member.status == data.status:
        return
    fund = await repository.lock_fund(session, member.welfare_fund_id, fund_area(data))
    mark_seen(fund, event)
    held, holds = member.status in HOLDING, data.status in HOLDING
    if held and not holds:
        member.ended_on = data.ended_on or event.time.date()
        await _count_membership(session, fund, member.ended_on, "members_ended", 1)
        fund.members -= 1
    elif holds and not held and member.ended_on is not None:
        await _count_membership(session, fund, member.ended_on, "members_ended", -1)
        member.ended_on = None
        fund.members += 1
    member.status = data.status
    session.add(member)
    session.add(fund)
    await session.flush()


def benefit_row(data: Any, fiscal_year: int) -> dict[str, Any]:
    """A benefit paid, as the row reporting keeps of it (one per claim)."""
    return {
        "claim_id": data.claim_id,
        "member_id": data.member_id,
        "welfare_fund_id": data.welfare_fund_id,
        "province_code": data.province_code,
        "district_code": data.district_code,
        "subdistrict_code": data.subdistrict_code,
        "benefit_kind": data.benefit_kind,
        "fiscal_year": fiscal_year,
        "amount_satang": data.amount_satang,
        "paid_on": data.paid_on,
    }


async def on_benefit_paid(
    session: AsyncSession, data: WelfareBenefitPaid, event: CloudEvent
) -> None:
    fund = await repository.lock_fund(session, data.welfare_fund_id, fund_area(data))
    mark_seen(fund, event)
    fiscal_year = fiscal_year_be(data.paid_on)
    first_ever = await repository.benefits_of(session, data.member_id) == 0
    first_this_year = await repository.benefits_of(session, data.member_id, fiscal_year) == 0
    new = await repository.record_benefit(session, benefit_row(data, fiscal_year))
    if not new:
        return
    year = await repository.lock_fund_year(session, fund, fiscal_year)
    year.benefits += 1
    fund.benefits += 1
    if first_this_year:
        year.people_helped += 1
    if first_ever:
        fund.people_helped += 1
    session.add(year)
    session.add(fund)
    await session.flush()


# --- reporting -------------------------------------------------------------------------

COLUMN_OF = {
    AreaLevel.DISTRICT: "district_code",
    AreaLevel.SUBDISTRICT: "subdistrict_code",
}


@dataclass(frozen=True)
class WelfareQuery:
    fiscal_year: int | None = None
    level: AreaLevel = AreaLevel.REGION
    region: str | None = None
    province_code: str | None = None
    principal: Principal | None = None

    @property
    def scope(self) -> tuple[AreaLevel, str]:
        return scope_of(self.region, self.province_code)

    @property
    def provinces(self) -> list[str] | None:
        if self.province_code is not None:
            return [self.province_code]
        if self.region is not None:
            return list(office_map().regions[self.region].provinces)
        return None


def year_end(fiscal_year: int) -> date:
    return date(fiscal_year - BUDDHIST_ERA_OFFSET, 9, 30)


def labels(fiscal_year: int | None) -> tuple[str, str]:
    if fiscal_year is None:
        return "ทุกปีงบประมาณ ถึงปัจจุบัน", "every fiscal year to date"
    return f"ปีงบประมาณ {fiscal_year}", f"FY{fiscal_year - BUDDHIST_ERA_OFFSET}"


def welfare_link(path: str, **params: object) -> str:
    """A drill-down URL with these filters (None left out), as ``drilldown.links`` makes."""
    given = {name: str(value) for name, value in params.items() if value is not None}
    return f"{path}?{urlencode(sorted(given.items()))}"


def _area_params(level: AreaLevel, code: str, query: WelfareQuery) -> dict[str, object]:
    if level == AreaLevel.COUNTRY:
        return {"region": query.region, "province_code": query.province_code}
    if level == AreaLevel.REGION:
        return {"region": code, "province_code": query.province_code}
    return {
        {
            AreaLevel.PROVINCE: "province_code",
            AreaLevel.DISTRICT: "district_code",
            AreaLevel.SUBDISTRICT: "subdistrict_code",
        }[level]: code
    }


def _drill(level: AreaLevel, code: str, query: WelfareQuery) -> WelfareDrillDown:
    params = _area_params(level, code, query)
    return WelfareDrillDown(
        funds=welfare_link(FUNDS_PATH, fiscal_year=query.fiscal_year, **params),
        members=welfare_link(
            MEMBERS_PATH, measure="members", fiscal_year=query.fiscal_year, **params
        ),
        people_helped=welfare_link(
            MEMBERS_PATH, measure="people_helped", fiscal_year=query.fiscal_year, **params
        ),
    )


FIGURES = list(WelfareFigures.model_fields)


def _row(level: AreaLevel, code: str, got: dict[str, int], query: WelfareQuery) -> WelfareRow:
    name_th, name_en = area_names(level, code)
    return WelfareRow(
        area_level=level,
        area_code=code,
        area_name_th=name_th,
        area_name_en=name_en,
        drill_down=_drill(level, code, query),
        **got,
    )


async def _figures_by_code(
    session: AsyncSession, query: WelfareQuery, column: str
) -> dict[str, dict[str, int]]:
    """The figures per official area (the ``column`` codes) in the query's scope."""
    found: dict[str, dict[str, int]] = {}
    if query.fiscal_year is None:
        for row in await repository.fund_sums(
            session, area=column, principal=query.principal, province_codes=query.provinces
        ):
            code = str(row.pop("area_code"))
            found[code] = {name: int(row[name]) for name in FIGURES}
        return found
    registered = await repository.funds_registered_by(
        session,
        area=column,
        fiscal_year=query.fiscal_year,
        principal=query.principal,
        province_codes=query.provinces,
    )
    for row in await repository.year_sums(
        session,
        area=column,
        fiscal_year=query.fiscal_year,
        principal=query.principal,
        province_codes=query.provinces,
    ):
        code = str(row["area_code"])
        got = {name: int(row[name]) for name in repository.YEAR_FLOWS}
        to_date = {name: int(row[f"{name}_to_date"]) for name in repository.YEAR_FLOWS}
        money_in = sum(
            to_date[name]
            for name in (
                "contributions_satang",
                "agency_match_satang",
                "local_match_satang",
                "other_income_satang",
            )
        )
        found[code] = {
            "funds": registered.get(code, 0),
            "members": to_date["members_joined"] - to_date["members_ended"],
            **{name: got[name] for name in FIGURES if name in got},
            "balance_satang": money_in - to_date["benefits_paid_satang"],
        }
    for code, funds in registered.items():
        found.setdefault(code, dict.fromkeys(FIGURES, 0))["funds"] = funds
    return found


async def welfare_report(session: AsyncSession, query: WelfareQuery) -> WelfareReport:
    check_area(query.region, query.province_code)
    check_rows_level(query.level, query.scope[0])
    fresh_as_of = await as_of(session, query.principal)
    column = COLUMN_OF.get(query.level, "province_code")
    cells: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    total = dict.fromkeys(FIGURES, 0)
    for code, got in (await _figures_by_code(session, query, column)).items():
        area = code if query.level in COLUMN_OF else place_at(query.level, code)
        for name, value in got.items():
            total[name] += value
            if area is not None:
                cells[area][name] += value
    label_th, label_en = labels(query.fiscal_year)
    scope_level, scope_code = query.scope
    return WelfareReport(
        as_of=fresh_as_of,
        fiscal_year=query.fiscal_year,
        label_th=label_th,
        label_en=label_en,
        level=query.level,
        rows=[_row(query.level, code, cells[code], query) for code in sorted(cells)],
        total=_row(scope_level, scope_code, total, query),
    )


@dataclass(frozen=True)
class ListQuery:
    """The filters of a drill-down list (the same words as the report's links)."""

    fiscal_year: int | None = None
    region: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    principal: Principal | None = None

    @property
    def provinces(self) -> list[str] | None:
        if self.province_code is not None:
            return [self.province_code]
        if self.region is not None:
            return list(office_map().regions[self.region].provinces)
        return None


def fund_public(fund: WelfareFund) -> WelfareFundPublic:
    return WelfareFundPublic(
        **fund.model_dump(exclude={"registered_fiscal_year", "sequence"}), movements=fund.sequence
    )


async def funds(
    session: AsyncSession, query: ListQuery, *, after: Any, limit: int
) -> tuple[Any, int, list[WelfareFundPublic]]:
    check_area(query.region, query.province_code)
    fresh_as_of = await as_of(session, query.principal)
    count, rows = await repository.funds_page(
        session,
        principal=query.principal,
        province_codes=query.provinces,
        district_code=query.district_code,
        subdistrict_code=query.subdistrict_code,
        registered_by=query.fiscal_year,
        after=after,
        limit=limit,
    )
    return fresh_as_of, count, [fund_public(f) for f in rows]


async def members(
    session: AsyncSession,
    query: ListQuery,
    *,
    measure: str,
    fund_id: Any,
    after: Any,
    limit: int,
) -> tuple[Any, int, list[WelfareMemberPublic]]:
    check_area(query.region, query.province_code)
    fresh_as_of = await as_of(session, query.principal)
    count, rows = await repository.members_page(
        session,
        measure=measure,
        fiscal_year=query.fiscal_year,
        year_end=year_end(query.fiscal_year) if query.fiscal_year else None,
        fund_id=fund_id,
        principal=query.principal,
        province_codes=query.provinces,
        district_code=query.district_code,
        subdistrict_code=query.subdistrict_code,
        after=after,
        limit=limit,
    )
    return fresh_as_of, count, [WelfareMemberPublic.model_validate(m.model_dump()) for m in rows]

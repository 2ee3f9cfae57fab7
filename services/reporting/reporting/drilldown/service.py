"""The drill-down: checks the filters, turns them into the reports' own conditions,
pages the households and names their areas.

The filters are those of every report. Which of them a figure uses depends on its
measure: progress and the funnel count households by the fiscal year of their
approval (``fiscal_year``; ``period`` h1/h2: approved, as the committee dated it, in
that half), now or at the end of ``as_of_date``; targets and the query API count a
milestone reached in the period (``*_in_period``; ``month`` narrows to one month).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.auth.areas import does_not_exist
from baan_shared.errors import NotFound, Unprocessable, invalid
from reporting.drilldown import repository
from reporting.drilldown.repository import UNKNOWN, HouseholdFilter
from reporting.drilldown.schemas import (
    IN_PERIOD,
    GrantPublic,
    HouseholdPublic,
    HouseholdRecordPublic,
    Measure,
)
from reporting.geography import AreaLevel, area_names, office_map
from reporting.periods import FiscalPeriod, PeriodKind, end_of_day
from reporting.projections.models import HouseholdProgress, Stage, as_utc
from reporting.projections.repository import AreaFilter
from reporting.reports.service import as_of


@dataclass(frozen=True)
class HouseholdQuery:
    measure: Measure = Measure.HOUSEHOLDS
    stage: Stage | None = None
    programme: str | None = None
    fiscal_year: int | None = None
    period: PeriodKind | None = None
    month: str | None = None
    as_of_date: date | None = None
    region: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    principal: Principal | None = None


def _invalid(field: str, value: object, reason: str) -> Unprocessable:
    return invalid(
        f"query.{field}", reason, field, detail=f"{field}={value}: {reason}", value=value
    )


def half_of(fiscal_year: int, period: PeriodKind | None) -> tuple[datetime, datetime] | None:
    """The approval range a half of the year selects (None for the whole year)."""
    if period is None or period == PeriodKind.YEAR:
        return None
    half = FiscalPeriod(fiscal_year, period)
    return half.starts_at, half.ends_at


def _check_areas(query: HouseholdQuery) -> list[str] | None:
    """The region's provinces (None without a region); 404 for an area no map knows,
    as the reports answer."""
    offices = office_map()
    provinces = None
    if query.region is not None:
        if query.region not in offices.regions:
            known = ", ".join(offices.regions)
            raise NotFound(f"No regional office {query.region}; one of {known}")
        provinces = list(offices.regions[query.region].provinces)
    if query.province_code is not None and query.province_code not in offices.provinces:
        raise NotFound(f"No province {query.province_code}")
    return provinces


def _achieved_between(query: HouseholdQuery) -> tuple[datetime, datetime] | None:
    if query.measure not in IN_PERIOD:
        if query.month is not None:
            raise _invalid("month", query.month, f"only with {', '.join(IN_PERIOD)}")
        return None
    if query.fiscal_year is None:
        raise _invalid("fiscal_year", None, f"required with measure={query.measure.value}")
    if query.as_of_date is not None:
        raise _invalid("as_of_date", query.as_of_date.isoformat(), "not with a measure in a period")
    period = FiscalPeriod(query.fiscal_year, query.period or PeriodKind.YEAR)
    if query.month is None:
        return period.starts_at, period.ends_at
    for month in period.months:
        if month.key == query.month:
            return month.starts_at, month.ends_at
    raise _invalid("month", query.month, f"not a month of {period.label_en}")


def household_filter(query: HouseholdQuery) -> HouseholdFilter:
    provinces = _check_areas(query)
    between = _achieved_between(query)
    if query.measure == Measure.REACHED and query.stage is None:
        raise _invalid("stage", None, "required with measure=reached")
    half = None
    if query.period not in (None, PeriodKind.YEAR) and between is None:
        if query.fiscal_year is None:
            raise _invalid("period", query.period, "needs fiscal_year")
        half = half_of(query.fiscal_year, query.period)
    where = AreaFilter(
        programme=query.programme,
        province_code=query.province_code,
        fiscal_year=query.fiscal_year if between is None else None,
        principal=query.principal,
        approved_from=half[0] if half else None,
        approved_before=half[1] if half else None,
        stage_at=end_of_day(query.as_of_date) if query.as_of_date else None,
    )
    return HouseholdFilter(
        where=where,
        measure=query.measure,
        stage=query.stage,
        province_codes=provinces,
        district_code=query.district_code,
        subdistrict_code=query.subdistrict_code,
        achieved_between=between,
    )


def _public(row: HouseholdProgress, stage: str) -> HouseholdPublic:
    offices = office_map()
    region = offices.region_of(row.province_code)
    province_th, province_en = area_names(AreaLevel.PROVINCE, row.province_code)
    sub_th, sub_en = (
        area_names(AreaLevel.SUBDISTRICT, row.subdistrict_code)
        if row.subdistrict_code
        else (None, None)
    )
    return HouseholdPublic(
        household_id=row.household_id,
        household_path=f"/v1/households/{row.household_id}",
        programme=row.programme,
        stage=Stage(stage),
        fiscal_year=row.fiscal_year,
        region=region.code if region else None,
        province_code=row.province_code,
        province_name_th=province_th,
        province_name_en=province_en,
        district_code=row.district_code,
        subdistrict_code=row.subdistrict_code,
        subdistrict_name_th=sub_th,
        subdistrict_name_en=sub_en,
        community_id=row.community_id,
        surveyed_at=as_utc(row.surveyed_at),
        approved_on=as_utc(row.approval_dated or row.approved_at),
        started_on=as_utc(row.start_dated or row.started_at),
        completed_on=as_utc(row.completion_dated or row.completed_at),
        waitlisted_at=as_utc(row.waitlisted_at),
        rejected_at=as_utc(row.rejected_at),
        cancelled_at=as_utc(row.cancelled_at),
        grant_approved_satang=row.grant_amount_satang,
        grant_paid_satang=row.disbursed_satang,
    )


@dataclass(frozen=True)
class HouseholdPage:
    as_of: datetime | None
    count: int
    items: list[HouseholdPublic]
    last: uuid.UUID | None
    """The last household of the page when more follow (the router's cursor)."""


async def households(
    session: AsyncSession, query: HouseholdQuery, *, after: uuid.UUID | None, limit: int
) -> HouseholdPage:
    found = household_filter(query)
    fresh_as_of = await as_of(session, query.principal)
    total = await repository.count(session, found)
    rows = await repository.page(session, found, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return HouseholdPage(
        as_of=fresh_as_of,
        count=total,
        items=[_public(row, stage) for row, stage in rows],
        last=rows[-1][0].household_id if more and rows else None,
    )


async def household_record(
    session: AsyncSession, household_id: uuid.UUID, principal: Principal | None
) -> HouseholdRecordPublic:
    """One household's record: the same 404 for a random id and for a household
    outside the caller's areas (``does_not_exist``), so neither is told apart."""
    row = await repository.household(session, household_id, principal)
    if row is None:
        raise does_not_exist(f"household {household_id}")
    listed = _public(row, row.stage)
    region = office_map().region_of(row.province_code)
    district_th, district_en = (
        area_names(AreaLevel.DISTRICT, row.district_code) if row.district_code else (None, None)
    )
    grants = await repository.grants(session, household_id)
    return HouseholdRecordPublic(
        **listed.model_dump(),
        as_of=await as_of(session, principal),
        household_size=row.household_size,
        region_name_th=region.name_th if region else None,
        region_name_en=region.name_en if region else None,
        district_name_th=district_th,
        district_name_en=district_en,
        house_id=row.house_id,
        progress_percent=row.progress_percent,
        planned_at=as_utc(row.planned_at),
        ready_at=as_utc(row.ready_at),
        grant_rejected_at=as_utc(row.grant_rejected_at),
        grants=[
            GrantPublic(
                grant_id=g.grant_id,
                fiscal_year=g.fiscal_year,
                amount_satang=g.amount_satang,
                disbursed_satang=g.disbursed_satang,
                tranches_paid=g.tranches_paid,
                approved_at=as_utc(g.approved_at),
                rejected_at=as_utc(g.rejected_at),
            )
            for g in grants
        ],
        last_event_at=as_utc(row.last_event_time),
    )


__all__ = ["UNKNOWN", "HouseholdQuery", "half_of", "household_record", "households"]

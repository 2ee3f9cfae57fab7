"""Target against achieved: the counting rules live in ``projections.repository``
(what "achieved in a period" means); this module picks the areas, rolls
provinces up into CODI's regional offices, finds each area's target and shapes
the report.

An area's target is the one set for it; without one, a region's is the sum of
its provinces' and the country's the sum of its regions'. Districts and
sub-districts have no targets. A half-year target is never derived from a
year's, nor the other way round: the agency sets both.

A client bound to areas reads only its provinces' targets (``targets.repository``
filters them in the query), so every figure it gets, target and achieved alike,
is over its own areas: a region's or the country's row sums its provinces' targets,
never the target set for the whole region or country.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import astuple, dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.errors import invalid
from reporting.drilldown.links import drill_link
from reporting.geography import (
    COUNTRY_CODE,
    AreaLevel,
    OfficeMap,
    area_names,
    check_area,
    check_rows_level,
    office_map,
    scope_of,
)
from reporting.periods import FiscalPeriod, PeriodKind
from reporting.projections import repository
from reporting.projections.repository import ACHIEVEMENTS, AchievementFilter
from reporting.reports.answers import Answer, AnswerCache
from reporting.reports.service import as_of, kept_model_answer
from reporting.targets import repository as targets_repository
from reporting.targets.models import Unit
from reporting.targets.repository import TargetFilter

from .schemas import MonthAchieved, PeriodPublic, TargetReport, TargetRow

# What each unit counts among the households that reached a milestone: themselves,
# their members (the survey's household size), or the distinct sub-districts or
# communities they live in. A homeless centre is registered as a community of its
# own, so centres are counted as communities.
UNIT_SUFFIX = {
    Unit.HOUSEHOLDS: "",
    Unit.PERSONS: "_persons",
    Unit.SUBDISTRICTS: "_subdistricts",
    Unit.COMMUNITIES: "_communities",
    Unit.CENTRES: "_communities",
}
COVERAGE = ("subdistricts_reached", "communities_reached")


@dataclass(frozen=True)
class TargetQuery:
    fiscal_year: int
    period: PeriodKind = PeriodKind.YEAR
    level: AreaLevel = AreaLevel.REGION
    unit: Unit = Unit.HOUSEHOLDS
    programme: str | None = None
    region: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    principal: Principal | None = None
    """The caller: only households in its areas count (None: every area)."""

    @property
    def scope(self) -> tuple[AreaLevel, str]:
        """The whole area asked for: the finest filter given."""
        return scope_of(self.region, self.province_code, self.district_code)


def percent(achieved: int, target: int | None) -> float | None:
    if not target:
        return None
    ratio = Decimal(achieved * 100) / Decimal(target)
    return float(ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _check(query: TargetQuery) -> None:
    check_area(query.region, query.province_code)
    if (
        query.district_code is not None
        and query.province_code is not None
        and not query.district_code.startswith(query.province_code)
    ):
        raise invalid(
            "query.district_code",
            f"district {query.district_code} is not in province {query.province_code}",
            "district_code",
        )
    check_rows_level(query.level, query.scope[0])


class Targets:
    """The targets of one period and unit, with the roll-up rule for areas without one."""

    def __init__(self, quantities: dict[tuple[str, str, str], int]) -> None:
        self.quantities = quantities

    @property
    def programmes(self) -> set[str]:
        return {programme for programme, _, _ in self.quantities}

    def _sum(self, parts: Iterable[int | None]) -> int | None:
        known = [n for n in parts if n is not None]
        return sum(known) if known else None

    def of(self, programme: str, level: AreaLevel, code: str | None) -> int | None:
        if code is None:
            return None
        explicit = self.quantities.get((programme, level.value, code))
        if explicit is not None:
            return explicit
        offices = office_map()
        if level == AreaLevel.REGION and code in offices.regions:
            return self._sum(
                self.quantities.get((programme, AreaLevel.PROVINCE.value, p))
                for p in offices.regions[code].provinces
            )
        if level == AreaLevel.COUNTRY:
            return self._sum(self.of(programme, AreaLevel.REGION, r) for r in offices.regions)
        return None


def _area_params(level: AreaLevel, code: str | None) -> dict[str, str] | None:
    """The drill-down's filter for one area (None: no filter can name it)."""
    if level == AreaLevel.COUNTRY:
        return {}
    if code is None and level in (AreaLevel.REGION, AreaLevel.PROVINCE):
        return None
    name = {
        AreaLevel.REGION: "region",
        AreaLevel.PROVINCE: "province_code",
        AreaLevel.DISTRICT: "district_code",
        AreaLevel.SUBDISTRICT: "subdistrict_code",
    }[level]
    return {name: code or "unknown"}


def achievement_links(
    query: TargetQuery,
    programme: str | None,
    level: AreaLevel,
    code: str | None,
    month: str | None = None,
) -> dict[str, str]:
    """Links from approved, started and completed to their households: the query's
    filters and the row's area. Only counts of households have a list to match."""
    if query.unit != Unit.HOUSEHOLDS:
        return {}
    return dict(
        _links(
            query.fiscal_year,
            query.period.value,
            query.region,
            query.province_code,
            query.district_code,
            programme,
            level,
            code,
            month,
        )
    )


@lru_cache(maxsize=8192)
def _links(
    fiscal_year: int,
    period: str,
    region: str | None,
    province_code: str | None,
    district_code: str | None,
    programme: str | None,
    level: AreaLevel,
    code: str | None,
    month: str | None,
) -> dict[str, str]:
    # A report of provinces with a monthly series asks for the same few hundred link
    # sets at every call: building them was the largest part of its time. Callers get
    # a copy (``achievement_links``).
    area = _area_params(level, code)
    if area is None:
        return {}
    filters: dict[str, object] = {
        "fiscal_year": fiscal_year,
        "period": period,
        "programme": programme,
        "region": region,
        "province_code": province_code,
        "district_code": district_code,
        "month": month,
        **area,
    }
    return {m: drill_link(**filters, measure=f"{m}_in_period") for m in ACHIEVEMENTS}


def _row(
    query: TargetQuery,
    programme: str,
    level: AreaLevel,
    code: str | None,
    target: int | None,
    got: dict[str, int],
) -> TargetRow:
    name_th, name_en = area_names(level, code) if code is not None else (None, None)
    return TargetRow(
        drill_down=achievement_links(query, programme, level, code),
        programme=programme,
        area_level=level,
        area_code=code,
        area_name_th=name_th,
        area_name_en=name_en,
        target=target,
        **got,
        **{f"{m}_percent": percent(got[m], target) for m in ACHIEVEMENTS},
    )


def _regions_of(principal: Principal | None) -> set[str]:
    """The regional offices a caller has areas in: a provincial office gets a row for
    its own region only, not one of zeros for every other region."""
    offices = office_map()
    if principal is None or principal.all_areas:
        return set(offices.regions)
    return {
        region.code
        for code in principal.areas
        if (region := offices.region_of(code[:2])) is not None
    }


def _area_key(level: AreaLevel, province: str | None) -> str | None:
    if level == AreaLevel.COUNTRY:
        return COUNTRY_CODE
    if level == AreaLevel.REGION:
        region = office_map().region_of(province or "")
        return region.code if region else None
    return province


async def target_answer(
    session: AsyncSession, query: TargetQuery, answers: AnswerCache | None = None
) -> Answer:
    """The targets report as its JSON bytes, kept while the projections and the targets
    stand still (``reports.service.kept_answer``)."""

    key = ("targets", *astuple(replace(query, principal=None)))
    return await kept_model_answer(
        session, answers, key, query.principal, lambda: target_report(session, query), edited=True
    )


async def target_report(session: AsyncSession, query: TargetQuery) -> TargetReport:
    _check(query)
    fresh_as_of = await as_of(session, query.principal)
    period = FiscalPeriod(query.fiscal_year, query.period)
    offices = office_map()
    provinces = _provinces_in_scope(query, offices)
    where = AchievementFilter(
        starts_at=period.starts_at,
        ends_at=period.ends_at,
        programme=query.programme,
        province_codes=provinces,
        district_code=query.district_code,
        principal=query.principal,
    )
    achieved = await _achieved_by_area(session, query, where)
    targets = await _targets_of(session, query)
    programmes = sorted(
        {query.programme} if query.programme else targets.programmes | {p for p, _ in achieved}
    )
    areas = _areas_with_rows(query, programmes, achieved, targets, provinces, offices)
    rows = [
        _row(
            query,
            programme,
            query.level,
            code,
            targets.of(programme, query.level, code),
            achieved.get((programme, code), dict.fromkeys(ACHIEVEMENTS + COVERAGE, 0)),
        )
        for programme in programmes
        for code in sorted(areas[programme], key=lambda c: (c is None, c or ""))
    ]
    return TargetReport(
        as_of=fresh_as_of,
        period=_period_public(period),
        unit=query.unit,
        level=query.level,
        rows=rows,
        totals=_totals(query, programmes, rows, targets),
        months=await _months(session, query, where, period),
    )


Achieved = dict[tuple[str, str | None], dict[str, int]]
"""(programme, area code) → each achievement and coverage measure."""


def _provinces_in_scope(query: TargetQuery, offices: OfficeMap) -> list[str] | None:
    """The provinces the query is limited to (its province, or its region's); None: all."""
    if query.province_code is not None:
        return [query.province_code]
    if query.region is not None:
        return list(offices.regions[query.region].provinces)
    return None


async def _achieved_by_area(
    session: AsyncSession, query: TargetQuery, where: AchievementFilter
) -> Achieved:
    """What was achieved in each area of the query's level, in the query's unit."""
    fine = query.level in (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT)
    found = await repository.achieved_by_area(
        session, where, query.level.value if fine else AreaLevel.PROVINCE.value
    )
    suffix = UNIT_SUFFIX[query.unit]
    achieved: Achieved = defaultdict(lambda: dict.fromkeys(ACHIEVEMENTS + COVERAGE, 0))
    for item in found:
        key = (item.programme, item.area_code if fine else _area_key(query.level, item.area_code))
        for measure in ACHIEVEMENTS:
            achieved[key][measure] += getattr(item, measure + suffix)
        # A sub-district or community lies in one province (and district): areas add up.
        for measure in COVERAGE:
            achieved[key][measure] += getattr(item, measure)
    return achieved


async def _targets_of(session: AsyncSession, query: TargetQuery) -> Targets:
    """The targets set for the query's programme, year, period and unit."""
    return Targets(
        {
            (t.programme, t.area_level.value, t.area_code): t.quantity
            for t in await targets_repository.find(
                session,
                TargetFilter(
                    programme=query.programme,
                    fiscal_year=query.fiscal_year,
                    period=query.period.value,
                    unit=query.unit.value,
                    principal=query.principal,
                ),
            )
        }
    )


def _areas_with_rows(
    query: TargetQuery,
    programmes: list[str],
    achieved: Achieved,
    targets: Targets,
    provinces: list[str] | None,
    offices: OfficeMap,
) -> dict[str, set[str | None]]:
    """Which areas get a row, by programme: every region in scope; provinces in scope
    with a target or an achievement; districts and sub-districts with an achievement."""
    areas: dict[str, set[str | None]] = {p: {a for q, a in achieved if q == p} for p in programmes}
    for programme in programmes:
        if query.level == AreaLevel.COUNTRY:
            areas[programme].add(COUNTRY_CODE)
        elif query.level == AreaLevel.REGION:
            regions = {query.region} if query.region else set(offices.regions)
            areas[programme] |= regions & _regions_of(query.principal)
        elif query.level == AreaLevel.PROVINCE:
            in_scope = provinces if provinces is not None else list(offices.provinces)
            areas[programme] |= {
                p for p in in_scope if targets.of(programme, AreaLevel.PROVINCE, p) is not None
            }
    return areas


def _totals(
    query: TargetQuery, programmes: list[str], rows: list[TargetRow], targets: Targets
) -> list[TargetRow]:
    """One row per programme for the query's whole scope: its rows added up."""
    scope_level, scope_code = query.scope
    totals = []
    for programme in programmes:
        mine = [row for row in rows if row.programme == programme]
        got = {m: sum(getattr(row, m) for row in mine) for m in ACHIEVEMENTS + COVERAGE}
        target = targets.of(programme, scope_level, scope_code)
        totals.append(_row(query, programme, scope_level, scope_code, target, got))
    return totals


async def _months(
    session: AsyncSession, query: TargetQuery, where: AchievementFilter, period: FiscalPeriod
) -> list[MonthAchieved]:
    """Each month of the period: what was achieved in it and up to its end."""
    scope_level, scope_code = query.scope
    month_counts = await repository.achieved_by_month(
        session, where, [(m.starts_at, m.ends_at) for m in period.months]
    )
    months = []
    to_date = dict.fromkeys(ACHIEVEMENTS, 0)
    for month, counts in zip(period.months, month_counts, strict=True):
        got = dict(zip(ACHIEVEMENTS, counts, strict=True))
        for measure in ACHIEVEMENTS:
            to_date[measure] += got[measure]
        months.append(
            MonthAchieved(
                drill_down=achievement_links(
                    query, query.programme, scope_level, scope_code, month.key
                ),
                month=month.key,
                label_th=month.label_th,
                label_en=month.label_en,
                **got,
                **{f"{m}_to_date": n for m, n in to_date.items()},
            )
        )
    return months


def _period_public(period: FiscalPeriod) -> PeriodPublic:
    return PeriodPublic(
        fiscal_year=period.fiscal_year,
        period=period.kind,
        label_th=period.label_th,
        label_en=period.label_en,
        range_th=period.range_th,
        range_en=period.range_en,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
    )

"""Setting the national long-term targets and measuring plans and achievements
against them.

A target (the rural programme's 5-year 352,000 households, the 20-year master
plan's 1,050,000 by FY 2579: DOMAIN.md, seeds 000 and 003) is set by a national
client through the API; each change is a new version and the old ones stay, so
what the platform reported against at any time can be told. Sending the version
in force again changes nothing.

Progress is the country's: planned is what adopted tambon plans hold over the span,
reached is what /v1/reports/cumulative counts (historical records and the houses
the platform saw completed; persons for the homeless programme). A client bound
to areas sees no national target, as /v1/targets shows it no country target: the
figures are for more than its areas.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.errors import Forbidden, NotFound, Unprocessable, field_error
from baan_shared.reference import Programme
from reporting.achievements.service import percent
from reporting.cumulative.service import COUNTS_PERSONS
from reporting.long_term_targets import repository
from reporting.long_term_targets.models import LongTermTarget
from reporting.long_term_targets.schemas import (
    LongTermTargetHistory,
    LongTermTargetProgress,
    LongTermTargetPublic,
    LongTermTargetReport,
    LongTermTargetSet,
    LongTermTargetsPublic,
    LongTermYear,
)
from reporting.periods import FiscalPeriod

LONGEST_SPAN = 30
"""Fiscal years a target may span (the master plan spans 20)."""


def _problems(body: LongTermTargetSet) -> list[dict[str, Any]]:
    found = []
    span = body.last_fiscal_year - body.first_fiscal_year + 1
    if span < 1:
        found.append(
            field_error(
                "body.last_fiscal_year",
                f"the last fiscal year comes before the first ({body.first_fiscal_year})",
                "range",
                value=body.last_fiscal_year,
            )
        )
    elif span > LONGEST_SPAN:
        found.append(
            field_error(
                "body.last_fiscal_year",
                f"a target spans at most {LONGEST_SPAN} fiscal years; this one spans {span}",
                "range",
                value=body.last_fiscal_year,
            )
        )
    if body.households < 1:
        found.append(
            field_error("body.households", "a target is at least 1 household", "range", value=0)
        )
    seen: dict[Programme, int] = {}
    for index, programme in enumerate(body.programmes):
        if programme in seen:
            found.append(
                field_error(
                    f"body.programmes.{index}",
                    f"named already as body.programmes.{seen[programme]}",
                    "duplicate",
                    value=programme.value,
                )
            )
        seen.setdefault(programme, index)
    return found


def public(row: LongTermTarget) -> LongTermTargetPublic:
    return LongTermTargetPublic(
        code=row.code,
        version=row.version,
        name_th=row.name_th,
        name_en=row.name_en,
        programmes=row.programme_codes,
        first_fiscal_year=row.first_fiscal_year,
        last_fiscal_year=row.last_fiscal_year,
        households=row.households,
        source=row.source,
        set_by=row.set_by,
        set_at=row.set_at,
    )


def _same(row: LongTermTarget, values: dict[str, Any]) -> bool:
    return all(getattr(row, name) == value for name, value in values.items())


async def set_target(
    session: AsyncSession, code: str, body: LongTermTargetSet, principal: Principal
) -> LongTermTargetPublic:
    if not principal.all_areas:
        raise Forbidden(
            f"client {principal.client_id!r} is bound to areas; only a national client "
            "sets the national long-term targets",
            errors=[field_error("header.Authorization", "national clients only", "area")],
        )
    problems = _problems(body)
    if problems:
        raise Unprocessable("The target is not valid; nothing was changed", errors=problems)
    values = body.model_dump(exclude={"programmes"}) | {
        "programmes": ",".join(sorted({p.value for p in body.programmes}))
    }
    versions = await repository.versions(session, code)
    if versions and _same(versions[0], values):
        return public(versions[0])
    row = LongTermTarget(
        code=code,
        version=versions[0].version + 1 if versions else 1,
        set_by=principal.client_id,
        **values,
    )
    session.add(row)
    await session.flush()
    return public(row)


async def in_force(session: AsyncSession, principal: Principal) -> LongTermTargetsPublic:
    if not principal.all_areas:
        return LongTermTargetsPublic(items=[])
    return LongTermTargetsPublic(items=[public(r) for r in await repository.in_force(session)])


async def history(session: AsyncSession, code: str, principal: Principal) -> LongTermTargetHistory:
    versions = await repository.versions(session, code) if principal.all_areas else []
    if not versions:
        raise NotFound(f"no long-term target has code {code}")
    return LongTermTargetHistory(code=code, versions=[public(r) for r in versions])


def _reached(by_programme: dict[str, tuple[int, int]]) -> int:
    """Households, or persons for the programmes counted in persons."""
    return sum(
        persons if programme in COUNTS_PERSONS else households
        for programme, (households, persons) in by_programme.items()
    )


async def progress(session: AsyncSession, target: LongTermTarget) -> LongTermTargetProgress:
    first, last = target.first_fiscal_year, target.last_fiscal_year
    programmes = target.programme_codes
    planned = await repository.planned_by_year(session, first, last, programmes)
    historical = await repository.historical_by_year(session, first, last, programmes)
    years, to_date = [], 0
    for year in range(first, last + 1):
        period = FiscalPeriod(year)
        counted = await repository.completed_between(
            session, period.starts_at, period.ends_at, programmes
        )
        reached = _reached(historical.get(year, {})) + _reached(counted)
        to_date += reached
        years.append(
            LongTermYear(
                fiscal_year=year,
                planned=planned.get(year, 0),
                reached=reached,
                reached_to_date=to_date,
            )
        )
    total_planned = sum(planned.values())
    return LongTermTargetProgress(
        target=public(target),
        planned=total_planned,
        reached=to_date,
        remaining=max(target.households - to_date, 0),
        planned_percent_of_target=percent(total_planned, target.households),
        reached_percent_of_target=percent(to_date, target.households),
        years=years,
    )


async def report(
    session: AsyncSession, principal: Principal, code: str | None = None
) -> LongTermTargetReport:
    if not principal.all_areas:
        return LongTermTargetReport(rows=[])
    targets = [t for t in await repository.in_force(session) if code in (None, t.code)]
    return LongTermTargetReport(rows=[await progress(session, target) for target in targets])

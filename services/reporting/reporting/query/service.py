"""The query's cells: the fixed reports' rows for each fiscal year, one cell per
programme × area, holding the measures asked for (see ``reporting.query.router``)."""

from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.errors import invalid
from baan_shared.reference import Programme
from reporting.achievements import service as achievements
from reporting.geography import AreaLevel
from reporting.money import service as money
from reporting.periods import PeriodKind
from reporting.query.funds import FundCellRow, fund_rows
from reporting.query.schemas import FUND_MEASURES, MONEY_MEASURES, Measure, QueryResult
from reporting.reports.answers import Answer, AnswerCache
from reporting.reports.service import as_of, kept_model_answer
from reporting.targets.models import Unit


@dataclass(frozen=True)
class Query:
    """What GET /v1/query asks for."""

    fiscal_years: Sequence[int]
    measures: Sequence[Measure]
    period: PeriodKind
    level: AreaLevel
    unit: Unit
    programme: Programme | None
    region: str | None
    province_code: str | None
    district_code: str | None
    principal: Principal

    @property
    def money_asked(self) -> bool:
        return any(m in MONEY_MEASURES for m in self.measures)

    @property
    def funds_asked(self) -> bool:
        return any(m in FUND_MEASURES for m in self.measures)


async def query_answer(
    session: AsyncSession, asked: Query, answers: AnswerCache | None = None
) -> Answer:
    """The query's cells as JSON bytes, kept while the projections and the targets
    stand still (``reports.service.kept_answer``)."""

    key = (
        "query",
        tuple(asked.fiscal_years),
        tuple(asked.measures),
        *astuple(replace(asked, fiscal_years=(), measures=(), principal=None)),
    )
    return await kept_model_answer(
        session, answers, key, asked.principal, lambda: query(session, asked), edited=True
    )


async def query(session: AsyncSession, asked: Query) -> QueryResult:
    """Cells for every programme × fiscal year × area, each with the measures asked for."""
    _check_money_scope(asked)
    # Funds are a stock, the same in every year: read once, after the first year's
    # report has checked the region, province and level asked for.
    funds: list[FundCellRow] | None = None
    fresh_as_of = await as_of(session, asked.principal)
    cells: list[dict[str, Any]] = []
    for year in sorted(set(asked.fiscal_years)):
        target_query = _target_query(asked, year)
        report = await achievements.target_report(session, target_query)
        rows: list[Any] = list(report.rows)
        if asked.money_asked:
            rows += await _money_rows(session, asked, year)
        if asked.funds_asked:
            if funds is None:
                funds = await _fund_rows(session, asked)
            rows += funds
        cells += _cells(asked, target_query, report, rows)
    return QueryResult.model_validate(
        {"as_of": fresh_as_of, "unit": asked.unit, "measures": list(asked.measures), "cells": cells}
    )


def _check_money_scope(asked: Query) -> None:
    if (asked.money_asked or asked.funds_asked) and asked.district_code is not None:
        raise invalid(
            "query.district_code",
            "not with money or revolving-fund measures; use province_code and level",
            "money_scope",
            detail="money is reported by region, province or finer, not within one district",
        )


def _target_query(asked: Query, year: int) -> achievements.TargetQuery:
    return achievements.TargetQuery(
        fiscal_year=year,
        period=asked.period,
        level=asked.level,
        unit=asked.unit,
        programme=asked.programme.value if asked.programme else None,
        region=asked.region,
        province_code=asked.province_code,
        district_code=asked.district_code,
        principal=asked.principal,
    )


async def _money_rows(session: AsyncSession, asked: Query, year: int) -> list[Any]:
    report = await money.money_report(
        session,
        money.MoneyQuery(
            fiscal_year=year,
            level=asked.level,
            programme=asked.programme.value if asked.programme else None,
            region=asked.region,
            province_code=asked.province_code,
            principal=asked.principal,
        ),
    )
    return list(report.rows)


async def _fund_rows(session: AsyncSession, asked: Query) -> list[FundCellRow]:
    programme = asked.programme
    return await fund_rows(
        session,
        programmes=[programme.value] if programme else [p.value for p in Programme],
        level=asked.level,
        region=asked.region,
        province_code=asked.province_code,
        principal=asked.principal,
    )


def _cells(
    asked: Query,
    target_query: achievements.TargetQuery,
    report: achievements.TargetReport,
    rows: list[Any],
) -> list[dict[str, Any]]:
    """One cell per programme × area of ``rows``; a measure no row has stays 0 (a
    percentage None), and each links to the households behind its figures. Cells are
    plain dicts, validated with the whole answer at once (a cell at a time was most of
    the query's time at province level)."""
    names = [(m, m.value) for m in asked.measures]
    empty = {m: None if name.endswith("percent") else 0 for m, name in names}
    found: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        values = vars(row)  # every row's measures are its fields
        key = (values["programme"], values["area_code"])
        cell = found.get(key)
        if cell is None:
            links = achievements.achievement_links(
                target_query, row.programme, row.area_level, row.area_code
            )
            cell = found[key] = {
                "programme": row.programme,
                "fiscal_year": target_query.fiscal_year,
                "period": asked.period,
                "period_label_th": report.period.label_th,
                "period_label_en": report.period.label_en,
                "area_level": row.area_level,
                "area_code": row.area_code,
                "area_name_th": row.area_name_th,
                "area_name_en": row.area_name_en,
                "measures": dict(empty),
                "drill_down": {m: link for m, link in links.items() if m in empty},
            }
        measures = cell["measures"]
        for m, name in names:
            if name in values:
                measures[m] = values[name]
    return sorted(found.values(), key=lambda c: (c["programme"], c["area_code"] or "~"))

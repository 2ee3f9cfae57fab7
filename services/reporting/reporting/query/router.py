"""/v1/query: dimensions (programme, fiscal years and period, area level and code)
and measures (targets, achievements and money), for cuts the fixed reports do not make.

Each cell is what GET /v1/reports/targets (and /money, for money measures)
reports for that programme, period and area; asking for several fiscal years
gives a series across them. A measure an area has no figure for is 0 (a
percentage null). Revolving-fund measures are the money report's fund balances
asked for that programme: a fund serving the place as a whole is in every
programme's cell of its area, so they are not to be added across programmes.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from baan_shared.auth import Principal, current_principal
from baan_shared.errors import Unprocessable, field_error
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import REPORT_READS
from reporting.achievements import service as achievements
from reporting.geography import AreaLevel
from reporting.money import service as money
from reporting.periods import PeriodKind
from reporting.query.funds import FundCellRow, fund_rows
from reporting.query.schemas import FUND_MEASURES, MONEY_MEASURES, Cell, Measure, QueryResult
from reporting.reports.service import as_of
from reporting.targets.models import Unit

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/query",
    tags=["query"],
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)


@router.get("", response_model=QueryResult)
async def query(
    session: SessionDep,
    fiscal_year: Annotated[
        list[FiscalYearBE],
        Query(min_length=1, max_length=20, description="One or more fiscal years, B.E."),
    ],
    measures: Annotated[
        list[Measure], Query(min_length=1, description="Measures to return, repeatable")
    ],
    period: Annotated[PeriodKind, Query()] = PeriodKind.YEAR,
    level: Annotated[AreaLevel, Query(description="One cell per area at this level")] = (
        AreaLevel.COUNTRY
    ),
    unit: Annotated[Unit, Query()] = Unit.HOUSEHOLDS,
    programme: Annotated[Programme | None, Query()] = None,
    region: Annotated[str | None, Query(max_length=3)] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    principal: Principal = Depends(current_principal),
) -> QueryResult:
    """Cells for every programme × fiscal year × area, each with the measures asked for."""
    money_asked = [m for m in measures if m in MONEY_MEASURES]
    funds_asked = [m for m in measures if m in FUND_MEASURES]
    if (money_asked or funds_asked) and district_code is not None:
        raise Unprocessable(
            "money is reported by region, province or finer, not within one district",
            errors=[
                field_error(
                    "query.district_code",
                    "not with money or revolving-fund measures; use province_code and level",
                    "money_scope",
                )
            ],
        )
    # Funds are a stock, the same in every year: read once, after the first year's
    # report has checked the region, province and level asked for.
    funds: list[FundCellRow] | None = None
    fresh_as_of = await as_of(session, principal)
    cells: list[Cell] = []
    for year in sorted(set(fiscal_year)):
        found: dict[tuple[str, str | None], Cell] = {}
        target_query = achievements.TargetQuery(
            fiscal_year=year,
            period=period,
            level=level,
            unit=unit,
            programme=programme.value if programme else None,
            region=region,
            province_code=province_code,
            district_code=district_code,
            principal=principal,
        )
        report = await achievements.target_report(session, target_query)
        rows: list[Any] = list(report.rows)
        if money_asked:
            money_rows = (
                await money.money_report(
                    session,
                    money.MoneyQuery(
                        fiscal_year=year,
                        level=level,
                        programme=programme.value if programme else None,
                        region=region,
                        province_code=province_code,
                        principal=principal,
                    ),
                )
            ).rows
            rows += money_rows
        if funds_asked:
            if funds is None:
                funds = await fund_rows(
                    session,
                    programmes=[programme.value] if programme else [p.value for p in Programme],
                    level=level,
                    region=region,
                    province_code=province_code,
                    principal=principal,
                )
            rows += funds
        for row in rows:
            key = (row.programme, row.area_code)
            if key not in found:
                found[key] = Cell(
                    programme=row.programme,
                    fiscal_year=year,
                    period=period,
                    period_label_th=report.period.label_th,
                    period_label_en=report.period.label_en,
                    area_level=row.area_level,
                    area_code=row.area_code,
                    area_name_th=row.area_name_th,
                    area_name_en=row.area_name_en,
                    measures={m: None if m.value.endswith("percent") else 0 for m in measures},
                    drill_down={
                        m: link
                        for m, link in achievements.achievement_links(
                            target_query, row.programme, row.area_level, row.area_code
                        ).items()
                        if m in measures
                    },
                )
            for m in measures:
                if hasattr(row, m.value):
                    found[key].measures[m] = getattr(row, m.value)
        cells += sorted(found.values(), key=lambda c: (c.programme, c.area_code or "~"))
    return QueryResult(as_of=fresh_as_of, unit=unit, measures=measures, cells=cells)

"""/v1/query: dimensions (programme, fiscal years and period, area level and code)
and measures (targets, achievements and money), for cuts the fixed reports do not make.

Each cell is what GET /v1/reports/targets (and /money, for money measures)
reports for that programme, period and area; asking for several fiscal years
gives a series across them. A measure an area has no figure for is 0 (a
percentage null). Revolving-fund measures are the money report's fund balances
asked for that programme: a fund serving the place as a whole is in every
programme's cell of its area, so they are not to be added across programmes.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from baan_shared.auth import Principal, current_principal
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import ReadSessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import REPORT_READS
from reporting.geography import AreaLevel
from reporting.periods import PeriodKind
from reporting.query import service
from reporting.query.schemas import Measure, QueryResult
from reporting.reports.answers import KEPT_RESPONSES, ClientAccepts, KeptAnswers, json_answer
from reporting.targets.models import Unit

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/query",
    tags=["query"],
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)


# Read in autocommit and kept while the projections and the targets stand still, as
# the progress report (``reports.router``).
@router.get("", response_model=QueryResult, responses=KEPT_RESPONSES)
async def query(
    session: ReadSessionDep,
    answers: KeptAnswers,
    accepts: ClientAccepts,
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
) -> Response:
    """Cells for every programme × fiscal year × area, each with the measures asked for."""
    asked = service.Query(
        fiscal_years=fiscal_year,
        measures=measures,
        period=period,
        level=level,
        unit=unit,
        programme=programme,
        region=region,
        province_code=province_code,
        district_code=district_code,
        principal=principal,
    )
    return json_answer(await service.query_answer(session, asked, answers), accepts)

"""/v1/reports/money (and /export): budgets, grants and loans per programme × area."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from baan_shared.auth import Principal, current_principal
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import ReadSessionDep, SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import REPORT_READS
from reporting.exports import tables
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.geography import AreaLevel
from reporting.money import service
from reporting.money.schemas import MoneyReport
from reporting.reports.answers import KEPT_RESPONSES, ClientAccepts, KeptAnswers, json_answer

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports",
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)


def money_query(
    fiscal_year: Annotated[
        FiscalYearBE | None, Query(description="B.E.; budgets and grants of this year")
    ] = None,
    level: Annotated[AreaLevel, Query(description="One row per area at this level")] = (
        AreaLevel.REGION
    ),
    programme: Annotated[Programme | None, Query(description="Only this programme")] = None,
    region: Annotated[
        str | None, Query(max_length=3, description="Only this regional office (BVE, N, CW, NE, S)")
    ] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    principal: Principal = Depends(current_principal),
) -> service.MoneyQuery:
    return service.MoneyQuery(
        fiscal_year=fiscal_year,
        level=level,
        programme=programme.value if programme else None,
        region=region,
        province_code=province_code,
        principal=principal,
    )


MoneyQueryDep = Annotated[service.MoneyQuery, Depends(money_query)]


# Read in autocommit and kept while the projections stand still, as the progress
# report (``reports.router``): each statement its own snapshot, the version first.
@router.get("/money", response_model=MoneyReport, responses=KEPT_RESPONSES, tags=["reports"])
async def money_report(
    session: ReadSessionDep,
    query: MoneyQueryDep,
    answers: KeptAnswers,
    accepts: ClientAccepts,
) -> Response:
    """Budget allocated, grants reserved and disbursed, loans outstanding and the
    arrears ratio, per programme × area, with totals for the whole area asked for."""
    return json_answer(await service.money_answer(session, query, answers), accepts)


@router.get("/money/export", responses=FILE, response_class=Response, tags=["exports"])
async def export_money(
    session: SessionDep, query: MoneyQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    return file_response(
        tables.money_table(await service.money_report(session, query)), export_format
    )

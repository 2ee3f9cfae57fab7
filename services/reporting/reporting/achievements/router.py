"""/v1/reports/targets (and /export, /monthly/export): target against achieved by
programme, period and area."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from baan_shared.auth import Principal, current_principal
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import ReadSessionDep, SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import REPORT_READS
from reporting.achievements import service
from reporting.achievements.schemas import TargetReport
from reporting.exports import tables
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.geography import AreaLevel
from reporting.periods import PeriodKind
from reporting.reports.answers import KEPT_RESPONSES, ClientAccepts, KeptAnswers, json_answer
from reporting.targets.models import Unit

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports",
    responses=problem_responses(
        {404: "No such region or province", 422: "Invalid query; `errors` names each field"}
    ),
)


def target_query(
    fiscal_year: Annotated[FiscalYearBE, Query(description="B.E., e.g. 2562")],
    period: Annotated[PeriodKind, Query(description="year, h1 (Oct-Mar), h2 (Apr-Sep)")] = (
        PeriodKind.YEAR
    ),
    level: Annotated[AreaLevel, Query(description="One row per area at this level")] = (
        AreaLevel.REGION
    ),
    unit: Annotated[Unit, Query(description="households or subdistricts")] = Unit.HOUSEHOLDS,
    programme: Annotated[Programme | None, Query(description="Only this programme")] = None,
    region: Annotated[
        str | None, Query(max_length=3, description="Only this regional office (BVE, N, CW, NE, S)")
    ] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    principal: Principal = Depends(current_principal),
) -> service.TargetQuery:
    return service.TargetQuery(
        fiscal_year=fiscal_year,
        period=period,
        level=level,
        unit=unit,
        programme=programme.value if programme else None,
        region=region,
        province_code=province_code,
        district_code=district_code,
        principal=principal,
    )


TargetQueryDep = Annotated[service.TargetQuery, Depends(target_query)]


# Read in autocommit and kept while the projections and the targets stand still, as
# the progress report (``reports.router``): each statement its own snapshot, the
# version first.
@router.get("/targets", response_model=TargetReport, responses=KEPT_RESPONSES, tags=["reports"])
async def target_report(
    session: ReadSessionDep,
    query: TargetQueryDep,
    answers: KeptAnswers,
    accepts: ClientAccepts,
) -> Response:
    """Target against achieved (approved, started, completed in the period) per
    programme × area, drilling down region → province → district → sub-district,
    with totals for the whole area asked for and households per month.
    Achieved may exceed the target: the percentage is never capped."""
    return json_answer(await service.target_answer(session, query, answers), accepts)


@router.get("/targets/export", responses=FILE, response_class=Response, tags=["exports"])
async def export_targets(
    session: SessionDep, query: TargetQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await service.target_report(session, query)
    return file_response(tables.target_table(report), export_format)


@router.get("/targets/monthly/export", responses=FILE, response_class=Response, tags=["exports"])
async def export_target_months(
    session: SessionDep, query: TargetQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await service.target_report(session, query)
    return file_response(tables.target_months_table(report), export_format)

"""/v1/reports/progress, /funnel and /freshness (each with /export): progress by
programme × province, the household funnel, how fresh the reports are."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from baan_shared.auth import Principal, current_principal
from baan_shared.errors import invalid
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import ReadSessionDep, SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import REPORT_READS
from reporting.drilldown.service import half_of
from reporting.exports import tables
from reporting.exports.formats import ExportFormat
from reporting.exports.responses import FILE, FormatQuery, file_response
from reporting.periods import PeriodKind, end_of_day
from reporting.reports import service
from reporting.reports.answers import KEPT_RESPONSES, ClientAccepts, KeptAnswers, json_answer
from reporting.reports.schemas import FreshnessReport, FunnelReport, ProgressReport

PROBLEMS = problem_responses({422: "Invalid query; `errors` names each field"})

router = APIRouter(dependencies=REPORT_READS, prefix="/v1/reports", responses=PROBLEMS)
# The exports answer 404 as well, as every export does (an unknown region or province).
EXPORT = FILE | problem_responses({404: "No such region or province"})

ProgrammeQuery = Annotated[Programme | None, Query(description="Only this programme")]
ProvinceQuery = Annotated[
    str | None, Query(pattern=r"^\d{2}$", description="Official 2-digit province code")
]
FiscalYearQuery = Annotated[
    FiscalYearBE | None,
    Query(description="Fiscal year of approval, Buddhist Era (e.g. 2562)"),
]


PeriodQuery = Annotated[
    PeriodKind | None,
    Query(
        description="With fiscal_year: h1 (Oct-Mar) or h2 (Apr-Sep) counts only households "
        "approved, as the committee dated it, in that half; year (the default) the whole year"
    ),
]
AsOfDateQuery = Annotated[
    date | None,
    Query(
        description="Where households stood at the end of this day (Thai time): only those "
        "heard of by then, each at the stage it was at then. Money is as it is now"
    ),
]


# The dependencies below are ``async def`` although they never wait: FastAPI runs a
# plain ``def`` dependency in a worker thread, a hand-off that cost more than a kept
# answer's whole lookup.


@dataclass(frozen=True)
class HouseholdReportQuery:
    """The filters of progress and the funnel: as the SQL takes them, and as the
    drill-down links carry them."""

    where: service.AreaFilter
    filters: dict[str, object]


def _report_query(
    programme: Programme | None,
    province_code: str | None,
    fiscal_year: int | None,
    period: PeriodKind | None,
    as_of_date: date | None,
    principal: Principal,
) -> HouseholdReportQuery:
    half = None
    if period is not None and period != PeriodKind.YEAR:
        if fiscal_year is None:
            raise invalid(
                "query.period",
                "a half of which fiscal year? give fiscal_year too",
                "period_needs_fiscal_year",
                detail=f"period={period.value} needs fiscal_year",
                value=period.value,
            )
        half = half_of(fiscal_year, period)
    where = service.AreaFilter(
        programme=programme.value if programme else None,
        province_code=province_code,
        fiscal_year=fiscal_year,
        principal=principal,
        approved_from=half[0] if half else None,
        approved_before=half[1] if half else None,
        stage_at=end_of_day(as_of_date) if as_of_date else None,
    )
    filters: dict[str, object] = {
        "programme": where.programme,
        "province_code": province_code,
        "fiscal_year": fiscal_year,
        "period": period.value if period else None,
        "as_of_date": as_of_date.isoformat() if as_of_date else None,
    }
    return HouseholdReportQuery(where, filters)


async def progress_query(
    programme: ProgrammeQuery = None,
    province_code: ProvinceQuery = None,
    fiscal_year: FiscalYearQuery = None,
    period: PeriodQuery = None,
    principal: Principal = Depends(current_principal),
) -> HouseholdReportQuery:
    return _report_query(programme, province_code, fiscal_year, period, None, principal)


async def funnel_query(
    programme: ProgrammeQuery = None,
    province_code: ProvinceQuery = None,
    fiscal_year: FiscalYearQuery = None,
    period: PeriodQuery = None,
    as_of_date: AsOfDateQuery = None,
    principal: Principal = Depends(current_principal),
) -> HouseholdReportQuery:
    return _report_query(programme, province_code, fiscal_year, period, as_of_date, principal)


ProgressQueryDep = Annotated[HouseholdReportQuery, Depends(progress_query)]
FunnelQueryDep = Annotated[HouseholdReportQuery, Depends(funnel_query)]


# Its statements in autocommit (no BEGIN and COMMIT round trips around a kept answer's
# one SELECT): each reads its own snapshot, as in a READ COMMITTED transaction, in the
# order version, as_of, counts, so neither an answer nor the version it is kept for
# claims more than its figures hold.
@router.get("/progress", response_model=ProgressReport, responses=KEPT_RESPONSES, tags=["reports"])
async def progress_report(
    session: ReadSessionDep,
    query: ProgressQueryDep,
    answers: KeptAnswers,
    accepts: ClientAccepts,
) -> Response:
    """Households by stage and money granted and paid, per programme × province.

    With ``fiscal_year``, only households approved in that year count (with ``period``,
    in that half). Each figure links to its households in ``drill_down``.
    """
    answer = await service.progress_answer(session, query.where, query.filters, answers)
    return json_answer(answer, accepts)


@router.get("/funnel", response_model=FunnelReport, tags=["reports"])
async def funnel_report(session: SessionDep, query: FunnelQueryDep) -> FunnelReport:
    """How many households are at each stage, and how many got at least that far: now,
    or at the end of ``as_of_date``. ``fiscal_year`` and ``period`` select households
    as the progress report does. Each figure links to its households in ``drill_down``."""
    return await service.funnel(session, query.where, query.filters)


@router.get("/freshness", response_model=FreshnessReport, tags=["reports"])
async def freshness_report(
    session: SessionDep, principal: Principal = Depends(current_principal)
) -> FreshnessReport:
    """How far the reports have read each event stream. A client bound to areas gets
    the time of the last event applied to its own areas, and no streams."""
    return await service.freshness(session, principal)


@router.get("/progress/export", responses=EXPORT, response_class=Response, tags=["exports"])
async def export_progress(
    session: SessionDep, query: ProgressQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await service.progress(session, query.where, query.filters)
    return file_response(tables.progress_table(report), export_format)


@router.get("/funnel/export", responses=EXPORT, response_class=Response, tags=["exports"])
async def export_funnel(
    session: SessionDep, query: FunnelQueryDep, export_format: FormatQuery = ExportFormat.CSV
) -> Response:
    report = await service.funnel(session, query.where, query.filters)
    return file_response(tables.funnel_table(report), export_format)


@router.get("/freshness/export", responses=EXPORT, response_class=Response, tags=["exports"])
async def export_freshness(
    session: SessionDep,
    principal: Principal = Depends(current_principal),
    export_format: FormatQuery = ExportFormat.CSV,
) -> Response:
    report = await service.freshness(session, principal)
    return file_response(tables.freshness_table(report), export_format)

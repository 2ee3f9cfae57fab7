"""/v1/reports: progress by programme × province, the household funnel, freshness."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from baan_shared.auth import Principal, current_principal
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import READS
from reporting.projections.repository import AreaFilter
from reporting.reports import service
from reporting.reports.schemas import FreshnessReport, FunnelReport, ProgressReport

PROBLEMS = problem_responses({422: "Invalid query; `errors` names each field"})

router = APIRouter(dependencies=READS, prefix="/v1/reports", tags=["reports"], responses=PROBLEMS)

ProgrammeQuery = Annotated[Programme | None, Query(description="Only this programme")]
ProvinceQuery = Annotated[
    str | None, Query(pattern=r"^\d{2}$", description="Official 2-digit province code")
]
FiscalYearQuery = Annotated[
    FiscalYearBE | None,
    Query(description="Fiscal year of approval, Buddhist Era (e.g. 2562)"),
]


def area_filter(
    programme: ProgrammeQuery = None,
    province_code: ProvinceQuery = None,
    fiscal_year: FiscalYearQuery = None,
    principal: Principal = Depends(current_principal),
) -> AreaFilter:
    return AreaFilter(
        programme=programme.value if programme else None,
        province_code=province_code,
        fiscal_year=fiscal_year,
        principal=principal,
    )


AreaFilterDep = Annotated[AreaFilter, Depends(area_filter)]


@router.get("/progress", response_model=ProgressReport)
async def progress_report(session: SessionDep, where: AreaFilterDep) -> ProgressReport:
    """Households by stage and money granted and paid, per programme × province.

    With ``fiscal_year``, only households approved in that year count.
    """
    return await service.progress(session, where)


@router.get("/funnel", response_model=FunnelReport)
async def funnel_report(session: SessionDep, where: AreaFilterDep) -> FunnelReport:
    """How many households are at each stage, and how many got at least that far."""
    return await service.funnel(session, where)


@router.get("/freshness", response_model=FreshnessReport)
async def freshness_report(
    session: SessionDep, principal: Principal = Depends(current_principal)
) -> FreshnessReport:
    """How far the reports have read each event stream. A client bound to areas gets
    the time of the last event applied to its own areas, and no streams."""
    return await service.freshness(session, principal)

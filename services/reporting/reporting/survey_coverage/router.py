"""/v1/reports/survey-coverage: tambons surveyed as a whole, per area."""

from typing import Annotated

from fastapi import APIRouter, Query

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from reporting.access import REPORT_READS, Reader
from reporting.geography import AreaLevel
from reporting.survey_coverage import service
from reporting.survey_coverage.schemas import CoverageReport

router = APIRouter(
    dependencies=REPORT_READS,
    prefix="/v1/reports",
    tags=["reports"],
    responses=problem_responses({422: "Invalid query; `errors` names each field"}),
)


@router.get("/survey-coverage", response_model=CoverageReport)
async def survey_coverage(
    session: SessionDep,
    principal: Reader,
    level: Annotated[AreaLevel, Query(description="One row per area at this level")] = (
        AreaLevel.PROVINCE
    ),
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
) -> CoverageReport:
    """Per area: its tambons, how many reported a finished survey round, how many are
    surveyed as a whole, and households surveyed. Only the caller's areas count."""
    return await service.coverage_report(session, level, principal, province_code)

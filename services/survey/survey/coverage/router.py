"""/v1/tambons/{subdistrict_code}/coverage: how much of a tambon has been surveyed."""

from typing import Annotated

from fastapi import APIRouter, Path

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import NotFound, problem_responses
from survey.access import Reader
from survey.areas import service as areas
from survey.coverage import service
from survey.coverage.schemas import TambonCoveragePublic

router = APIRouter(
    prefix="/v1/tambons",
    tags=["survey coverage"],
    responses=problem_responses({404: "No sub-district has this code"}),
)


@router.get("/{subdistrict_code}/coverage", response_model=TambonCoveragePublic)
async def tambon_coverage(
    subdistrict_code: Annotated[str, Path(pattern=r"^\d{6}$")],
    session: SessionDep,
    principal: Reader,
) -> TambonCoveragePublic:
    """Communities and households surveyed in the tambon, and whether the whole tambon is.
    A tambon outside the caller's areas is answered as a code no tambon has."""
    unknown = areas.subdistrict_error(subdistrict_code, None)
    covered = principal.covers(subdistrict_code[:2], subdistrict_code[:4], subdistrict_code)
    if unknown is not None or not covered:
        raise NotFound(f"no sub-district has code {subdistrict_code}")
    return await service.coverage(session, subdistrict_code)

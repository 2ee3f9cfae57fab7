"""/v1/targets: set and read the agency's targets."""

from typing import Annotated

from fastapi import APIRouter, Query

from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.reference import Programme
from reporting.access import Reader, Writer
from reporting.geography import AreaLevel
from reporting.periods import PeriodKind
from reporting.targets import service
from reporting.targets.models import Unit
from reporting.targets.schemas import TargetsPublic, TargetsSet

router = APIRouter(prefix="/v1/targets", tags=["targets"])


@router.put(
    "",
    response_model=TargetsPublic,
    responses=problem_responses(
        {
            403: "The client is bound to areas: only a national client sets targets",
            422: "A target is not valid; `errors` names each field",
        }
    ),
)
async def set_targets(session: SessionDep, principal: Writer, body: TargetsSet) -> TargetsPublic:
    """Set targets; each replaces the target with the same programme, fiscal year,
    period, area and unit. Repeating the same request gives the same answer.
    Only a national client (every area, or ``admin``) sets targets."""
    return await service.set_targets(session, body, principal)


@router.get(
    "",
    response_model=TargetsPublic,
    responses=problem_responses({422: "Invalid query; `errors` names each field"}),
)
async def list_targets(
    session: SessionDep,
    principal: Reader,
    programme: Annotated[Programme | None, Query()] = None,
    fiscal_year: Annotated[FiscalYearBE | None, Query(description="B.E.")] = None,
    period: Annotated[PeriodKind | None, Query()] = None,
    area_level: Annotated[AreaLevel | None, Query()] = None,
    area_code: Annotated[str | None, Query(max_length=6)] = None,
    unit: Annotated[Unit | None, Query()] = None,
) -> TargetsPublic:
    """Targets matching every filter given, ordered by programme, year, period, area, unit.
    A client bound to areas sees only its provinces' targets (not a region's or the
    country's: those are figures for more than its areas)."""
    return await service.list_targets(
        session,
        service.TargetFilter(
            programme=programme.value if programme else None,
            fiscal_year=fiscal_year,
            period=period.value if period else None,
            area_level=area_level.value if area_level else None,
            area_code=area_code,
            unit=unit.value if unit else None,
            principal=principal,
        ),
    )

"""/v1/rebuilds: the rebuilds of reporting's projections, newest first (national admin)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Security

from baan_shared.auth import require_scopes
from baan_shared.auth.scopes import ADMIN
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from reporting.rebuilds import service
from reporting.rebuilds.schemas import RebuildRunPublic, RebuildRunsPublic

router = APIRouter(
    prefix="/v1/rebuilds", tags=["rebuilds"], dependencies=[Security(require_scopes(ADMIN))]
)


@router.get(
    "",
    response_model=RebuildRunsPublic,
    responses=problem_responses({422: "Invalid query; `errors` names each field"}),
)
async def list_rebuilds(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> RebuildRunsPublic:
    """The latest rebuilds (``python -m reporting.rebuild``), newest first: events done
    of the total, the rate, the time left and the peak memory, as the rebuild last
    reported them (every few seconds while it runs)."""
    return await service.latest(session, limit)


@router.get(
    "/{run_id}",
    response_model=RebuildRunPublic,
    responses=problem_responses({404: "No such rebuild"}),
)
async def get_rebuild(session: SessionDep, run_id: uuid.UUID) -> RebuildRunPublic:
    """One rebuild's progress."""
    return await service.get(session, run_id)

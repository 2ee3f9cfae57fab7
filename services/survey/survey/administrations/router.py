"""/v1/local-administrations: the official list of อปท. that co-plan tambons."""

from typing import Annotated

from fastapi import APIRouter, Query

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from survey.access import NationalWriter, Reader
from survey.administrations import service
from survey.administrations.schemas import (
    LocalAdministrationPublic,
    LocalAdministrationsPublic,
    LocalAdministrationsSet,
)

router = APIRouter(
    prefix="/v1/local-administrations",
    tags=["local administrations"],
    responses=problem_responses({404: "No such administration", 422: "Invalid input"}),
)


@router.put("", response_model=LocalAdministrationsPublic)
async def load_local_administrations(
    body: LocalAdministrationsSet, session: SessionDep, principal: NationalWriter
) -> LocalAdministrationsPublic:
    """Load administrations by official code; each replaces the one with the same code.
    All or nothing; only a national client."""
    saved = await service.load(session, body)
    return LocalAdministrationsPublic(
        items=[LocalAdministrationPublic.model_validate(row, from_attributes=True) for row in saved]
    )


@router.get("", response_model=LocalAdministrationsPublic)
async def list_local_administrations(
    session: SessionDep,
    principal: Reader,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    cursor: Annotated[
        str | None, Query(pattern=r"^\d{7}$", description="The last code seen")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LocalAdministrationsPublic:
    items, next_cursor = await service.page(
        session, after=cursor, limit=limit, province_code=province_code
    )
    return LocalAdministrationsPublic(
        items=[LocalAdministrationPublic.model_validate(r, from_attributes=True) for r in items],
        next_cursor=next_cursor,
    )


@router.get("/{code}", response_model=LocalAdministrationPublic)
async def get_local_administration(
    code: str, session: SessionDep, principal: Reader
) -> LocalAdministrationPublic:
    row = await service.get(session, code)
    return LocalAdministrationPublic.model_validate(row, from_attributes=True)

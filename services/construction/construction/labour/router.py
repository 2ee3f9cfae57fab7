"""/v1/house-works/{id}/labour: record and read the community's labour on a house."""

import uuid

from fastapi import APIRouter, status

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from construction import access
from construction.access import Reader, Writer
from construction.labour import service
from construction.labour.schemas import LabourCreate, LabourEntryPublic, LabourPublic

router = APIRouter(
    prefix="/v1/house-works/{house_work_id}/labour",
    tags=["labour"],
    responses=problem_responses(
        {
            404: "No such house work",
            409: "The house work is finished",
            422: "Invalid input; `errors` names each field",
        }
    ),
)


@router.post("", response_model=LabourEntryPublic, status_code=status.HTTP_201_CREATED)
@idempotent
async def record_labour(
    principal: Writer, house_work_id: uuid.UUID, body: LabourCreate, session: SessionDep
) -> LabourEntryPublic:
    """Person-days given by the household or the community (ร่วมแรง)."""
    await access.house_work_of(session, principal, house_work_id)
    return LabourEntryPublic.model_validate(await service.record(session, house_work_id, body))


@router.get("", response_model=LabourPublic)
async def labour_summary(
    principal: Reader, house_work_id: uuid.UUID, session: SessionDep
) -> LabourPublic:
    """Every entry, and the household's, the community's and the total person-days."""
    await access.house_work_of(session, principal, house_work_id)
    return await service.summary(session, house_work_id)

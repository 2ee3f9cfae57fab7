"""/v1/households/{id}/photos: upload, list and fetch photos of the house and the land."""

import uuid
from datetime import datetime
from typing import Annotated, cast

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status
from pydantic import BaseModel

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.storage import IMAGES, ObjectStorage, UploadLimits
from survey.access import Reader, Writer
from survey.households import service as households
from survey.photos import service
from survey.photos.models import PhotoSubject
from survey.settings import SurveySettings

router = APIRouter(prefix="/v1/households", tags=["photos"])
ACCEPTED = sorted(t.content_type for t in IMAGES)


class PhotoPublic(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    subject: PhotoSubject
    content_type: str
    size_bytes: int
    caption: str | None
    uploaded_by: str
    uploaded_at: datetime


def get_storage(request: Request) -> ObjectStorage:
    return cast(ObjectStorage, request.app.state.photo_storage)


def get_limits(request: Request) -> UploadLimits:
    settings = cast(SurveySettings, request.app.state.runtime.settings)
    return service.photo_limits(settings.photo_max_bytes)


StorageDep = Annotated[ObjectStorage, Depends(get_storage)]
LimitsDep = Annotated[UploadLimits, Depends(get_limits)]


@router.post(
    "/{household_id}/photos",
    response_model=PhotoPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            404: "No such household",
            409: "The household already has the most photos allowed",
            413: "The photo is larger than allowed",
            415: "Not an accepted image type: " + ", ".join(ACCEPTED),
            422: "Invalid input; `errors` names each field",
        }
    ),
)
@idempotent
async def upload_photo(
    household_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP photo")],
    subject: Annotated[PhotoSubject, Form(description="house or land")],
    uploaded_by: Annotated[str, Form(min_length=1, max_length=200)],
    session: SessionDep,
    principal: Writer,
    storage: StorageDep,
    limits: LimitsDep,
    request: Request,
    caption: Annotated[str | None, Form(max_length=1000)] = None,
) -> PhotoPublic:
    """Attach a photo of the house or the land (multipart/form-data)."""
    await households.get_covered(session, principal, household_id)
    limits.check_announced_size(request.headers)
    data = await file.read(limits.max_bytes + 1)
    photo = await service.attach(
        session,
        storage,
        household_id=household_id,
        subject=subject,
        data=data,
        declared_type=file.content_type,
        caption=caption.strip() if caption else None,
        uploaded_by=uploaded_by.strip(),
        limits=limits,
    )
    return PhotoPublic.model_validate(photo, from_attributes=True)


@router.get(
    "/{household_id}/photos",
    response_model=list[PhotoPublic],
    responses=problem_responses({404: "No such household"}),
)
async def list_photos(
    household_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    subject: PhotoSubject | None = None,
) -> list[PhotoPublic]:
    await households.get_covered(session, principal, household_id)
    return [
        PhotoPublic.model_validate(p, from_attributes=True)
        for p in await service.of_household(session, household_id)
        if subject is None or p.subject == subject
    ]


@router.get(
    "/{household_id}/photos/{photo_id}/content",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in ACCEPTED}, "description": "The photo"},
        **problem_responses({404: "No such household or photo"}),
    },
)
async def photo_content(
    household_id: uuid.UUID,
    photo_id: uuid.UUID,
    session: SessionDep,
    storage: StorageDep,
    principal: Reader,
) -> Response:
    await households.get_covered(session, principal, household_id)
    photo, data = await service.content(session, storage, household_id, photo_id)
    return Response(data, media_type=photo.content_type)

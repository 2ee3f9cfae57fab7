"""Photo evidence: upload to a progress update, list an update's photos, fetch one."""

import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.responses import Response

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.storage import IMAGES, ObjectStorage, UploadLimits
from construction import access
from construction.access import Reader, Writer
from construction.house_works import service as house_works
from construction.photos import service
from construction.photos.rules import photo_limits
from construction.photos.schemas import PhotoPublic
from construction.settings import ConstructionSettings

router = APIRouter(prefix="/v1", tags=["photos"])

ACCEPTED = sorted(t.content_type for t in IMAGES)


def get_storage(request: Request) -> ObjectStorage:
    return cast(ObjectStorage, request.app.state.photo_storage)


def get_limits(request: Request) -> UploadLimits:
    settings = cast(ConstructionSettings, request.app.state.runtime.settings)
    return photo_limits(settings.photo_max_bytes)


StorageDep = Annotated[ObjectStorage, Depends(get_storage)]
LimitsDep = Annotated[UploadLimits, Depends(get_limits)]


@router.post(
    "/house-works/{house_work_id}/updates/{update_id}/photos",
    response_model=PhotoPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            404: "No such house work or progress update",
            409: "The update already carries the most photos allowed",
            413: "The photo is larger than allowed",
            415: "Not an accepted image type: " + ", ".join(ACCEPTED),
            422: "Invalid input; `errors` names each field",
        }
    ),
)
@idempotent
async def upload_photo(
    principal: Writer,
    house_work_id: uuid.UUID,
    update_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP photo")],
    uploaded_by: Annotated[str, Form(min_length=1, max_length=200)],
    session: SessionDep,
    storage: StorageDep,
    limits: LimitsDep,
    request: Request,
) -> PhotoPublic:
    """Attach photo evidence to a progress update (multipart/form-data)."""
    await access.house_work_of(session, principal, house_work_id)
    # Refuse an announced oversize body before reading the file (the server already
    # rejects a malformed Content-Length; the file's own size is checked in attach).
    limits.check_announced_size(request.headers)
    data = await file.read(limits.max_bytes + 1)
    photo = await service.attach(
        session,
        storage,
        house_work_id=house_work_id,
        update_id=update_id,
        data=data,
        declared_type=file.content_type,
        uploaded_by=uploaded_by.strip(),
        limits=limits,
    )
    return PhotoPublic.model_validate(photo)


@router.get(
    "/house-works/{house_work_id}/updates/{update_id}/photos",
    response_model=list[PhotoPublic],
    responses=problem_responses({404: "No such house work or progress update"}),
)
async def list_photos(
    principal: Reader, house_work_id: uuid.UUID, update_id: uuid.UUID, session: SessionDep
) -> list[PhotoPublic]:
    await access.house_work_of(session, principal, house_work_id)
    await house_works.get(session, house_work_id)
    photos = await service.photos_of_update(session, house_work_id, update_id)
    return [PhotoPublic.model_validate(p) for p in photos]


@router.get(
    "/photos/{photo_id}/content",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in ACCEPTED}, "description": "The photo"},
        **problem_responses({404: "No such photo"}),
    },
)
async def photo_content(
    principal: Reader, photo_id: uuid.UUID, session: SessionDep, storage: StorageDep
) -> Response:
    await access.photo_of(session, principal, photo_id)
    photo, data = await service.content(session, storage, photo_id)
    return Response(data, media_type=photo.content_type)

"""Photo rules: evidence for one progress update, checked before a byte is stored.

Size and type are checked first, then the update's existence and photo count;
only then are the bytes stored and the row added. If the row cannot be
written the stored file is removed, so a refused upload leaves nothing.
"""

import hashlib
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import does_not_exist
from baan_shared.errors import Conflict, NotFound
from baan_shared.storage import ObjectNotFound, ObjectStorage, UploadLimits
from construction.house_works import service as house_works
from construction.photos import repository
from construction.photos.models import Photo
from construction.photos.rules import MAX_PER_UPDATE


def update_what(house_work_id: uuid.UUID, update_id: uuid.UUID) -> str:
    """A progress update, named as its 404 names it (``does_not_exist``)."""
    return f"progress update {update_id} of house work {house_work_id}"


async def attach(
    session: AsyncSession,
    storage: ObjectStorage,
    *,
    house_work_id: uuid.UUID,
    update_id: uuid.UUID,
    data: bytes,
    declared_type: str | None,
    uploaded_by: str,
    limits: UploadLimits,
) -> Photo:
    file_type = limits.check(data, declared_type)
    await house_works.get(session, house_work_id)
    update = await repository.progress_update(session, house_work_id, update_id)
    if update is None:
        raise does_not_exist(update_what(house_work_id, update_id))
    if await repository.count_for_update(session, update_id) >= MAX_PER_UPDATE:
        raise Conflict(
            f"a progress update carries at most {MAX_PER_UPDATE} photos",
            max_photos=MAX_PER_UPDATE,
        )
    photo = Photo(
        house_work_id=house_work_id,
        progress_update_id=update_id,
        storage_key="",
        content_type=file_type.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=uploaded_by,
    )
    photo.storage_key = f"{house_work_id}/{photo.id}{file_type.extension}"
    await storage.put(photo.storage_key, data, file_type.content_type)
    try:
        session.add(photo)
        await session.flush()
    except BaseException:
        await storage.delete(photo.storage_key)
        raise
    return photo


async def get(session: AsyncSession, photo_id: uuid.UUID) -> Photo:
    photo = await repository.get(session, photo_id)
    if photo is None:
        raise does_not_exist(f"photo {photo_id}")
    return photo


async def content(
    session: AsyncSession, storage: ObjectStorage, photo_id: uuid.UUID
) -> tuple[Photo, bytes]:
    photo = await get(session, photo_id)
    try:
        return photo, await storage.get(photo.storage_key)
    except ObjectNotFound:
        # The row outlived its file (a store restored from an older backup): say so
        # as a missing photo rather than a server error.
        raise NotFound(f"the file of photo {photo_id} is missing from storage") from None


async def photos_of_update(
    session: AsyncSession, house_work_id: uuid.UUID, update_id: uuid.UUID
) -> list[Photo]:
    """The photos of one progress update of the house work; 404 if it has no such update."""
    if await repository.progress_update(session, house_work_id, update_id) is None:
        raise does_not_exist(update_what(house_work_id, update_id))
    return await repository.for_update(session, update_id)

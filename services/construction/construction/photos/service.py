"""Photo rules: evidence for one progress update, checked before a byte is stored.

Size and type are checked first, then the update's existence and photo count;
only then are the bytes stored and the row added. If the row cannot be
written the stored file is removed, so a refused upload leaves nothing.
"""

import hashlib
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.http.errors import Conflict, NotFound
from construction.house_works import service as house_works
from construction.photos import repository
from construction.photos.models import Photo
from construction.photos.rules import ACCEPTED, MAX_PER_UPDATE, check_size, check_type
from construction.photos.storage import PhotoStorage


async def attach(
    session: AsyncSession,
    storage: PhotoStorage,
    *,
    house_work_id: uuid.UUID,
    update_id: uuid.UUID,
    data: bytes,
    declared_type: str | None,
    uploaded_by: str,
    max_bytes: int,
) -> Photo:
    check_size(len(data), max_bytes)
    content_type = check_type(declared_type, data[:16])
    await house_works.get(session, house_work_id)
    update = await repository.progress_update(session, house_work_id, update_id)
    if update is None:
        raise NotFound(f"house work {house_work_id} has no progress update {update_id}")
    if await repository.count_for_update(session, update_id) >= MAX_PER_UPDATE:
        raise Conflict(
            f"a progress update carries at most {MAX_PER_UPDATE} photos",
            max_photos=MAX_PER_UPDATE,
        )
    photo = Photo(
        house_work_id=house_work_id,
        progress_update_id=update_id,
        storage_key="",
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=uploaded_by,
    )
    photo.storage_key = f"{house_work_id}/{photo.id}{ACCEPTED[content_type][0]}"
    await storage.save(photo.storage_key, data)
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
        raise NotFound(f"photo {photo_id} does not exist")
    return photo

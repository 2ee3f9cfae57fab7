"""Attaching photos to a household and reading them back.

The bytes go to object storage first and the record second, in the request's
unit of work: if the record does not commit, an unreferenced object is left,
never a record without its photo.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import does_not_exist
from baan_shared.errors import Conflict, NotFound
from baan_shared.ids import new_id
from baan_shared.storage import IMAGES, ObjectNotFound, ObjectStorage, UploadLimits
from survey.households import service as households
from survey.photos import repository
from survey.photos.models import HouseholdPhoto, PhotoSubject

# Enough to show a house from each side and its plot; more is a mistake or abuse.
MAX_PHOTOS_PER_HOUSEHOLD = 30


def photo_limits(max_bytes: int) -> UploadLimits:
    return UploadLimits(max_bytes=max_bytes, accepted=IMAGES, field="body.file")


async def attach(
    session: AsyncSession,
    storage: ObjectStorage,
    *,
    household_id: uuid.UUID,
    subject: PhotoSubject,
    data: bytes,
    declared_type: str | None,
    caption: str | None,
    uploaded_by: str,
    limits: UploadLimits,
) -> HouseholdPhoto:
    household = await households.get(session, household_id)
    file_type = limits.check(data, declared_type)
    if await repository.count(session, household.id) >= MAX_PHOTOS_PER_HOUSEHOLD:
        raise Conflict(
            f"a household keeps at most {MAX_PHOTOS_PER_HOUSEHOLD} photos",
            max_photos=MAX_PHOTOS_PER_HOUSEHOLD,
        )
    photo_id = new_id()
    key = f"households/{household.id}/{photo_id}{file_type.extension}"
    await storage.put(key, data, file_type.content_type)
    photo = HouseholdPhoto(
        id=photo_id,
        household_id=household.id,
        subject=subject,
        storage_key=key,
        content_type=file_type.content_type,
        size_bytes=len(data),
        caption=caption,
        uploaded_by=uploaded_by,
    )
    session.add(photo)
    await session.flush()
    return photo


async def content(
    session: AsyncSession, storage: ObjectStorage, household_id: uuid.UUID, photo_id: uuid.UUID
) -> tuple[HouseholdPhoto, bytes]:
    await households.get(session, household_id)
    photo = await repository.get(session, household_id, photo_id)
    if photo is None:
        # The same answer whether the photo belongs to another household or to none.
        raise does_not_exist(f"photo {photo_id} of household {household_id}")
    try:
        return photo, await storage.get(photo.storage_key)
    except ObjectNotFound:
        raise NotFound(f"photo {photo_id} is recorded but its file is missing") from None


# --- reads the router serves (the repository behind the service) ----------------------


async def of_household(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdPhoto]:
    return await repository.of_household(session, household_id)

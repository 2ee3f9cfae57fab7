"""All SQL about photos."""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from construction.house_works.models import ProgressUpdate
from construction.photos.models import Photo


async def progress_update(
    session: AsyncSession, house_work_id: uuid.UUID, update_id: uuid.UUID
) -> ProgressUpdate | None:
    query = select(ProgressUpdate).where(
        ProgressUpdate.id == update_id, ProgressUpdate.house_work_id == house_work_id
    )
    return (await session.exec(query)).first()


async def count_for_update(session: AsyncSession, update_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Photo).where(Photo.progress_update_id == update_id)
    return int((await session.exec(query)).one())


async def for_update(session: AsyncSession, update_id: uuid.UUID) -> list[Photo]:
    query = (
        select(Photo)
        .where(Photo.progress_update_id == update_id)
        .order_by(col(Photo.uploaded_at), col(Photo.id))
    )
    return list((await session.exec(query)).all())


async def get(session: AsyncSession, photo_id: uuid.UUID) -> Photo | None:
    return await session.get(Photo, photo_id)

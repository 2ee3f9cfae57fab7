"""The photo table: evidence attached to one progress update; the bytes live in storage."""

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime
from baan_shared.ids import new_id


class Photo(SQLModel, table=True):
    __tablename__ = "photos"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    house_work_id: uuid.UUID = Field(foreign_key="house_works.id", index=True)
    progress_update_id: uuid.UUID = Field(foreign_key="progress_updates.id", index=True)
    storage_key: str = Field(max_length=300, unique=True)
    content_type: str = Field(max_length=50)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

"""A photo's record: the bytes live in object storage under ``storage_key``."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class PhotoSubject(StrEnum):
    HOUSE = "house"  # บ้าน: the state of the house as surveyed
    LAND = "land"  # ที่ดิน: the plot and its boundaries


class HouseholdPhoto(SQLModel, table=True):
    __tablename__ = "household_photos"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="households.id", index=True)
    subject: PhotoSubject = Field(sa_type=enum_type(PhotoSubject))
    storage_key: str = Field(max_length=300)
    content_type: str = Field(max_length=50)
    size_bytes: int
    caption: str | None = Field(default=None, sa_column=Column(Text))
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

"""A community or village, placed in one sub-district."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class CommunityKind(StrEnum):
    COMMUNITY = "community"  # ชุมชน (urban)
    VILLAGE = "village"  # หมู่บ้าน (rural, numbered หมู่ที่)


class Community(SQLModel, table=True):
    __tablename__ = "communities"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    kind: CommunityKind = Field(sa_type=enum_type(CommunityKind))
    village_no: int | None = None
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

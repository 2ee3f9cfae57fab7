"""The project table: a group of house works in one area, built together."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from baan_shared.reference import Programme


def _aware() -> Any:
    return Column(UTCDateTime(), nullable=False)


class Project(SQLModel, table=True):
    """A community's or a tambon's building project (โครงการก่อสร้าง)."""

    __tablename__ = "projects"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    programme: Programme = Field(sa_type=enum_type(Programme), index=True)
    community_name: str | None = Field(default=None, max_length=200)
    province_code: str = Field(max_length=2, index=True)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6, index=True)
    planned_start_on: date
    planned_end_on: date
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

"""The labour table: person-days given to one house on one day, by whom."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class LabourKind(StrEnum):
    HOUSEHOLD = "household"  # the household's own members
    COMMUNITY = "community"  # neighbours and the community build team (ร่วมแรง)


class LabourEntry(SQLModel, table=True):
    __tablename__ = "labour_entries"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    house_work_id: uuid.UUID = Field(foreign_key="house_works.id", index=True)
    kind: LabourKind = Field(sa_type=enum_type(LabourKind))
    person_days: int
    worked_on: date
    reported_by: str = Field(max_length=200)
    reported_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

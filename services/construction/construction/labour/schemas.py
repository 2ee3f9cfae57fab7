"""What the labour API accepts and returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from construction.house_works.schemas import PastDate
from construction.labour.models import LabourKind


class LabourCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: LabourKind
    person_days: int = Field(ge=1, le=1000, description="People × days worked")
    worked_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")
    reported_by: str = Field(min_length=1, max_length=200)


class LabourEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: LabourKind
    person_days: int
    worked_on: date
    reported_by: str
    reported_at: datetime


class LabourPublic(BaseModel):
    house_work_id: uuid.UUID
    household_days: int
    community_days: int
    total_days: int
    entries: list[LabourEntryPublic]

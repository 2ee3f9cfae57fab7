"""What the milestones API accepts and returns."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.reference import Programme
from construction.house_works.models import WorkType


class MilestonePublic(BaseModel):
    code: str
    percent: int = Field(description="How far along the whole house is once it is reached")
    label_th: str
    schedule_percent: int = Field(
        description="How far through the planned period it should be reached"
    )


class TemplatePublic(BaseModel):
    """The template new house works of one programme and work type get."""

    programme: Programme
    work_type: WorkType
    name: str
    milestones: list[MilestonePublic]
    customised: bool = Field(description="Set by an administrator rather than the default")
    version: int | None = Field(description="Counts the administrator's changes")
    updated_by: str | None
    updated_at: datetime | None


# The order rules (templates.template_errors) say the same; the bounds put the
# limits in the published contract and stop a huge number before any rule runs.
Percent = Annotated[int, Field(ge=1, le=100)]
SchedulePercent = Annotated[int, Field(ge=0, le=100)]


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=50, examples=["foundation"])
    percent: Percent = Field(description="How far along the whole house is once it is reached")
    label_th: str = Field(min_length=1, max_length=200, examples=["ฐานราก"])
    schedule_percent: SchedulePercent | None = Field(
        default=None,
        description="How far through the planned period it is due; defaults to percent",
    )


class TemplateChange(BaseModel):
    """A new template for one programme and work type; house works already planned keep
    theirs. Milestones in order, unique codes, percent rising to 100, the last the
    committee's inspection (``inspected``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(
        default=None, min_length=1, max_length=100, description="Defaults to the current name"
    )
    milestones: list[MilestoneIn] = Field(max_length=30)
    updated_by: str = Field(min_length=1, max_length=200)


class HouseMilestonePublic(MilestonePublic):
    """One milestone of a house: when it is planned, and whether (when, by whom) it was
    reached."""

    planned_on: date | None
    planned_on_fixed: bool = Field(description="Set by hand; project rescheduling keeps it")
    planned_by: str | None = Field(description="Who set it by hand")
    reached: bool
    reached_on: date | None
    reported_by: str | None


class HouseMilestonesPublic(BaseModel):
    template: str
    milestones: list[HouseMilestonePublic]


class PlannedOnChange(BaseModel):
    """A milestone's own planned date; ``null`` goes back to the one derived from the
    house's planned period."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    planned_on: date | None
    reported_by: str = Field(min_length=1, max_length=200)


class OverdueMilestonePublic(BaseModel):
    house_work_id: uuid.UUID
    household_id: uuid.UUID
    project_id: uuid.UUID | None
    programme: Programme
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    status: str
    code: str
    label_th: str
    planned_on: date
    days_late: int


class OverdueMilestonesPublic(BaseModel):
    items: list[OverdueMilestonePublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")

"""What the house works API accepts and returns."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from baan_shared.clock import thai_today as today
from baan_shared.http.bounds import Count, Satang
from baan_shared.reference import Programme
from construction.house_works.models import HouseWorkStatus, WorkType


def _not_in_the_future(value: date) -> date:
    if value > today():
        raise ValueError("cannot be in the future")
    return value


PastDate = Annotated[date, AfterValidator(_not_in_the_future)]


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadyReport(_Report):
    """Land, permits, materials and labour in place: the house can be built (พร้อมสร้าง)."""

    reported_by: str = Field(min_length=1, max_length=200, description="Who reports it")
    ready_on: PastDate | None = Field(
        default=None, description="The day it became ready; defaults to today (Thai date)"
    )


class StartReport(_Report):
    reported_by: str = Field(min_length=1, max_length=200, description="Who reports it")
    started_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")


class ProgressReport(_Report):
    reported_by: str = Field(min_length=1, max_length=200, description="Who reports it")
    milestone: str = Field(
        min_length=1,
        max_length=200,
        description="A milestone of the house's template, e.g. foundation, structure, roof",
    )
    percent: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="How far along the whole house is; the template's, so it may be left out",
    )
    reached_on: PastDate | None = Field(
        default=None,
        description="The day it was reached on site (reports come late); defaults to today",
    )


class CompletionReport(_Report):
    """The community committee inspected the finished house and signed it off (ตรวจรับ)."""

    inspected_by: str = Field(
        min_length=1, max_length=200, description="Who inspected and signed off"
    )
    completed_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")
    actual_cost_satang: Satang | None = Field(
        default=None,
        description="Defaults to the cost of the materials allocated to the house",
    )
    labour_days: Count | None = Field(
        default=None,
        description="Person-days of household and community labour (ร่วมแรง);"
        " defaults to the labour recorded on the house, and must match it if both exist",
    )


class PlannedEnd(_Report):
    """The house work's own planned end; ``null`` falls back to its project's."""

    reported_by: str = Field(min_length=1, max_length=200, description="Who sets it")
    planned_end_on: date | None


class Cancellation(_Report):
    reported_by: str = Field(min_length=1, max_length=200, description="Who reports it")
    reason: str = Field(min_length=1, max_length=2000)


class HouseWorkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    community_id: uuid.UUID | None
    programme: Programme
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    fiscal_year: int
    household_size: int
    work_type: WorkType
    estimated_cost_satang: int
    status: HouseWorkStatus
    progress_percent: int
    last_milestone: str | None
    milestone_template: str
    planned_on: date
    project_id: uuid.UUID | None
    planned_end_on: date | None = Field(description="The house work's own planned end, if set")
    due_on: date | None = Field(
        description="When it should be finished: its own planned end, else its project's"
    )
    ready_on: date | None
    started_on: date | None
    completed_on: date | None
    cancelled_on: date | None
    cancel_reason: str | None
    hold_reason: str | None = Field(description='Why it is on hold ("budget")')
    held_on: date | None
    held_from: HouseWorkStatus | None = Field(description="The status it resumes to")
    grant_rejected_at: datetime | None = Field(
        description="Finance could not reserve the grant and no re-approval has answered it"
    )
    grant_rejection: str | None
    inspected_by: str | None
    actual_cost_satang: int | None
    labour_days: int | None
    created_at: datetime
    updated_at: datetime


class HouseWorksPublic(BaseModel):
    items: list[HouseWorkPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class ProgressUpdatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    milestone: str
    percent: int
    reached_on: date
    reported_by: str
    reported_at: datetime


class TransitionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: HouseWorkStatus | None
    to_status: HouseWorkStatus
    reason: str | None
    reported_by: str
    reported_at: datetime


# Bulk reports (issue 17): an inspection team's or committee's list of houses in one call.

BULK_MAX_ITEMS = 5000


class SignOffItem(CompletionReport):
    """One house of a bulk sign-off: the house work and its own completion report."""

    house_work_id: uuid.UUID


class SignOffs(BaseModel):
    """Houses inspected and signed off (ตรวจรับ) together; all or none are completed."""

    model_config = ConfigDict(extra="forbid")

    items: list[SignOffItem] = Field(min_length=1, max_length=BULK_MAX_ITEMS)


class ProgressItem(ProgressReport):
    """One house of a bulk progress report: the house work and the milestone it reached."""

    house_work_id: uuid.UUID


class ProgressReports(BaseModel):
    """Milestones reached on site, one per house; all or none are recorded."""

    model_config = ConfigDict(extra="forbid")

    items: list[ProgressItem] = Field(min_length=1, max_length=BULK_MAX_ITEMS)


class BulkItemResult(BaseModel):
    """What one item did: the house work as it now stands and the event it published."""

    index: int = Field(description="The item's position in the request (from 0)")
    house_work_id: uuid.UUID
    status: HouseWorkStatus
    progress_percent: int
    last_milestone: str | None
    event: str = Field(description="The event type published for it, e.g. house.completed")


class BulkResult(BaseModel):
    """Every item applied, each with its result, in the request's order."""

    applied: int
    results: list[BulkItemResult]

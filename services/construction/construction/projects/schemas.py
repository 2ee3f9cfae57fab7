"""What the projects API accepts and returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.reference import Programme
from construction.house_works.schemas import PastDate


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, examples=["บ้านมั่นคง ชุมชนริมคลองลาดพร้าว"])
    programme: Programme
    community_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="The community, if not a tambon"
    )
    province_code: str = Field(pattern=r"^\d{2}$")
    district_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    subdistrict_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    planned_start_on: date
    planned_end_on: date
    created_by: str = Field(min_length=1, max_length=200)


class ProjectUpdate(BaseModel):
    """New dates (or name) for a project; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    planned_start_on: date | None = None
    planned_end_on: date | None = None


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    programme: Programme
    community_name: str | None
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    planned_start_on: date
    planned_end_on: date
    created_by: str
    created_at: datetime


class ProjectsPublic(BaseModel):
    items: list[ProjectPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class Assignment(BaseModel):
    """House works that join the project (they buy materials and build with it)."""

    model_config = ConfigDict(extra="forbid")

    house_work_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class ProjectSummary(BaseModel):
    """Where a project stands: its houses by status, overdue ones, and its money."""

    project_id: uuid.UUID
    house_works: int
    by_status: dict[str, int]
    overdue: int
    estimated_cost_satang: int
    ordered_satang: int = Field(description="Total of the project's purchase orders")
    allocated_satang: int = Field(description="Materials given to its houses")
    labour_person_days: int


class _BulkReport(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reported_by: str = Field(min_length=1, max_length=200, description="Who reports it")
    house_work_ids: list[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        description="Only these house works of the project; every eligible one if left out",
    )


class BulkReady(_BulkReport):
    """Planned house works of the project became ready to build on one day."""

    ready_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")


class BulkStart(_BulkReport):
    """Ready house works of the project started construction on one day."""

    started_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")


class BulkMoved(BaseModel):
    moved: list[uuid.UUID] = Field(description="The house works moved, each with its event")


class BulkSignOff(BaseModel):
    """House works of the project under construction, inspected and signed off together."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    inspected_by: str = Field(min_length=1, max_length=200, description="Who inspected")
    completed_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")
    house_work_ids: list[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        description="Only these house works of the project; every one under construction "
        "if left out",
    )


class BulkProgress(_BulkReport):
    """House works of the project under construction reached one milestone on one day."""

    milestone: str = Field(min_length=1, max_length=200, examples=["roof"])
    reached_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")

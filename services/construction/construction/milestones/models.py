"""Milestone tables: templates an administrator changed, and each house's own milestones."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from baan_shared.reference import Programme
from construction.house_works.models import WorkType


class MilestoneTemplate(SQLModel, table=True):
    """A (programme, work type)'s template as an administrator set it; without a row,
    the code default in ``templates.py`` applies."""

    __tablename__ = "milestone_templates"
    __table_args__ = (
        UniqueConstraint("programme", "work_type", name="uq_milestone_templates_programme"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    programme: Programme = Field(sa_type=enum_type(Programme))
    work_type: WorkType = Field(sa_type=enum_type(WorkType))
    name: str = Field(max_length=100)
    # [{code, percent, label_th, schedule_percent}, ...] in order.
    milestones: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class HouseMilestone(SQLModel, table=True):
    """One milestone of one house (งวดงาน), copied from its template when it was planned,
    with the date it is planned for and the date it was reached."""

    __tablename__ = "house_milestones"
    # Every planned house writes its template's milestones into each index: the unique
    # pairs lead with the house work (its lookups need no index of their own), and only
    # dated milestones, the ones looked up by date (late ones), are in the date's.
    __table_args__ = (
        UniqueConstraint("house_work_id", "position", name="uq_house_milestones_position"),
        UniqueConstraint("house_work_id", "code", name="uq_house_milestones_code"),
        Index(
            "ix_house_milestones_planned_on",
            "planned_on",
            postgresql_where=text("planned_on IS NOT NULL"),
            sqlite_where=text("planned_on IS NOT NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    house_work_id: uuid.UUID = Field(foreign_key="house_works.id")
    position: int
    code: str = Field(max_length=50)
    label_th: str = Field(max_length=200)
    percent: int
    schedule_percent: int
    planned_on: date | None = None
    # Set by hand (a build team's own plan): rescheduling the project leaves it alone.
    planned_on_fixed: bool = False
    planned_by: str | None = Field(default=None, max_length=200)
    reached_on: date | None = None
    reported_by: str | None = Field(default=None, max_length=200)

"""House work tables: the house work itself, every status change, every progress report."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from baan_shared.reference import Programme


class WorkType(StrEnum):
    """What the house needs: the household's ``need`` when it was approved."""

    REPAIR = "repair"  # ซ่อมแซม
    REBUILD = "rebuild"  # สร้างใหม่ทดแทนหลังเดิม
    NEW_BUILD = "new_build"  # สร้างใหม่
    RELOCATION = "relocation"  # ย้ายไปที่ดินใหม่


class HouseWorkStatus(StrEnum):
    PLANNED = "planned"
    READY_TO_BUILD = "ready_to_build"  # พร้อมสร้าง
    UNDER_CONSTRUCTION = "under_construction"  # กำลังก่อสร้าง
    # Waiting, not stopped: finance could not reserve the grant (reason "budget");
    # the household's next approval resumes it where it was.
    ON_HOLD = "on_hold"  # ระงับชั่วคราว
    COMPLETED = "completed"  # สร้างเสร็จ
    CANCELLED = "cancelled"


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class HouseWork(SQLModel, table=True):
    """One household's house being repaired or built, with the state reporting needs."""

    __tablename__ = "house_works"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # One house work per household: a duplicated household.approved must not plan a second.
    household_id: uuid.UUID = Field(unique=True)
    # Survey's community (ชุมชน) the household belongs to, when it names one.
    community_id: uuid.UUID | None = Field(default=None, index=True)
    programme: Programme = Field(sa_type=enum_type(Programme), index=True)
    province_code: str = Field(max_length=2, index=True)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6, index=True)
    fiscal_year: int
    household_size: int
    work_type: WorkType = Field(sa_type=enum_type(WorkType))
    estimated_cost_satang: int = Field(sa_type=BigInteger)
    status: HouseWorkStatus = Field(
        default=HouseWorkStatus.PLANNED, sa_type=enum_type(HouseWorkStatus), index=True
    )
    progress_percent: int = 0
    last_milestone: str | None = Field(default=None, max_length=200)
    # The template its milestones were copied from when it was planned.
    milestone_template: str = Field(default="", max_length=100)
    planned_on: date
    # The works' own planned end; when unset, its project's planned end applies.
    project_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", index=True)
    planned_end_on: date | None = None
    ready_on: date | None = None
    started_on: date | None = None
    completed_on: date | None = None
    cancelled_on: date | None = None
    cancel_reason: str | None = Field(default=None, sa_column=Column(Text))
    # The latest household.approved applied (a later one is a re-approval).
    approved_at: datetime | None = Field(default=None, sa_column=_aware(nullable=True))
    # On hold: why ("budget"), since when, and the status it resumes to.
    hold_reason: str | None = Field(default=None, max_length=50)
    held_on: date | None = None
    held_from: HouseWorkStatus | None = Field(default=None, sa_type=enum_type(HouseWorkStatus))
    # Finance rejected the grant and no re-approval has answered it yet; a house
    # already under construction keeps going with this flag raised.
    grant_rejected_at: datetime | None = Field(default=None, sa_column=_aware(nullable=True))
    grant_rejection: str | None = Field(default=None, sa_column=Column(Text))
    inspected_by: str | None = Field(default=None, max_length=200)
    actual_cost_satang: int | None = Field(default=None, sa_type=BigInteger)
    labour_days: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class HouseWorkTransition(SQLModel, table=True):
    """One status change: who moved the house work from which status to which, and why."""

    __tablename__ = "house_work_transitions"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    house_work_id: uuid.UUID = Field(foreign_key="house_works.id", index=True)
    from_status: HouseWorkStatus | None = Field(default=None, sa_type=enum_type(HouseWorkStatus))
    to_status: HouseWorkStatus = Field(sa_type=enum_type(HouseWorkStatus))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    reported_by: str = Field(max_length=200)
    reported_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class ProgressUpdate(SQLModel, table=True):
    """One progress report from the site (รายงานความก้าวหน้า): a milestone and how far along."""

    __tablename__ = "progress_updates"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    house_work_id: uuid.UUID = Field(foreign_key="house_works.id", index=True)
    milestone: str = Field(max_length=200)
    percent: int
    reached_on: date
    reported_by: str = Field(max_length=200)
    reported_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class PendingGrantRejection(SQLModel, table=True):
    """A grant.rejected that arrived before its household.approved (topics are not ordered
    against each other): applied when the approval it answers plans the house work."""

    __tablename__ = "pending_grant_rejections"

    household_id: uuid.UUID = Field(primary_key=True)
    rejected_at: datetime = Field(sa_column=_aware())
    reason: str = Field(sa_column=Column(Text, nullable=False))

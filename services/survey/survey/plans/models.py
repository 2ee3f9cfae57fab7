"""A tambon plan, its lines, and the lifecycle draft → agreed → adopted (→ superseded)."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from survey.households.models import Need  # one vocabulary: what a household needs


class PlanStatus(StrEnum):
    DRAFT = "draft"  # ร่าง
    AGREED = "agreed"  # เห็นชอบโดยสภาองค์กรชุมชนตำบล
    ADOPTED = "adopted"  # ประกาศใช้
    SUPERSEDED = "superseded"  # ถูกแทนด้วยฉบับใหม่ (kept as history)


class TambonPlan(SQLModel, table=True):
    __tablename__ = "tambon_plans"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6, index=True)
    local_administration_code: str = Field(max_length=7, foreign_key="local_administrations.code")
    first_fiscal_year: int = Field(description="B.E.")
    years: int = Field(description="3 or 5")
    version: int
    status: PlanStatus = Field(sa_type=enum_type(PlanStatus))
    supersedes_plan_id: uuid.UUID | None = Field(default=None, foreign_key="tambon_plans.id")
    drafted_by: str = Field(max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    agreed_by: str | None = Field(default=None, max_length=200)
    agreed_on: date | None = None
    adopted_by: str | None = Field(default=None, max_length=200)
    adopted_on: date | None = None
    superseded_by_plan_id: uuid.UUID | None = None
    superseded_on: date | None = None

    @property
    def last_fiscal_year(self) -> int:
        return self.first_fiscal_year + self.years - 1


class TambonPlanLine(SQLModel, table=True):
    __tablename__ = "tambon_plan_lines"
    __table_args__ = (UniqueConstraint("plan_id", "programme", "fiscal_year", "need"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    plan_id: uuid.UUID = Field(foreign_key="tambon_plans.id", index=True)
    programme: str = Field(max_length=32)
    fiscal_year: int
    need: Need = Field(sa_type=enum_type(Need))
    households: int
    budget_satang: int = Field(sa_type=BigInteger)
    communities: int

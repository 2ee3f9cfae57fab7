"""What /v1/tambon-plans accepts and returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baan_shared.http.bounds import Count, FiscalYearBE, Satang
from baan_shared.reference import Programme
from survey.areas import service as areas
from survey.households.models import Need
from survey.plans.models import PlanStatus


class PlanLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme: Programme
    fiscal_year: FiscalYearBE = Field(description="B.E.; within the plan's span")
    need: Need
    households: Count = Field(description="Households to help for this need in this year")
    budget_satang: Satang = Field(description="Budget asked, in satang")
    communities: Count = Field(default=0, description="Communities or villages covered")


class TambonPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subdistrict_code: areas.KnownSubdistrictCode = Field(description="The tambon planned for")
    local_administration_code: str = Field(
        pattern=r"^\d{7}$", description="The อปท. that co-plans, by its official code"
    )
    first_fiscal_year: FiscalYearBE = Field(description="B.E., e.g. 2566")
    years: int = Field(description="3 or 5 fiscal years")
    drafted_by: str = Field(min_length=1, max_length=200)
    supersedes_plan_id: uuid.UUID | None = Field(
        default=None, description="The adopted plan this new version replaces once adopted"
    )
    lines: list[PlanLine] = Field(min_length=1, max_length=500)

    @field_validator("years")
    @classmethod
    def _three_or_five(cls, value: int) -> int:
        if value not in (3, 5):
            raise ValueError("a tambon plan spans 3 or 5 fiscal years")
        return value


class PlanDecision(BaseModel):
    """Who agreed or adopted the plan, and on what day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    by: str = Field(min_length=1, max_length=200, examples=["สภาองค์กรชุมชนตำบลเวียง"])
    on: date


class TambonPlanPublic(BaseModel):
    id: uuid.UUID
    province_code: str
    district_code: str
    subdistrict_code: str
    local_administration_code: str
    first_fiscal_year: int
    last_fiscal_year: int
    years: int
    version: int = Field(description="1 for a tambon's first plan, then one more per version")
    status: PlanStatus
    supersedes_plan_id: uuid.UUID | None
    superseded_by_plan_id: uuid.UUID | None
    drafted_by: str
    created_at: datetime
    agreed_by: str | None
    agreed_on: date | None
    adopted_by: str | None
    adopted_on: date | None
    superseded_on: date | None
    households: int = Field(description="Sum of the lines' households")
    budget_satang: int = Field(description="Sum of the lines' budgets")
    lines: list[PlanLine]


class TambonPlansPublic(BaseModel):
    items: list[TambonPlanPublic]
    next_cursor: str | None

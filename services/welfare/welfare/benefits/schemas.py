"""What the claims API takes and returns."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baan_shared.http.bounds import PositiveSatang
from welfare.benefits.models import Claim, ClaimStatus
from welfare.funds.rules import BenefitKind
from welfare.funds.schemas import not_in_the_future

Name = Annotated[str, Field(min_length=1, max_length=200)]


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_id: uuid.UUID
    kind: BenefitKind
    event_date: date = Field(
        description="The birth, the first night in hospital, the fire, the death"
    )
    nights: Annotated[int, Field(ge=1, le=366)] | None = Field(
        default=None, description="per-night benefits (hospital): the nights"
    )
    amount_satang: PositiveSatang | None = Field(
        default=None, description="up-to benefits (disaster): the amount asked"
    )
    claimed_by: Name = Field(description="The member, or who claims for them (heirs, family)")
    note: str | None = Field(default=None, max_length=2000)

    _event = field_validator("event_date")(not_in_the_future)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: bool
    decided_by: Name = Field(description="The committee meeting, or its chair")
    reason: str | None = Field(default=None, max_length=2000, description="Required to refuse")


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paid_on: date

    _paid = field_validator("paid_on")(not_in_the_future)


class ClaimPublic(BaseModel):
    id: uuid.UUID
    fund_id: uuid.UUID
    member_id: uuid.UUID
    kind: BenefitKind
    event_date: date
    nights: int | None
    amount_satang: int = Field(description="What the rules in force on event_date grant")
    rules_effective_from: date = Field(description="The rule version the claim was judged by")
    years_of_membership: int
    status: ClaimStatus
    claimed_by: str
    note: str | None
    decided_by: str | None
    decision_reason: str | None
    paid_on: date | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Claim) -> "ClaimPublic":
        return cls.model_validate(row, from_attributes=True)


class ClaimsPublic(BaseModel):
    items: list[ClaimPublic]
    next_cursor: str | None

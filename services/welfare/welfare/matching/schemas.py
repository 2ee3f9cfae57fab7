"""What the matching API takes and returns."""

import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from baan_shared.http.bounds import PositiveSatang
from welfare.funds.schemas import not_in_the_future
from welfare.matching.models import Matcher, MatchPaymentStatus, MatchRequest, MatchStatus

Name = Annotated[str, Field(min_length=1, max_length=200)]


class MatchRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    matcher: Matcher
    matcher_name: str | None = Field(
        default=None, max_length=200, description="The local administration (อบต., เทศบาล)"
    )
    period_from: date
    period_to: date
    amount_satang: PositiveSatang = Field(
        description="At most the members' contributions recorded for the period (1:1)"
    )
    requested_by: Name

    _to = field_validator("period_to")(not_in_the_future)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self


class MatchDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: bool
    decided_by: Name


class MatchRequestPublic(BaseModel):
    id: uuid.UUID
    fund_id: uuid.UUID
    matcher: Matcher
    matcher_name: str | None
    period_from: date
    period_to: date
    amount_satang: int
    contributions_satang: int = Field(description="Contributions recorded for the period")
    status: MatchStatus
    requested_by: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    payment_status: MatchPaymentStatus | None = Field(
        default=None,
        description="The agency's payment of an approved agency match, as finance told it: "
        "waiting_for_budget (``payment_reason`` says why) or paid; null before finance "
        "answered, and for a local administration's match",
    )
    payment_reason: str | None = Field(
        default=None, description="Why the match waits: no budget covers it, or too little"
    )
    paid_at: datetime | None = Field(default=None, description="When finance paid it")
    paid_satang: int | None = Field(default=None, description="What finance paid")

    @classmethod
    def of(cls, row: MatchRequest) -> "MatchRequestPublic":
        return cls.model_validate(row, from_attributes=True)


class MatchRequestsPublic(BaseModel):
    items: list[MatchRequestPublic]

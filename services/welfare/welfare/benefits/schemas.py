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


MAX_BATCH = 5_000
"""The most claims a sheet, a meeting's decisions or a payment run takes: a fund's year of
claims fits many times over; a larger batch is split."""


class ClaimSheetCreate(BaseModel):
    """A fund committee's claims filed together (ใบขอรับสวัสดิการ): every claim judged as
    ``POST /v1/claims`` would judge it, in the order listed, and filed, or none."""

    model_config = ConfigDict(extra="forbid")

    rows: list[ClaimCreate] = Field(min_length=1, max_length=MAX_BATCH)


class ClaimSheetRowResult(BaseModel):
    row: int = Field(description="The claim's index in `rows`")
    claim_id: uuid.UUID
    member_id: uuid.UUID
    amount_satang: int = Field(description="What the rules in force on event_date grant")
    rules_effective_from: date = Field(description="The rule version the claim was judged by")
    years_of_membership: int


class ClaimSheetResult(BaseModel):
    rows: int
    total_satang: int = Field(description="What the claims filed ask of the fund together")
    results: list[ClaimSheetRowResult]


class ClaimDecisionItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    claim_id: uuid.UUID
    approve: bool
    reason: str | None = Field(default=None, max_length=2000, description="Required to refuse")


class ClaimDecisionsCreate(BaseModel):
    """A committee meeting's decisions on the fund's claims (มติที่ประชุมคณะกรรมการ): each
    as ``POST /v1/claims/{id}/decision`` would take it, in the order listed, or none."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decided_by: Name = Field(description="The committee meeting, or its chair")
    decisions: list[ClaimDecisionItem] = Field(min_length=1, max_length=MAX_BATCH)


class ClaimDecisionResult(BaseModel):
    index: int = Field(description="The decision's index in `decisions`")
    claim_id: uuid.UUID
    status: ClaimStatus
    amount_satang: int


class ClaimDecisionsResult(BaseModel):
    decided_by: str
    approved: int
    refused: int
    results: list[ClaimDecisionResult]


class ClaimPaymentsCreate(BaseModel):
    """Approved claims of the fund paid on one day (จ่ายสวัสดิการ): each once, all or none."""

    model_config = ConfigDict(extra="forbid")

    paid_on: date
    claim_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BATCH)

    _paid = field_validator("paid_on")(not_in_the_future)


class ClaimPaymentResult(BaseModel):
    index: int = Field(description="The claim's index in `claim_ids`")
    claim_id: uuid.UUID
    amount_satang: int
    movement_sequence: int = Field(description="The movement on the fund's books that paid it")


class ClaimPaymentsResult(BaseModel):
    paid_on: date
    claims: int
    total_satang: int
    balance_satang: int = Field(description="The fund's balance after the payments")
    results: list[ClaimPaymentResult]

"""Benefit claims (การขอรับสวัสดิการ) and what the committee decided."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from welfare.funds.rules import BenefitKind


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"  # checked against the rules, waiting for the committee
    APPROVED = "approved"  # the committee approved it; to be paid
    REFUSED = "refused"  # the committee refused it
    PAID = "paid"  # paid from the fund


class Claim(SQLModel, table=True):
    __tablename__ = "welfare_claims"
    __table_args__ = (
        Index("ix_welfare_claims_member_id_kind_event_date", "member_id", "kind", "event_date"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    fund_id: uuid.UUID = Field(foreign_key="welfare_funds.id", index=True)
    member_id: uuid.UUID = Field(foreign_key="welfare_members.id")
    kind: BenefitKind = Field(sa_type=enum_type(BenefitKind))
    event_date: date
    nights: int | None = None
    amount_satang: int = Field(sa_type=BigInteger)
    rules_effective_from: date
    years_of_membership: int
    status: ClaimStatus = Field(sa_type=enum_type(ClaimStatus))
    claimed_by: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    decided_by: str | None = Field(default=None, max_length=200)
    decision_reason: str | None = Field(default=None, max_length=2000)
    paid_on: date | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

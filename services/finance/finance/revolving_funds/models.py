"""Revolving funds (กองทุนหมุนเวียน): a community's or sub-district's own fund, which
rural loan repayments flow back into (คืนทุนสู่กองทุน) and which lends again."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class FundScope(StrEnum):
    SUBDISTRICT = "subdistrict"  # ตำบล: official 6-digit code
    COMMUNITY = "community"  # ชุมชน: the community's own code


class FundMovementKind(StrEnum):
    REPAYMENT = "repayment"  # in: a rural loan repaid into the fund
    DEPOSIT = "deposit"  # in: seed money moved from the agency's cash
    LOAN = "loan"  # out: a loan the fund financed
    REPAYMENT_REVERSAL = "repayment_reversal"  # out: a repayment that bounced, taken back


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class RevolvingFund(SQLModel, table=True):
    """Totals kept on the row, changed only by conditional updates (see the repository)."""

    __tablename__ = "revolving_funds"
    __table_args__ = (
        UniqueConstraint("scope", "code", name="uq_revolving_funds_scope_code"),
        CheckConstraint("in_satang >= out_satang", name="not_overdrawn"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    scope: FundScope = Field(sa_type=enum_type(FundScope))
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    province_code: str = Field(max_length=2)
    in_satang: int = Field(default=0, sa_type=BigInteger)
    out_satang: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

    @property
    def balance_satang(self) -> int:
        return self.in_satang - self.out_satang


class FundMovement(SQLModel, table=True):
    """One movement in or out of a fund, with the ledger entry behind it."""

    __tablename__ = "revolving_fund_movements"
    # A deposit's reference is its idempotency key: the same deposit twice books once.
    __table_args__ = (
        UniqueConstraint(
            "fund_id", "reference", name="uq_revolving_fund_movements_fund_id_reference"
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    fund_id: uuid.UUID = Field(foreign_key="revolving_funds.id", index=True)
    kind: FundMovementKind = Field(sa_type=enum_type(FundMovementKind))
    amount_satang: int = Field(sa_type=BigInteger)
    loan_id: uuid.UUID | None = Field(default=None, foreign_key="loans.id", index=True)
    reference: str = Field(max_length=64)
    journal_entry_id: uuid.UUID = Field(foreign_key="journal_entries.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

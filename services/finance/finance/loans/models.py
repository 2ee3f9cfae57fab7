"""Loan tables: loans to households and community organisations (สินเชื่อ), their
instalments, and the repayments received."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from finance.loans.schedule import RepaymentMethod


class BorrowerType(StrEnum):
    HOUSEHOLD = "household"
    ORGANISATION = "organisation"  # community organisation or housing cooperative


class LoanStatus(StrEnum):
    APPROVED = "approved"  # not yet paid out
    ACTIVE = "active"  # disbursed, being repaid
    REPAID = "repaid"


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class Loan(SQLModel, table=True):
    __tablename__ = "loans"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    borrower_type: BorrowerType = Field(sa_type=enum_type(BorrowerType))
    borrower_id: uuid.UUID = Field(index=True, description="Household or organisation id")
    borrower_name: str | None = Field(default=None, max_length=200)
    programme: str = Field(max_length=32, index=True)
    province_code: str = Field(max_length=2)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6)
    principal_satang: int = Field(sa_type=BigInteger)
    annual_interest_rate_bp: int = Field(description="Basis points a year: 300 = 3%")
    term_months: int
    grace_months: int = 0
    repayment_method: RepaymentMethod = Field(sa_type=enum_type(RepaymentMethod))
    status: LoanStatus = Field(
        default=LoanStatus.APPROVED, sa_type=enum_type(LoanStatus), index=True
    )
    outstanding_principal_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_on: date | None = None
    disbursement_reference: str | None = Field(default=None, max_length=32, unique=True)
    # The arrears bucket last published (loan.in_arrears), so a review reports changes only.
    arrears_bucket: str | None = Field(default=None, max_length=16)
    approved_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class LoanInstalment(SQLModel, table=True):
    """One month of the schedule (งวด): what is due, and what has been paid of it."""

    __tablename__ = "loan_instalments"
    __table_args__ = (
        UniqueConstraint("loan_id", "number", name="uq_loan_instalments_loan_id_number"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loans.id", index=True)
    number: int
    due_on: date
    principal_due_satang: int = Field(sa_type=BigInteger)
    interest_due_satang: int = Field(sa_type=BigInteger)
    principal_paid_satang: int = Field(default=0, sa_type=BigInteger)
    interest_paid_satang: int = Field(default=0, sa_type=BigInteger)


class LoanRepayment(SQLModel, table=True):
    """One payment received. The payment reference is unique: the same payment twice
    answers with the first result and books nothing more."""

    __tablename__ = "loan_repayments"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loans.id", index=True)
    payment_reference: str = Field(max_length=64, unique=True)
    amount_satang: int = Field(sa_type=BigInteger)
    interest_satang: int = Field(sa_type=BigInteger)
    principal_satang: int = Field(sa_type=BigInteger)
    paid_on: date
    outstanding_principal_satang: int = Field(sa_type=BigInteger)
    journal_entry_id: uuid.UUID = Field(foreign_key="journal_entries.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

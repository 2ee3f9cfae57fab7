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
    # The community's fund its repayments flow back into (rural loans), and whether
    # the fund, rather than the agency's cash, paid the loan out.
    revolving_fund_id: uuid.UUID | None = Field(
        default=None, foreign_key="revolving_funds.id", index=True
    )
    financed_by_fund: bool = False
    # Which schedule is in force: 1 at disbursement, +1 at each rescheduling.
    schedule_version: int = 1
    outstanding_principal_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_on: date | None = None
    disbursement_reference: str | None = Field(default=None, max_length=32, unique=True)
    # The arrears bucket last published (loan.in_arrears), so a review reports changes only.
    arrears_bucket: str | None = Field(default=None, max_length=16)
    approved_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class LoanInstalment(SQLModel, table=True):
    """One month of a schedule (งวด): what is due, and what has been paid of it.

    A rescheduled loan keeps its earlier schedules' rows (the history); only the
    rows of the loan's current ``schedule_version`` are owed."""

    __tablename__ = "loan_instalments"
    __table_args__ = (
        UniqueConstraint(
            "loan_id",
            "schedule_version",
            "number",
            name="uq_loan_instalments_loan_id_schedule_version_number",
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loans.id", index=True)
    schedule_version: int = 1
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
    # A bounced or mistaken payment is reversed, never deleted: the row stays, and
    # these say when, why, and which ledger entry undid it.
    reversed_at: datetime | None = Field(default=None, sa_column=_aware(nullable=True))
    reversal_reason: str | None = Field(default=None, max_length=500)
    reversal_entry_id: uuid.UUID | None = Field(default=None, foreign_key="journal_entries.id")


class LoanRepaymentAllocation(SQLModel, table=True):
    """What one repayment paid of one instalment, so a reversal undoes exactly that."""

    __tablename__ = "loan_repayment_allocations"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    repayment_id: uuid.UUID = Field(foreign_key="loan_repayments.id", index=True)
    instalment_id: uuid.UUID = Field(foreign_key="loan_instalments.id")
    interest_satang: int = Field(sa_type=BigInteger)
    principal_satang: int = Field(sa_type=BigInteger)


class LoanRescheduling(SQLModel, table=True):
    """A rescheduling (ปรับโครงสร้างหนี้), e.g. after a flood: why, from when, and the
    terms before and after, so the loan's history reads in order."""

    __tablename__ = "loan_reschedulings"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loans.id", index=True)
    schedule_version: int = Field(description="The version this rescheduling put in force")
    reason: str = Field(max_length=500)
    effective_on: date
    first_due_on: date
    outstanding_principal_satang: int = Field(sa_type=BigInteger)
    carried_interest_satang: int = Field(
        sa_type=BigInteger,
        description="Unpaid interest of the old schedule, due in its first new instalment",
    )
    previous_rate_bp: int
    previous_term_months: int
    annual_interest_rate_bp: int
    term_months: int
    grace_months: int
    repayment_method: RepaymentMethod = Field(sa_type=enum_type(RepaymentMethod))
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

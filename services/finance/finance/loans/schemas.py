"""What the loans API takes and returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from baan_shared.http.bounds import PositiveSatang
from baan_shared.reference import Programme
from finance.loans.arrears import ArrearsBucket
from finance.loans.models import (
    BorrowerType,
    Loan,
    LoanInstalment,
    LoanRepayment,
    LoanRescheduling,
    LoanStatus,
)
from finance.loans.schedule import RepaymentMethod


class LoanCreate(BaseModel):
    """Approve a loan to a household or to a community organisation or cooperative."""

    model_config = ConfigDict(extra="forbid")

    borrower_type: BorrowerType
    borrower_id: uuid.UUID = Field(description="The household's id, or the organisation's")
    borrower_name: str | None = Field(default=None, max_length=200)
    programme: Programme = Field(examples=["CANAL"])
    province_code: str = Field(pattern=r"^\d{2}$")
    district_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    subdistrict_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    principal_satang: PositiveSatang
    annual_interest_rate_bp: int = Field(
        strict=True, ge=0, le=5_000, description="Basis points a year: 300 = 3%"
    )
    term_months: int = Field(strict=True, ge=1, le=360)
    grace_months: int = Field(default=0, strict=True, ge=0, le=60)
    repayment_method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALMENTS
    revolving_fund_id: uuid.UUID | None = Field(
        default=None,
        description="The fund repayments flow back into; rural programmes default to the "
        "sub-district's fund",
    )
    financed_by_fund: bool = Field(
        default=False, description="Pay the loan out of the revolving fund, not the agency's cash"
    )

    @model_validator(mode="after")
    def _grace_within_term(self) -> "LoanCreate":
        if self.grace_months >= self.term_months:
            raise ValueError("grace_months must be shorter than term_months")
        return self


class LoanDisburse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disbursed_on: date
    first_due_on: date | None = Field(
        default=None, description="Defaults to one month after the disbursement"
    )


class RepaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_reference: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$", examples=["BANK-2569-000123"]
    )
    amount_satang: PositiveSatang
    paid_on: date


class RepaymentReversal(BaseModel):
    """Undo a payment that bounced or was keyed by mistake."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, examples=["เช็คคืน (cheque bounced)"])


class LoanReschedule(BaseModel):
    """New terms for what is still owed, e.g. after a flood (ปรับโครงสร้างหนี้)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, examples=["อุทกภัย 2569"])
    effective_on: date = Field(
        description="When the new terms apply: unpaid interest due before it is carried over"
    )
    first_due_on: date
    term_months: int = Field(strict=True, ge=1, le=360)
    grace_months: int = Field(default=0, strict=True, ge=0, le=60)
    annual_interest_rate_bp: int | None = Field(default=None, strict=True, ge=0, le=5_000)
    repayment_method: RepaymentMethod | None = None

    @model_validator(mode="after")
    def _grace_within_term(self) -> "LoanReschedule":
        if self.grace_months >= self.term_months:
            raise ValueError("grace_months must be shorter than term_months")
        if self.first_due_on <= self.effective_on:
            raise ValueError("first_due_on must come after effective_on")
        return self


class ReschedulingPublic(BaseModel):
    schedule_version: int
    reason: str
    effective_on: date
    first_due_on: date
    outstanding_principal_satang: int
    carried_interest_satang: int
    previous_rate_bp: int
    previous_term_months: int
    annual_interest_rate_bp: int
    term_months: int
    grace_months: int
    repayment_method: RepaymentMethod
    recorded_at: datetime

    @classmethod
    def of(cls, row: LoanRescheduling) -> "ReschedulingPublic":
        return cls.model_validate(row, from_attributes=True)


class InstalmentPublic(BaseModel):
    schedule_version: int
    number: int
    due_on: date
    principal_due_satang: int
    interest_due_satang: int
    principal_paid_satang: int
    interest_paid_satang: int

    @classmethod
    def of(cls, row: LoanInstalment) -> "InstalmentPublic":
        return cls.model_validate(row, from_attributes=True)


class RepaymentPublic(BaseModel):
    id: uuid.UUID
    loan_id: uuid.UUID
    payment_reference: str
    amount_satang: int
    interest_satang: int = Field(description="Applied to interest (first)")
    principal_satang: int = Field(description="Applied to principal (after interest)")
    paid_on: date
    outstanding_principal_satang: int = Field(description="Principal still owed after it")
    journal_entry_id: uuid.UUID
    recorded_at: datetime
    reversed_at: datetime | None = Field(description="Set when the payment was reversed")
    reversal_reason: str | None
    reversal_entry_id: uuid.UUID | None = Field(description="The ledger entry that undid it")

    @classmethod
    def of(cls, row: LoanRepayment) -> "RepaymentPublic":
        return cls.model_validate(row, from_attributes=True)


class Arrears(BaseModel):
    as_of: date
    days_past_due: int
    bucket: ArrearsBucket
    overdue_satang: int = Field(description="Interest and principal due before as_of, unpaid")


class LoanPublic(BaseModel):
    id: uuid.UUID
    borrower_type: BorrowerType
    borrower_id: uuid.UUID
    borrower_name: str | None
    programme: str
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    principal_satang: int
    annual_interest_rate_bp: int
    term_months: int
    grace_months: int
    repayment_method: RepaymentMethod
    revolving_fund_id: uuid.UUID | None
    financed_by_fund: bool
    status: LoanStatus
    outstanding_principal_satang: int
    disbursed_on: date | None
    disbursement_reference: str | None
    approved_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, loan: Loan) -> "LoanPublic":
        return cls.model_validate(loan, from_attributes=True)


class LoanDetail(LoanPublic):
    schedule_version: int
    arrears: Arrears
    schedule: list[InstalmentPublic] = Field(description="The schedule in force")
    repayments: list[RepaymentPublic]
    reschedulings: list[ReschedulingPublic]
    earlier_schedules: list[InstalmentPublic] = Field(
        description="Instalments of schedules replaced by a rescheduling, as they stood"
    )


class LoansPublic(BaseModel):
    items: list[LoanPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class LoanArrears(BaseModel):
    loan: LoanPublic
    arrears: Arrears
    reported: bool = Field(description="loan.in_arrears was published: the bucket changed")


class ArrearsReview(BaseModel):
    as_of: date
    in_arrears: list[LoanArrears]

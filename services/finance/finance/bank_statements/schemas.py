"""What the bank statements API accepts and returns."""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.http.bounds import PositiveSatang

MAX_LINES = 5000


class StatementLine(BaseModel):
    """One credit on the bank statement: a borrower's repayment of one loan."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    loan_id: uuid.UUID
    payment_reference: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$", examples=["BANK-2569-000123"]
    )
    amount_satang: PositiveSatang
    paid_on: date


class BankStatement(BaseModel):
    """A statement's repayment lines; all are booked, or none."""

    model_config = ConfigDict(extra="forbid")

    lines: list[StatementLine] = Field(min_length=1, max_length=MAX_LINES)


class LineResult(BaseModel):
    """What one line did."""

    index: int = Field(description="The line's position in the statement (from 0)")
    loan_id: uuid.UUID
    payment_reference: str
    outcome: Literal["booked", "already_booked"] = Field(
        description="already_booked: this payment reference was booked on this loan before "
        "(a statement sent again books nothing twice)"
    )
    repayment_id: uuid.UUID
    amount_satang: int
    interest_satang: int
    principal_satang: int
    outstanding_principal_satang: int


class StatementResult(BaseModel):
    booked: int = Field(description="Lines booked now")
    already_booked: int = Field(description="Lines whose payment was booked before")
    booked_satang: int = Field(description="The total of the lines booked now")
    results: list[LineResult]

"""What the contributions API takes and returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baan_shared.http.bounds import PositiveSatang
from welfare.contributions.models import Contribution
from welfare.funds.schemas import not_in_the_future


class ContributionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_id: uuid.UUID
    paid_on: date
    amount_satang: PositiveSatang = Field(description="1 THB a day: 365 days = 36500")
    reference: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._/-]+$",
        description="The receipt number, once per fund",
    )

    _paid = field_validator("paid_on")(not_in_the_future)


class ContributionPublic(BaseModel):
    id: uuid.UUID
    fund_id: uuid.UUID
    member_id: uuid.UUID
    paid_on: date
    amount_satang: int
    reference: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: Contribution) -> "ContributionPublic":
        return cls.model_validate(row, from_attributes=True)


class ContributionsPublic(BaseModel):
    items: list[ContributionPublic]
    next_cursor: str | None


MAX_SHEET_ROWS = 50_000


class SheetRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_id: uuid.UUID
    paid_on: date
    amount_satang: PositiveSatang
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")

    _paid = field_validator("paid_on")(not_in_the_future)


class SheetCreate(BaseModel):
    """A fund committee's monthly contribution sheet (บัญชีรับเงินสมทบประจำเดือน): every
    row recorded, or none."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._/-]+$",
        description="The sheet's own number, once per fund",
    )
    rows: list[SheetRow] = Field(min_length=1, max_length=MAX_SHEET_ROWS)


class SheetRowResult(BaseModel):
    row: int = Field(
        description="The row's index in `rows` (JSON), or its row in the file (the header is row 1)"
    )
    contribution_id: uuid.UUID


class SheetResult(BaseModel):
    reference: str
    rows: int
    total_satang: int
    results: list[SheetRowResult]

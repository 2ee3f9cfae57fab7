"""What the members API takes and returns."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baan_shared.auth.pii import mask_national_id
from welfare.funds.schemas import not_in_the_future
from welfare.members.membership import (
    MemberStatus,
    compact_national_id,
    national_id_reason,
)
from welfare.members.models import Member


def valid_national_id(value: str) -> str:
    """The ID without dashes or spaces; refused naming the rule if it is no Thai ID."""
    reason = national_id_reason(value)
    if reason is not None:
        raise ValueError(reason)
    return compact_national_id(value)


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    fund_id: uuid.UUID
    national_id: str = Field(description="Thai national ID, 13 digits with check digit")
    name: str = Field(min_length=1, max_length=200)
    joined_on: date

    _national_id = field_validator("national_id")(valid_national_id)
    _joined = field_validator("joined_on")(not_in_the_future)


MAX_SHEET_ROWS = 50_000


class MemberSheetRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    national_id: str = Field(description="Thai national ID, 13 digits with check digit")
    name: str = Field(min_length=1, max_length=200)
    joined_on: date

    _national_id = field_validator("national_id")(valid_national_id)
    _joined = field_validator("joined_on")(not_in_the_future)


class MemberSheetCreate(BaseModel):
    """A fund committee's register of members (ทะเบียนสมาชิก): every row joins, or none."""

    model_config = ConfigDict(extra="forbid")

    rows: list[MemberSheetRow] = Field(min_length=1, max_length=MAX_SHEET_ROWS)


class MemberSheetRowResult(BaseModel):
    row: int = Field(
        description="The row's index in `rows` (JSON), or its row in the file (the header is row 1)"
    )
    member_id: uuid.UUID
    member_of_other_funds: bool = Field(
        description="The same national ID holds a membership of another fund (flagged for "
        "the committee; which fund is not said)"
    )


class MemberSheetResult(BaseModel):
    rows: int
    results: list[MemberSheetRowResult]


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: MemberStatus
    on: date = Field(description="The day it happened (left or died: the membership's last day)")
    reason: str | None = Field(default=None, max_length=2000)

    _on = field_validator("on")(not_in_the_future)


class MemberPublic(BaseModel):
    id: uuid.UUID
    fund_id: uuid.UUID
    national_id: str = Field(description="Masked unless the client holds pii:read")
    name: str
    joined_on: date
    status: MemberStatus
    ended_on: date | None
    years_of_membership: int = Field(description="Completed years, today (or at the end)")
    paid_satang: int = Field(description="Contributions recorded so far")
    member_of_other_funds: bool = Field(
        description="The same national ID holds a membership of another fund (flagged for "
        "the committee; which fund is not said)"
    )
    updated_at: datetime

    @classmethod
    def of(
        cls, member: Member, *, years: int, paid: int, elsewhere: bool, reveal: bool
    ) -> "MemberPublic":
        return cls(
            id=member.id,
            fund_id=member.fund_id,
            national_id=member.national_id if reveal else mask_national_id(member.national_id),
            name=member.name,
            joined_on=member.joined_on,
            status=member.status,
            ended_on=member.ended_on,
            years_of_membership=years,
            paid_satang=paid,
            member_of_other_funds=elsewhere,
            updated_at=member.updated_at,
        )


class MembersPublic(BaseModel):
    items: list[MemberPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class MemberAccount(BaseModel):
    """What the member owes at the fund's daily rate and has paid, on ``as_of``."""

    member_id: uuid.UUID
    as_of: date
    owed_satang: int
    paid_satang: int
    arrears_satang: int = Field(description="Owed and not paid (เงินค้างส่ง)")
    ahead_satang: int = Field(description="Paid ahead")
    days_behind: int


class ArrearsPublic(BaseModel):
    items: list[MemberAccount]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next members scanned (a page may hold fewer)"
    )


AsOf = Annotated[date | None, Field(description="Defaults to today (Thai date)")]

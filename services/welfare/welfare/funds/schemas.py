"""What the funds API takes and returns."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baan_shared.clock import thai_today
from baan_shared.http.bounds import PositiveSatang
from welfare.books.ledger import Totals
from welfare.funds.models import Fund, FundKind, FundRuleVersion
from welfare.funds.rules import FundRules

Name = Annotated[str, Field(min_length=1, max_length=200)]


def not_in_the_future(value: date) -> date:
    # Thai calendar: the day in Thailand, which runs ahead of UTC.
    if value > thai_today():
        raise ValueError(f"cannot be after today ({thai_today()})")
    return value


class CommitteeRole(StrEnum):
    CHAIR = "chair"  # ประธาน
    VICE_CHAIR = "vice_chair"  # รองประธาน
    SECRETARY = "secretary"  # เลขานุการ
    TREASURER = "treasurer"  # เหรัญญิก
    MEMBER = "member"  # กรรมการ


class CommitteeMember(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    role: CommitteeRole


class Committee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    members: list[CommitteeMember] = Field(min_length=1, max_length=50)


class FundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: FundKind
    name: Name
    subdistrict_code: str = Field(
        pattern=r"^\d{6}$",
        description="The tambon's official 6-digit code (a municipality: its seat's)",
    )
    registered_on: date
    committee: list[CommitteeMember] = Field(default_factory=list, max_length=50)
    rules: FundRules | None = Field(
        default=None, description="The first rules, in force from registered_on"
    )

    _registered = field_validator("registered_on")(not_in_the_future)


class RuleVersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    effective_from: date
    adopted_by: Name = Field(description="The meeting or committee that adopted the rules")
    rules: FundRules


class RuleVersionPublic(BaseModel):
    id: uuid.UUID
    effective_from: date
    adopted_by: str
    rules: FundRules
    created_at: datetime

    @classmethod
    def of(cls, row: FundRuleVersion) -> "RuleVersionPublic":
        return cls(
            id=row.id,
            effective_from=row.effective_from,
            adopted_by=row.adopted_by,
            rules=FundRules.model_validate(row.rules),
            created_at=row.created_at,
        )


class RuleVersionsPublic(BaseModel):
    items: list[RuleVersionPublic]


class OtherIncome(BaseModel):
    """Money into the fund that is neither a contribution nor a match (donations, interest)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_satang: PositiveSatang
    received_on: date
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")

    _received = field_validator("received_on")(not_in_the_future)


class FundPublic(BaseModel):
    """A fund and its books: balance = contributions + matches + other income − benefits."""

    id: uuid.UUID
    kind: FundKind
    name: str
    province_code: str
    district_code: str
    subdistrict_code: str
    registered_on: date
    committee: list[CommitteeMember]
    contributions_satang: int
    agency_match_satang: int
    local_match_satang: int
    other_income_satang: int
    benefits_paid_satang: int
    balance_satang: int
    updated_at: datetime

    @classmethod
    def of(cls, fund: Fund) -> "FundPublic":
        return cls(
            id=fund.id,
            kind=fund.kind,
            name=fund.name,
            province_code=fund.province_code,
            district_code=fund.district_code,
            subdistrict_code=fund.subdistrict_code,
            registered_on=fund.registered_on,
            committee=[CommitteeMember.model_validate(m) for m in fund.committee],
            contributions_satang=fund.contributions_satang,
            agency_match_satang=fund.agency_match_satang,
            local_match_satang=fund.local_match_satang,
            other_income_satang=fund.other_income_satang,
            benefits_paid_satang=fund.benefits_paid_satang,
            balance_satang=totals_of(fund).balance_satang,
            updated_at=fund.updated_at,
        )


class FundsPublic(BaseModel):
    items: list[FundPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


def totals_of(fund: Fund) -> Totals:
    return Totals(
        contributions_satang=fund.contributions_satang,
        agency_match_satang=fund.agency_match_satang,
        local_match_satang=fund.local_match_satang,
        other_income_satang=fund.other_income_satang,
        benefits_paid_satang=fund.benefits_paid_satang,
    )

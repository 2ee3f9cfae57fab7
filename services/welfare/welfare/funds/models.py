"""Community welfare funds (กองทุนสวัสดิการชุมชน), one per tambon or municipality, and
the versions of their rules."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class FundKind(StrEnum):
    TAMBON = "tambon"  # กองทุนสวัสดิการชุมชนตำบล
    MUNICIPALITY = "municipality"  # กองทุนสวัสดิการชุมชนเทศบาล


def _aware() -> Any:
    return Column(UTCDateTime(), nullable=False)


class Fund(SQLModel, table=True):
    """A fund and its books' totals, changed only by conditional updates beside a
    movement (books/repository.py): the totals always equal the sum of movements."""

    __tablename__ = "welfare_funds"
    __table_args__ = (
        UniqueConstraint("kind", "subdistrict_code", name="uq_welfare_funds_kind_subdistrict_code"),
        CheckConstraint(
            "contributions_satang + agency_match_satang + local_match_satang"
            " + other_income_satang >= benefits_paid_satang",
            name="not_overdrawn",
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    kind: FundKind = Field(sa_type=enum_type(FundKind))
    name: str = Field(max_length=200)
    # Where it lies: the tambon's (or the municipality's seat's) official codes.
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4, index=True)
    subdistrict_code: str = Field(max_length=6, index=True)
    registered_on: date
    # The committee (คณะกรรมการกองทุน): [{"name": ..., "role": ...}], replaced whole.
    committee: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    contributions_satang: int = Field(default=0, sa_type=BigInteger)
    agency_match_satang: int = Field(default=0, sa_type=BigInteger)
    local_match_satang: int = Field(default=0, sa_type=BigInteger)
    other_income_satang: int = Field(default=0, sa_type=BigInteger)
    benefits_paid_satang: int = Field(default=0, sa_type=BigInteger)
    movements: int = Field(default=0, description="How many movements the books have had")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class FundRuleVersion(SQLModel, table=True):
    """One version of a fund's rules (funds/rules.py: FundRules), in force from
    ``effective_from`` until the next version's date."""

    __tablename__ = "welfare_fund_rule_versions"
    __table_args__ = (
        UniqueConstraint(
            "fund_id", "effective_from", name="uq_welfare_fund_rule_versions_fund_id_effective_from"
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    fund_id: uuid.UUID = Field(foreign_key="welfare_funds.id", index=True)
    effective_from: date
    rules: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    adopted_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

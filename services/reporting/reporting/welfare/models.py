"""Welfare projections: read models rebuilt from welfare's events, never written by an API.

``welfare_fund`` is one row per fund with its books' totals after the latest movement
(the highest ``sequence`` seen) and its counters (members holding a membership now,
people ever helped): the report on money in funds reads these summary rows only, so
its cost follows the number of funds, never the number of members.
``welfare_fund_year`` keeps each fund's flows per fiscal year (B.E.): money in and
out, members who joined and whose membership ended, benefits paid and the people
helped that year. ``welfare_movement`` records each movement of a fund's books once
(so a flow is never added twice), ``welfare_member`` each membership (no personal
data: welfare keeps the national ID) and ``welfare_benefit`` each benefit paid.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from baan_shared.db import UTCDateTime


def _satang() -> Column[int]:
    return Column(BigInteger, nullable=False, default=0)


class WelfareFund(SQLModel, table=True):
    __tablename__ = "welfare_fund"

    welfare_fund_id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=32)
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    region_code: str | None = Field(default=None, max_length=3)
    registered_on: date | None = None
    registered_fiscal_year: int | None = Field(default=None, description="B.E.")
    sequence: int = 0
    contributions_satang: int = Field(default=0, sa_column=_satang())
    agency_match_satang: int = Field(default=0, sa_column=_satang())
    local_match_satang: int = Field(default=0, sa_column=_satang())
    other_income_satang: int = Field(default=0, sa_column=_satang())
    benefits_paid_satang: int = Field(default=0, sa_column=_satang())
    balance_satang: int = Field(default=0, sa_column=_satang())
    members: int = Field(default=0, description="Memberships held now (active or lapsed)")
    people_helped: int = Field(default=0, description="Members ever paid a benefit")
    benefits: int = Field(default=0, description="Benefits paid")
    last_event_time: datetime | None = Field(
        default=None,
        sa_column=Column(UTCDateTime(), nullable=True),
        description="The latest event about the fund (its books, members, benefits): the "
        "freshness of an area-bound caller's reports",
    )


class WelfareFundYear(SQLModel, table=True):
    __tablename__ = "welfare_fund_year"

    welfare_fund_id: uuid.UUID = Field(primary_key=True)
    fiscal_year: int = Field(primary_key=True, description="B.E.")
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    contributions_satang: int = Field(default=0, sa_column=_satang())
    agency_match_satang: int = Field(default=0, sa_column=_satang())
    local_match_satang: int = Field(default=0, sa_column=_satang())
    other_income_satang: int = Field(default=0, sa_column=_satang())
    benefits_paid_satang: int = Field(default=0, sa_column=_satang())
    members_joined: int = 0
    members_ended: int = 0
    people_helped: int = Field(default=0, description="Members paid a benefit this year")
    benefits: int = 0


class WelfareMovement(SQLModel, table=True):
    __tablename__ = "welfare_movement"

    movement_id: uuid.UUID = Field(primary_key=True)
    welfare_fund_id: uuid.UUID = Field(index=True)
    sequence: int
    movement_kind: str = Field(max_length=32)
    change_satang: int = Field(sa_column=Column(BigInteger, nullable=False))
    occurred_on: date


class WelfareMember(SQLModel, table=True):
    __tablename__ = "welfare_member"
    __table_args__ = (Index("ix_welfare_member_fund", "welfare_fund_id", "member_id"),)

    member_id: uuid.UUID = Field(primary_key=True)
    welfare_fund_id: uuid.UUID
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    status: str = Field(max_length=16)
    joined_on: date
    ended_on: date | None = None


class WelfareBenefit(SQLModel, table=True):
    __tablename__ = "welfare_benefit"
    __table_args__ = (Index("ix_welfare_benefit_member_year", "member_id", "fiscal_year"),)

    claim_id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    welfare_fund_id: uuid.UUID = Field(index=True)
    province_code: str = Field(max_length=2)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    benefit_kind: str = Field(max_length=32)
    fiscal_year: int = Field(description="B.E., of the day paid")
    amount_satang: int = Field(sa_column=Column(BigInteger, nullable=False))
    paid_on: date

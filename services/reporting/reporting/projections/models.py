"""Projection tables: read models rebuilt from events, never written by an API.

``household_progress`` is one row per household: where it lives, which
programme helps it, and when it passed each step of the funnel (survey,
approval, house ready, construction, completion) plus the money granted and
paid. ``grant_progress`` keeps the money per grant, so a household with a
second grant (after a waitlist) sums correctly. ``projection_state`` records,
per event stream, the last event applied: the freshness of every report.
``budget_money`` and ``loan_money`` hold finance's budgets and loans for the
money report, ``fund_money`` each revolving fund's latest balance.
"""

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Index, SmallInteger
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type


class Stage(StrEnum):
    """Where a household stands now. The main path runs surveyed → completed;
    waitlisted, rejected and cancelled are the ways off it."""

    SURVEYED = "surveyed"
    APPROVED = "approved"
    READY_TO_BUILD = "ready_to_build"
    UNDER_CONSTRUCTION = "under_construction"
    COMPLETED = "completed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# The funnel in order, and what "approved" counts: approved or any step beyond it.
MAIN_PATH = (
    Stage.SURVEYED,
    Stage.APPROVED,
    Stage.READY_TO_BUILD,
    Stage.UNDER_CONSTRUCTION,
    Stage.COMPLETED,
)
APPROVED_OR_BEYOND = frozenset(MAIN_PATH[1:])

HOUSEHOLD_PROGRESS = "household_progress"
MONEY = "money"


def as_utc(value: datetime | None) -> datetime | None:
    """Timestamps are stored in UTC; SQLite hands them back without a zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _aware(nullable: bool = True) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class HouseholdProgress(SQLModel, table=True):
    """One household's way through the funnel, whichever service told us each step."""

    __tablename__ = "household_progress"
    __table_args__ = (
        # Covers the reports: they group by programme × province, filter by fiscal year,
        # count stages and sum money, all from this index without touching the table
        # (about 6x faster than a lookup per row at a million households on SQLite).
        Index(
            "ix_household_progress_report",
            "programme",
            "province_code",
            "stage",
            "fiscal_year",
            "grant_amount_satang",
            "disbursed_satang",
        ),
        # Freshness for an area-bound client: the latest event of its provinces.
        Index(
            "ix_household_progress_province_code_last_event_time",
            "province_code",
            "last_event_time",
        ),
    )

    household_id: uuid.UUID = Field(primary_key=True)
    # Plain text, not an enum column: a programme added upstream must never stop the projection.
    programme: str = Field(max_length=32)
    province_code: str = Field(max_length=2)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6)
    # The community (ชุมชน) surveyed in, or the homeless centre: coverage counts them.
    community_id: uuid.UUID | None = None
    household_size: int | None = Field(default=None, description="Persons, from the survey")
    fiscal_year: int | None = Field(default=None, description="B.E., of approval")
    house_id: uuid.UUID | None = None
    stage: Stage = Field(default=Stage.SURVEYED, sa_type=enum_type(Stage))

    surveyed_at: datetime | None = Field(default=None, sa_column=_aware())
    approved_at: datetime | None = Field(default=None, sa_column=_aware())
    rejected_at: datetime | None = Field(default=None, sa_column=_aware())
    waitlisted_at: datetime | None = Field(default=None, sa_column=_aware())
    planned_at: datetime | None = Field(default=None, sa_column=_aware())
    ready_at: datetime | None = Field(default=None, sa_column=_aware())
    started_at: datetime | None = Field(default=None, sa_column=_aware())
    completed_at: datetime | None = Field(default=None, sa_column=_aware())
    cancelled_at: datetime | None = Field(default=None, sa_column=_aware())
    grant_rejected_at: datetime | None = Field(default=None, sa_column=_aware())
    # The milestones as their source dated them: the committee's meeting (survey's
    # approved_at, which may be backdated to the minutes), the day building started
    # and the day it was completed. Reports count a period by these; the event times
    # above order the story (they share one clock, the dates do not).
    approval_dated: datetime | None = Field(default=None, sa_column=_aware())
    start_dated: datetime | None = Field(default=None, sa_column=_aware())
    completion_dated: datetime | None = Field(default=None, sa_column=_aware())
    progress_percent: int | None = None

    grant_amount_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_satang: int = Field(default=0, sa_type=BigInteger)

    last_event_time: datetime = Field(sa_column=_aware(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware(nullable=False))


class GrantProgress(SQLModel, table=True):
    """Money of one grant: approved amount and what its tranches have paid so far,
    and where and for which programme and fiscal year (the money report's cuts)."""

    __tablename__ = "grant_progress"

    grant_id: uuid.UUID = Field(primary_key=True)
    household_id: uuid.UUID = Field(index=True)
    programme: str | None = Field(default=None, max_length=32)
    province_code: str | None = Field(default=None, max_length=2)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6)
    fiscal_year: int | None = Field(default=None, description="B.E.")
    amount_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_satang: int = Field(default=0, sa_type=BigInteger)
    tranches_paid: int = 0
    approved_at: datetime | None = Field(default=None, sa_column=_aware())
    rejected_at: datetime | None = Field(default=None, sa_column=_aware())
    last_event_time: datetime = Field(sa_column=_aware(nullable=False))


class BudgetMoney(SQLModel, table=True):
    """One budget (งบประมาณ): programme × fiscal year × area, and what is allocated to it.

    ``area_level`` and ``area_code`` are finance's own (national TH, a regional office
    code, or an official province, district or sub-district code)."""

    __tablename__ = "budget_money"

    budget_id: uuid.UUID = Field(primary_key=True)
    programme: str = Field(max_length=32)
    fiscal_year: int = Field(description="B.E.")
    area_level: str = Field(max_length=16)
    area_code: str = Field(max_length=32)
    allocated_satang: int = Field(default=0, sa_type=BigInteger)
    allocations: int = 0
    last_event_time: datetime = Field(sa_column=_aware(nullable=False))


class LoanMoney(SQLModel, table=True):
    """One loan (สินเชื่อ): principal approved and paid out, what has come back, and
    whether it is in arrears now (overdue at the last review and not paid since)."""

    __tablename__ = "loan_money"

    loan_id: uuid.UUID = Field(primary_key=True)
    borrower_type: str = Field(max_length=16)
    programme: str = Field(max_length=32)
    province_code: str = Field(max_length=2)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6)
    principal_approved_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_satang: int = Field(default=0, sa_type=BigInteger)
    principal_repaid_satang: int = Field(default=0, sa_type=BigInteger)
    interest_paid_satang: int = Field(default=0, sa_type=BigInteger)
    outstanding_satang: int = Field(default=0, sa_type=BigInteger)
    overdue_satang: int = Field(default=0, sa_type=BigInteger)
    days_past_due: int = 0
    arrears_as_of: date | None = None
    last_paid_on: date | None = None
    last_event_time: datetime = Field(sa_column=_aware(nullable=False))


class FundMoney(SQLModel, table=True):
    """One revolving fund (กองทุนหมุนเวียน): where it is and its balance now.

    The balance is finance's own balance-after of the fund's latest movement (the
    highest ``sequence`` seen), never a sum of amounts, so a redelivered or late
    event cannot count twice or wind the balance back."""

    __tablename__ = "fund_money"

    fund_id: uuid.UUID = Field(primary_key=True)
    scope: str = Field(max_length=16)
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    # Plain text like the others: any programme finance names, or none.
    programme: str | None = Field(default=None, max_length=32)
    province_code: str = Field(max_length=2, index=True)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6)
    balance_satang: int = Field(default=0, sa_type=BigInteger)
    in_satang: int = Field(default=0, sa_type=BigInteger)
    out_satang: int = Field(default=0, sa_type=BigInteger)
    sequence: int = Field(default=0, sa_type=BigInteger)
    last_event_time: datetime = Field(sa_column=_aware(nullable=False))


class ProjectionState(SQLModel, table=True):
    """How far a projection has read one event stream: the freshness of its reports."""

    __tablename__ = "projection_state"

    projection: str = Field(primary_key=True, max_length=64)
    stream: str = Field(primary_key=True, max_length=128)
    last_event_time: datetime = Field(sa_column=_aware(nullable=False))
    last_applied_at: datetime = Field(sa_column=_aware(nullable=False))
    events_applied: int = Field(default=0, sa_type=BigInteger)


PROVINCE_LEVEL, SUBDISTRICT_LEVEL = "province", "subdistrict"
COUNTRY_LEVEL = "country"
"""``reach_summary``'s rows for every province (codes ``NO_CODE``)."""
"""Summary rows are kept twice: per province (country and province-wide callers read
these, a few rows per programme and province) and per sub-district (callers bound to
districts or sub-districts sum these up to their areas)."""

NO_CODE = ""
"""A summary key's district or sub-district when the household has none (or at the
province level): keys are NOT NULL so that an upsert finds its row."""


def _slot() -> Any:
    """A summary row's ``slot``: the projectors of different partitions add to rows of
    their own (``summaries.slot``), so concurrent batches never wait on each other's
    row locks; a reader sums the slots (every report already sums rows), the rebuild
    and the migration fill slot 0."""
    return Field(
        default=0, primary_key=True, sa_type=SmallInteger, sa_column_kwargs={"server_default": "0"}
    )


class ProgressSummary(SQLModel, table=True):
    """Households of one programme in one area, of one fiscal year (0: none) and approved
    in one half of it (``approval_half`` 1 or 2; 0: no approval dated in that year), by
    the stage they are at now, and their grants' money: ``household_progress`` summed.
    A year's rows with half -1 sum its halves, and the rows with year and half -1 sum
    every year (``summaries.EVERY``): a report reads one kind of row only.

    Kept by the projectors in the same transaction as the households (each change of a
    household subtracts its old contribution and adds its new one), so the progress
    report and the funnel read a few rows per programme and area, however many
    households there are. ``tests/test_summaries.py`` checks they equal the GROUP BY."""

    __tablename__ = "progress_summary"
    # A report reads one kind of row (a year's half, a whole year, every year) at one
    # level: a few hundred rows of the province level, not all of them.
    __table_args__ = (
        Index("ix_progress_summary_period", "area_level", "fiscal_year", "approval_half"),
    )

    area_level: str = Field(primary_key=True, max_length=16)
    programme: str = Field(primary_key=True, max_length=32)
    province_code: str = Field(primary_key=True, max_length=2)
    district_code: str = Field(primary_key=True, max_length=4)
    subdistrict_code: str = Field(primary_key=True, max_length=6)
    fiscal_year: int = Field(primary_key=True)
    approval_half: int = Field(primary_key=True)
    slot: int = _slot()
    households: int = 0
    surveyed: int = 0
    approved: int = 0
    ready_to_build: int = 0
    under_construction: int = 0
    completed: int = 0
    waitlisted: int = 0
    rejected: int = 0
    cancelled: int = 0
    grant_amount_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_satang: int = Field(default=0, sa_type=BigInteger)


class AchievementSummary(SQLModel, table=True):
    """Households (and their persons) of one programme in one area that reached a
    milestone (``measure``: approved, started, completed, as the achievement reports
    count them) in one month (its first day, Thai time): the targets report's monthly
    series reads these instead of every household."""

    __tablename__ = "achievement_summary"
    __table_args__ = (Index("ix_achievement_summary_month", "month", "area_level"),)

    area_level: str = Field(primary_key=True, max_length=16)
    programme: str = Field(primary_key=True, max_length=32)
    province_code: str = Field(primary_key=True, max_length=2)
    district_code: str = Field(primary_key=True, max_length=4)
    subdistrict_code: str = Field(primary_key=True, max_length=6)
    measure: str = Field(primary_key=True, max_length=16)
    month: date = Field(primary_key=True)
    slot: int = _slot()
    households: int = 0
    persons: int = 0


NO_COMMUNITY = uuid.UUID(int=0)
"""A place summary's ``community_id`` when the household has none: keys are NOT NULL."""


class PlaceSummary(SQLModel, table=True):
    """Households (and their persons) of one programme in one community of one
    sub-district that reached a milestone (``measure``, as ``achievement_summary``
    counts them) in one period: ``months`` months from ``month`` (its first day, Thai
    time). Each milestone counts in its month (1), its half of the fiscal year (6,
    from October or April) and its fiscal year (12, from October), so a report over a
    year or a half reads one row per place and measure. A place's ``any`` rows count
    its milestones of every measure in the period (persons 0): more than 0 when it
    reached any.

    The projectors keep each place in one row (slot 0, not the partition's): the
    upsert returns its households, so a place that goes 0 -> 1 or 1 -> 0 moves
    ``reach_summary``'s distinct counts in that transaction. A report over a year, a
    half or a month reads ``reach_summary``; one over other whole months (distinct
    places across them) counts the distinct sub-districts and communities with
    households here in the period: its size follows the places and months, not the
    households."""

    __tablename__ = "place_summary"
    __table_args__ = (Index("ix_place_summary_period", "months", "month", "province_code"),)

    programme: str = Field(primary_key=True, max_length=32)
    province_code: str = Field(primary_key=True, max_length=2)
    district_code: str = Field(primary_key=True, max_length=4)
    subdistrict_code: str = Field(primary_key=True, max_length=6)
    community_id: uuid.UUID = Field(primary_key=True)
    measure: str = Field(primary_key=True, max_length=16)
    month: date = Field(primary_key=True)
    months: int = Field(primary_key=True, sa_type=SmallInteger)
    slot: int = _slot()
    households: int = 0
    persons: int = 0


REACH_SLOT = 8
"""The ``reach_summary`` slot whose sub-district rows count the places (``places``)
with a household: one row per sub-district cell that every projector moves under its
row lock, so that a sub-district's count goes 0 -> 1 (it is reached) in exactly one
transaction. The other slots (0-7, ``summaries.SLOTS``) are the partitions'."""


class ReachSummary(SQLModel, table=True):
    """The places one programme reached in one area: the households (and persons) of
    ``place_summary``'s rows summed per area, measure (``any``: any milestone) and
    period, with the number of those places (``places``), of distinct communities and
    of distinct sub-districts that have a household there. Kept for the country, each
    province and each sub-district (callers bound to districts or sub-districts, and
    reports by district, sum the sub-district rows; the country's months are the
    targets report's monthly series for a national caller).

    The projectors keep it in the same transaction as ``place_summary`` (one row per
    place, never split by slot): when a place's households go 0 -> 1 or 1 -> 0 its
    area's places and communities move by one, and when a sub-district's places
    (``REACH_SLOT``) do, the sub-districts move. The targets report and the query API
    then read a few rows per area, however many communities and households there are.
    A community lies in one sub-district: an area's communities are the sum of its
    sub-districts'."""

    __tablename__ = "reach_summary"
    __table_args__ = (Index("ix_reach_summary_period", "months", "month", "area_level"),)

    area_level: str = Field(primary_key=True, max_length=16)
    programme: str = Field(primary_key=True, max_length=32)
    province_code: str = Field(primary_key=True, max_length=2)
    district_code: str = Field(primary_key=True, max_length=4)
    subdistrict_code: str = Field(primary_key=True, max_length=6)
    measure: str = Field(primary_key=True, max_length=16)
    month: date = Field(primary_key=True)
    months: int = Field(primary_key=True, sa_type=SmallInteger)
    slot: int = _slot()
    households: int = 0
    persons: int = 0
    places: int = 0
    communities: int = 0
    subdistricts: int = 0


class GrantSummary(SQLModel, table=True):
    """Grants of one programme in one area and fiscal year (0: none; -1: every year,
    ``summaries.EVERY``), their count and money (integer satang): ``grant_progress``
    summed, kept at the province and the sub-district level like ``progress_summary``.
    The money report reads these instead of every grant."""

    __tablename__ = "grant_summary"
    __table_args__ = (Index("ix_grant_summary_year", "area_level", "fiscal_year"),)

    area_level: str = Field(primary_key=True, max_length=16)
    programme: str = Field(primary_key=True, max_length=32)
    province_code: str = Field(primary_key=True, max_length=2)
    district_code: str = Field(primary_key=True, max_length=4)
    subdistrict_code: str = Field(primary_key=True, max_length=6)
    fiscal_year: int = Field(primary_key=True)
    slot: int = _slot()
    grants: int = 0
    amount_satang: int = Field(default=0, sa_type=BigInteger)
    disbursed_satang: int = Field(default=0, sa_type=BigInteger)

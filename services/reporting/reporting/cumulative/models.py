"""``historical_achievement``: what a programme reached in one place and fiscal year
before the platform counted it (the agency's own books, 2003 onwards)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type


class PlaceKind(StrEnum):
    """The place a record is about, which the long view counts distinct."""

    COMMUNITY = "community"  # ชุมชน: its key is a community id, code or name
    SUBDISTRICT = "subdistrict"  # ตำบล: its key is the official 6-digit code
    CENTRE = "centre"  # ศูนย์ (homeless centres)
    NONE = "none"  # help counted in households only (emergency): the key is a label


class HistoricalAchievement(SQLModel, table=True):
    __tablename__ = "historical_achievement"

    programme: str = Field(primary_key=True, max_length=32)
    fiscal_year: int = Field(primary_key=True, description="B.E.")
    place_kind: PlaceKind = Field(primary_key=True, sa_type=enum_type(PlaceKind))
    place_key: str = Field(primary_key=True, max_length=100)
    province_code: str | None = Field(default=None, max_length=2, index=True)
    households: int
    persons: int
    source: str = Field(max_length=200)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

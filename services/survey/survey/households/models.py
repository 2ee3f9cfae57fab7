"""Household tables: the household as surveyed, and every screening decision on it."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, false, text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from baan_shared.reference import Programme


class Need(StrEnum):
    REPAIR = "repair"
    REBUILD = "rebuild"
    NEW_BUILD = "new_build"
    RELOCATION = "relocation"


class HouseCondition(StrEnum):
    """The state of the house as surveyed (who qualifies, DOMAIN.md)."""

    DILAPIDATED = "dilapidated"  # ชำรุดทรุดโทรม
    NON_DURABLE = "non_durable"  # วัสดุที่ไม่มั่นคง
    NEVER_REPAIRED = "never_repaired"  # ไม่เคยซ่อมแซม
    MUST_REBUILD = "must_rebuild"  # ต้องสร้างใหม่
    SOUND = "sound"  # มั่นคงแข็งแรง: surveyed, but not in need of works


class LandTenure(StrEnum):
    """The household's right to the land the house stands on."""

    OWN_TITLE = "own_title"  # มีโฉนด/เอกสารสิทธิ์
    LEASE = "lease"  # เช่า
    PERMITTED_USE = "permitted_use"  # ได้รับอนุญาตให้ใช้ (เช่น สปก.)
    PUBLIC_LAND = "public_land"  # อาศัยในที่ดินสาธารณะ
    NO_RIGHTS = "no_rights"  # ไม่มีสิทธิ์


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class HouseholdStatus(StrEnum):
    SURVEYED = "surveyed"
    SCREENED = "screened"
    APPROVED = "approved"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


# Households still as surveyed: the bulk of the table (a survey round imports them by
# the hundred thousand), and never looked up by status, where an index would not narrow
# anything; the decided ones (screened, approved, ...) are few and are looked up.
_DECIDED = "status <> 'surveyed'"


def _partial_index(name: str, *columns: str, where: str) -> Index:
    return Index(name, *columns, postgresql_where=text(where), sqlite_where=text(where))


class Household(SQLModel, table=True):
    __tablename__ = "households"
    # Each index is written for every household an import registers, so each one is
    # there for a query (issue 16): the national ID (already registered, approved
    # elsewhere), areas (area filters, coverage), the duplicate key (look-alikes).
    # Households not in a round or community, or not decided yet, have no entry in
    # those indexes: a query by round, community or decided status names one. The
    # programme is only looked up with a status (rankings, lists) or an area: six
    # programmes, too few to narrow a list alone.
    __table_args__ = (
        _partial_index("ix_households_status_programme", "status", "programme", where=_DECIDED),
        _partial_index(
            "ix_households_survey_round_id", "survey_round_id", where="survey_round_id IS NOT NULL"
        ),
        _partial_index(
            "ix_households_community_id", "community_id", where="community_id IS NOT NULL"
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    programme: Programme = Field(sa_type=enum_type(Programme))
    head_name: str = Field(max_length=200)
    national_id: str = Field(max_length=13, index=True)
    phone: str | None = Field(default=None, max_length=20)
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6, index=True)
    village: str | None = Field(default=None, max_length=200)
    survey_round_id: uuid.UUID | None = Field(default=None, foreign_key="survey_rounds.id")
    # The community (ชุมชน) or village it belongs to, when one is registered.
    community_id: uuid.UUID | None = Field(default=None, foreign_key="communities.id")
    household_size: int
    monthly_income_satang: int = Field(sa_type=BigInteger)
    need: Need = Field(sa_type=enum_type(Need))
    estimated_cost_satang: int = Field(sa_type=BigInteger)
    house_condition: HouseCondition | None = Field(
        default=None, sa_type=enum_type(HouseCondition), nullable=True
    )
    land_tenure: LandTenure | None = Field(
        default=None, sa_type=enum_type(LandTenure), nullable=True
    )
    land_parcel_ref: str | None = Field(default=None, max_length=100)
    land_area_sq_wah: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text))
    # Same head name and address as another household under another ID (duplicates.py).
    duplicate_key: str | None = Field(default=None, max_length=400, index=True)
    possible_duplicate: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Eligibility as judged at the last screening or approval (see eligibility.py).
    eligible: bool | None = None
    eligibility_checks: list[dict[str, str]] | None = Field(default=None, sa_column=Column(JSON))
    eligibility_override: str | None = Field(default=None, sa_column=Column(Text))
    status: HouseholdStatus = Field(
        default=HouseholdStatus.SURVEYED, sa_type=enum_type(HouseholdStatus)
    )
    status_reason: str | None = Field(default=None, sa_column=Column(Text))
    fiscal_year: int | None = None
    approved_at: datetime | None = Field(default=None, sa_column=_aware(nullable=True))
    approved_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class HouseholdTransition(SQLModel, table=True):
    """One screening decision: who moved the household from which status to which, and why."""

    __tablename__ = "household_transitions"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="households.id", index=True)
    from_status: HouseholdStatus | None = Field(default=None, sa_type=enum_type(HouseholdStatus))
    to_status: HouseholdStatus = Field(sa_type=enum_type(HouseholdStatus))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    decided_by: str = Field(max_length=200)
    # When the committee decided (its meeting date may be long past) ...
    decided_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    # ... and when the decision was entered here; null on rows from before it was kept.
    recorded_at: datetime | None = Field(default_factory=utcnow, sa_column=_aware(nullable=True))


class HouseholdEdit(SQLModel, table=True):
    """One field corrected on a household or one of its members (แก้ไขข้อมูล): who, when, old → new.

    National IDs are kept masked here: the history is read more widely than the record.
    """

    __tablename__ = "household_edits"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="households.id", index=True)
    field: str = Field(max_length=100)
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    edited_by: str = Field(max_length=200)
    edited_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class HouseholdMember(SQLModel, table=True):
    """A person living in the household (สมาชิกในครัวเรือน); names are not needed to rank need."""

    __tablename__ = "household_members"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="households.id", index=True)
    position: int
    age: int
    sex: Sex = Field(sa_type=enum_type(Sex))
    disability: bool = False
    chronic_illness: bool = False

    @property
    def vulnerable(self) -> bool:
        """Elderly, young children, disabled or chronically ill: weighs in the ranking."""
        return self.age >= 60 or self.age < 6 or self.disability or self.chronic_illness

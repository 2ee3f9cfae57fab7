"""The ``target`` table and the units each programme counts in."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.reference import Programme
from reporting.geography import AreaLevel
from reporting.periods import PeriodKind


class Unit(StrEnum):
    """What a target counts (หน่วยนับ)."""

    HOUSEHOLDS = "households"  # ครัวเรือน
    PERSONS = "persons"  # คน
    COMMUNITIES = "communities"  # ชุมชน
    SUBDISTRICTS = "subdistricts"  # ตำบล
    CENTRES = "centres"  # ศูนย์


PROGRAMME_UNITS: dict[Programme, frozenset[Unit]] = {
    Programme.BAAN_MANKONG: frozenset({Unit.HOUSEHOLDS, Unit.COMMUNITIES}),
    Programme.BAAN_PHO_PHIANG: frozenset({Unit.HOUSEHOLDS, Unit.SUBDISTRICTS}),
    Programme.LAND_REFORM: frozenset({Unit.HOUSEHOLDS}),
    Programme.CANAL: frozenset({Unit.HOUSEHOLDS, Unit.COMMUNITIES}),
    Programme.HOMELESS: frozenset({Unit.PERSONS, Unit.CENTRES}),
    Programme.EMERGENCY: frozenset({Unit.HOUSEHOLDS}),
}


class TargetLevel(StrEnum):
    """Targets are set for the whole country, a regional office or a province: the
    words of ``baan_shared.reference.AreaLevel``, without the district and
    sub-district, which have no targets."""

    COUNTRY = AreaLevel.COUNTRY.value
    REGION = AreaLevel.REGION.value
    PROVINCE = AreaLevel.PROVINCE.value


class Target(SQLModel, table=True):
    """One target: programme × fiscal year or half × area × unit → quantity."""

    __tablename__ = "target"

    programme: str = Field(primary_key=True, max_length=32)
    fiscal_year: int = Field(primary_key=True, description="B.E.")
    period: PeriodKind = Field(primary_key=True, sa_type=enum_type(PeriodKind))
    area_level: AreaLevel = Field(primary_key=True, sa_type=enum_type(AreaLevel))
    area_code: str = Field(primary_key=True, max_length=6)
    unit: Unit = Field(primary_key=True, sa_type=enum_type(Unit))
    quantity: int = Field(sa_type=BigInteger)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

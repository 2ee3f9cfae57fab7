"""A programme's rules as data: an admin changes them without a release."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.reference import Programme


class ProgrammeUnit(StrEnum):
    """What the programme counts: households, or persons (homeless centres)."""

    HOUSEHOLD = "household"
    PERSON = "person"


class ProgrammeRules(SQLModel, table=True):
    __tablename__ = "programmes"

    code: Programme = Field(sa_type=enum_type(Programme), primary_key=True)
    name_th: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    unit: ProgrammeUnit = Field(sa_type=enum_type(ProgrammeUnit))
    # None: the programme sets no income limit.
    income_limit_satang: int | None = Field(default=None, sa_type=BigInteger)
    # Empty list: any house condition / any tenure qualifies.
    allowed_house_conditions: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    allowed_tenures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Saved priority-ranking weights (households/priority.py); the ranking and the
    # list's priority sort use them unless the caller gives others.
    weight_income: float = Field(default=0.5, sa_column_kwargs={"server_default": "0.5"})
    weight_condition: float = Field(default=0.3, sa_column_kwargs={"server_default": "0.3"})
    weight_vulnerable: float = Field(default=0.2, sa_column_kwargs={"server_default": "0.2"})
    updated_by: str = Field(default="seed", max_length=200)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

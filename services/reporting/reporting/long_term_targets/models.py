"""``long_term_target``: every version of each national long-term target.

The agency changes its targets (a cabinet decision, a new phase of the master
plan), so a target is never overwritten: each change is a new version, and the
newest version is the target in force.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime


class LongTermTarget(SQLModel, table=True):
    """One version of a target: households to reach over a span of fiscal years, in
    some programmes (none named: every programme)."""

    __tablename__ = "long_term_target"

    code: str = Field(primary_key=True, max_length=40)
    version: int = Field(primary_key=True)
    name_th: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    programmes: str = Field(
        max_length=200, description="Programme codes, comma-separated; empty for every one"
    )
    first_fiscal_year: int = Field(description="B.E.")
    last_fiscal_year: int = Field(description="B.E.")
    households: int = Field(sa_type=BigInteger)
    source: str = Field(max_length=300)
    set_by: str = Field(max_length=200, description="The client that set this version")
    set_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

    @property
    def programme_codes(self) -> list[str]:
        return [code for code in self.programmes.split(",") if code]

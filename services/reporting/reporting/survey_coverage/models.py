"""``tambon_coverage``: each tambon's latest coverage figures, as survey published them."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.db import UTCDateTime


class TambonCoverage(SQLModel, table=True):
    __tablename__ = "tambon_coverage"

    subdistrict_code: str = Field(primary_key=True, max_length=6)
    district_code: str = Field(max_length=4)
    province_code: str = Field(max_length=2, index=True)
    region_code: str | None = Field(default=None, max_length=3)
    communities: int
    communities_surveyed: int
    households_surveyed: int
    households_in_area: int | None = None
    whole_tambon_surveyed: bool
    as_of: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

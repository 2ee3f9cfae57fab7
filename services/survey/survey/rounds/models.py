"""A survey round: who surveyed which sub-district (or community), when."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime
from baan_shared.ids import new_id


class SurveyRound(SQLModel, table=True):
    __tablename__ = "survey_rounds"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6, index=True)
    community_id: uuid.UUID | None = Field(default=None, foreign_key="communities.id", index=True)
    run_by: str = Field(max_length=200)
    started_on: date
    finished_on: date | None = None
    # Households living in the area, as the local registry or the community counts them:
    # the denominator of coverage. Unknown until someone gives it.
    households_in_area: int | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

"""What the survey rounds API accepts and returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from baan_shared.http.bounds import Count
from survey.areas import service as areas


class SurveyRoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subdistrict_code: areas.KnownSubdistrictCode = Field(description="The tambon surveyed")
    community_id: uuid.UUID | None = Field(
        default=None, description="Set when the round covers one community, not the whole tambon"
    )
    run_by: str = Field(min_length=1, max_length=200, description="Who ran the survey")
    started_on: date
    finished_on: date | None = None
    households_in_area: Count | None = Field(
        default=None, ge=1, description="Households living in the area: coverage's denominator"
    )
    notes: str | None = Field(default=None, max_length=4000)

    @field_validator("finished_on")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        started = info.data.get("started_on")
        if value is not None and started is not None and value < started:
            raise ValueError("cannot finish before started_on")
        return value


class SurveyRoundFinish(BaseModel):
    """The round is over: the day, and the area's households if counted by then."""

    model_config = ConfigDict(extra="forbid")

    finished_on: date
    households_in_area: Count | None = Field(
        default=None, ge=1, description="Households living in the area: coverage's denominator"
    )


class SurveyRoundPublic(BaseModel):
    id: uuid.UUID
    province_code: str
    district_code: str
    subdistrict_code: str
    community_id: uuid.UUID | None
    run_by: str
    started_on: date
    finished_on: date | None
    households_in_area: int | None
    households_counted: int = Field(description="Households registered in this round")
    coverage: float | None = Field(
        description="households_counted / households_in_area, null while the area size is unknown"
    )
    notes: str | None
    created_at: datetime


class SurveyRoundsPublic(BaseModel):
    items: list[SurveyRoundPublic]
    next_cursor: str | None

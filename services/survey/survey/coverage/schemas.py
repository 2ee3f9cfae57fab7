"""What /v1/tambons/{subdistrict_code}/coverage returns."""

from datetime import datetime

from pydantic import BaseModel, Field


class TambonCoveragePublic(BaseModel):
    subdistrict_code: str
    district_code: str
    province_code: str
    communities: int = Field(description="Communities and villages registered in the tambon")
    communities_surveyed: int = Field(
        description="Of them, those with a finished survey round of their own"
    )
    whole_tambon_rounds_finished: int = Field(
        description="Finished survey rounds that covered the whole tambon"
    )
    households_surveyed: int = Field(description="Households registered in the tambon")
    households_in_area: int | None = Field(
        description="The tambon's households, as its latest finished whole-tambon round gave "
        "them; null while unknown"
    )
    household_coverage: float | None = Field(
        description="households_surveyed / households_in_area (may exceed 1: never capped)"
    )
    whole_tambon_surveyed: bool = Field(
        description="A whole-tambon round finished, or every registered community's did"
    )
    as_of: datetime

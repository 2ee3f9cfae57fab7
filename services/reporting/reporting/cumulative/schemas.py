"""What /v1/historical-achievements and /v1/reports/cumulative accept and return."""

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.http.bounds import Count, FiscalYearBE
from baan_shared.reference import Programme
from reporting.cumulative.models import PlaceKind


class HistoricalAchievementSet(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    programme: Programme
    fiscal_year: FiscalYearBE = Field(description="B.E., e.g. 2546 for Oct 2002 - Sep 2003")
    place_kind: PlaceKind
    place_key: str = Field(
        min_length=1,
        max_length=100,
        description="A tambon's official code, or a community's or centre's id, code or name",
    )
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    households: Count = 0
    persons: Count = 0
    source: str = Field(min_length=1, max_length=200, examples=["รายงานประจำปี พอช. 2565"])


class HistoricalAchievementsSet(BaseModel):
    """Records to load; each replaces the one with the same programme, year and place.
    All or nothing."""

    items: list[HistoricalAchievementSet] = Field(min_length=1, max_length=10_000)


class HistoricalAchievementsLoaded(BaseModel):
    loaded: int
    records: int = Field(description="Historical records held after the load")


class Reached(BaseModel):
    communities: int
    tambons: int
    centres: int
    households: int
    persons: int


class CumulativeRow(BaseModel):
    programme: str
    unit: str = Field(description="households, or persons for the homeless programme")
    reached: int = Field(description="households or persons, by the programme's unit")
    communities: int = Field(description="Distinct communities over both sources")
    tambons: int = Field(description="Distinct tambons over both sources")
    centres: int
    households: int
    persons: int
    historical: Reached = Field(description="From the historical records")
    platform: Reached = Field(description="Counted by the platform: houses completed")


class CumulativeReport(BaseModel):
    from_year: int = Field(description="First fiscal year, B.E.")
    to_year: int = Field(description="Last fiscal year, B.E.")
    rows: list[CumulativeRow] = Field(description="One per programme with anything reached")
    total: int = Field(description="Sum of reached: households and persons")

"""What /v1/long-term-targets and /v1/reports/long-term-targets accept and return."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.http.bounds import Count, FiscalYearBE
from baan_shared.reference import Programme

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"


class LongTermTargetSet(BaseModel):
    """A target's new version. Sending the version in force again changes nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_th: str = Field(min_length=1, max_length=200, examples=["แผนแม่บทที่อยู่อาศัย 20 ปี"])
    name_en: str = Field(min_length=1, max_length=200, examples=["20-year housing master plan"])
    programmes: list[Programme] = Field(
        default_factory=list,
        max_length=len(Programme),
        description="The programmes whose households count toward it; empty: every programme",
    )
    first_fiscal_year: FiscalYearBE = Field(description="B.E., e.g. 2560 (Oct 2016 - Sep 2017)")
    last_fiscal_year: FiscalYearBE = Field(description="B.E., e.g. 2579 (Oct 2035 - Sep 2036)")
    households: Count = Field(description="Households (persons, for the homeless) to reach")
    source: str = Field(
        min_length=1, max_length=300, description="Where the figure comes from (a decision)"
    )


class LongTermTargetPublic(BaseModel):
    code: str
    version: int = Field(description="1 for the first, then one more per change")
    name_th: str
    name_en: str
    programmes: list[str] = Field(description="Empty: every programme")
    first_fiscal_year: int
    last_fiscal_year: int
    households: int
    source: str
    set_by: str
    set_at: datetime


class LongTermTargetsPublic(BaseModel):
    items: list[LongTermTargetPublic] = Field(description="The version in force of each target")


class LongTermTargetHistory(BaseModel):
    code: str
    versions: list[LongTermTargetPublic] = Field(description="Every version, newest first")


class LongTermYear(BaseModel):
    fiscal_year: int = Field(description="B.E.")
    planned: int = Field(description="Households in the adopted tambon plans for the year")
    reached: int = Field(description="Households (persons, for the homeless) reached in it")
    reached_to_date: int = Field(description="Reached from the target's first year to this one")


class LongTermTargetProgress(BaseModel):
    target: LongTermTargetPublic
    planned: int = Field(description="Households in the adopted tambon plans over the span")
    reached: int = Field(
        description="Households (persons, for the homeless) reached over the span: the "
        "historical records and the houses the platform saw completed, as "
        "/v1/reports/cumulative counts them"
    )
    remaining: int = Field(description="Target less reached; 0 once reached")
    planned_percent_of_target: float | None
    reached_percent_of_target: float | None = Field(description="Never capped")
    years: list[LongTermYear] = Field(description="One per fiscal year of the span")


class LongTermTargetReport(BaseModel):
    rows: list[LongTermTargetProgress] = Field(description="One per target in force")

"""What /v1/reports/targets returns. Percentages are never capped: 12,543 done of
11,500 is 109.1."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel
from reporting.periods import PeriodKind
from reporting.reports.schemas import AS_OF, DrillDown
from reporting.targets.models import Unit


class PeriodPublic(BaseModel):
    fiscal_year: int = Field(description="Buddhist Era")
    period: PeriodKind
    label_th: str = Field(examples=["ปีงบประมาณ 2562 ครึ่งปีแรก (ต.ค. 2561 - มี.ค. 2562)"])
    label_en: str = Field(examples=["FY2019 H1 (Oct 2018 - Mar 2019)"])
    range_th: str = Field(examples=["ต.ค. 2561 - มี.ค. 2562"])
    range_en: str = Field(examples=["Oct 2018 - Mar 2019"])
    starts_on: date
    ends_on: date = Field(description="Last day of the period, inclusive")


class TargetAchieved(BaseModel):
    target: int | None = Field(
        description="The target set for this area, else the sum of the targets of its "
        "parts (a region's provinces, the country's regions); null when none is set. "
        "A client bound to areas gets only its provinces' targets: a region's or the "
        "country's row sums those, never the target set for the whole region or country"
    )
    approved: int = Field(description="Approved in the period, not set aside since")
    started: int = Field(description="Construction started in the period, not cancelled since")
    completed: int = Field(description="Completed in the period")
    subdistricts_reached: int = Field(
        description="Coverage: distinct sub-districts (tambon) with a household approved, "
        "started or completed in the period"
    )
    communities_reached: int = Field(
        description="Coverage: distinct communities (or homeless centres) with a household "
        "approved, started or completed in the period; households of no community count none"
    )
    approved_percent: float | None = Field(description="approved / target × 100, one decimal")
    started_percent: float | None
    completed_percent: float | None


class TargetRow(TargetAchieved, DrillDown):
    """approved, started and completed link to their households (in households only)."""

    programme: str
    area_level: AreaLevel
    area_code: str | None = Field(description="Null for households whose area is not known")
    area_name_th: str | None
    area_name_en: str | None


class MonthAchieved(DrillDown):
    month: str = Field(examples=["2018-10"])
    label_th: str = Field(examples=["ต.ค. 2561"])
    label_en: str = Field(examples=["Oct 2018"])
    approved: int
    started: int
    completed: int
    approved_to_date: int = Field(description="From the start of the period to this month's end")
    started_to_date: int
    completed_to_date: int


class TargetReport(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    period: PeriodPublic
    unit: Unit
    level: AreaLevel
    rows: list[TargetRow] = Field(description="One per programme × area, in that order")
    totals: list[TargetRow] = Field(
        description="One per programme, over the whole area asked for (the country, "
        "a region, a province or a district)"
    )
    months: list[MonthAchieved] = Field(
        description="Households per month over every row (always in households)"
    )

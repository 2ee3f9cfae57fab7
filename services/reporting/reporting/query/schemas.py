"""What /v1/query returns: one flat cell per programme × period × area."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel
from reporting.periods import PeriodKind
from reporting.reports.schemas import AS_OF, DrillDown
from reporting.targets.models import Unit


class Measure(StrEnum):
    TARGET = "target"
    APPROVED = "approved"
    STARTED = "started"
    COMPLETED = "completed"
    APPROVED_PERCENT = "approved_percent"
    STARTED_PERCENT = "started_percent"
    COMPLETED_PERCENT = "completed_percent"
    SUBDISTRICTS_REACHED = "subdistricts_reached"
    COMMUNITIES_REACHED = "communities_reached"
    # Money, over the whole fiscal year whatever the period (budgets are annual);
    # loans are what is outstanding now, the same in every year asked for.
    BUDGET_ALLOCATED_SATANG = "budget_allocated_satang"
    GRANT_RESERVED_SATANG = "grant_reserved_satang"
    GRANT_DISBURSED_SATANG = "grant_disbursed_satang"
    LOAN_OUTSTANDING_SATANG = "loan_outstanding_satang"
    LOANS_IN_ARREARS = "loans_in_arrears"
    ARREARS_RATIO_PERCENT = "arrears_ratio_percent"
    # Revolving funds (กองทุนหมุนเวียน), a stock like loans: the funds in the area
    # serving the cell's programme or the place as a whole (see query.funds).
    REVOLVING_FUNDS = "revolving_funds"
    REVOLVING_FUND_BALANCE_SATANG = "revolving_fund_balance_satang"
    REVOLVING_FUND_IN_SATANG = "revolving_fund_in_satang"
    REVOLVING_FUND_OUT_SATANG = "revolving_fund_out_satang"


MONEY_MEASURES = frozenset(
    {
        Measure.BUDGET_ALLOCATED_SATANG,
        Measure.GRANT_RESERVED_SATANG,
        Measure.GRANT_DISBURSED_SATANG,
        Measure.LOAN_OUTSTANDING_SATANG,
        Measure.LOANS_IN_ARREARS,
        Measure.ARREARS_RATIO_PERCENT,
    }
)
FUND_MEASURES = frozenset(
    {
        Measure.REVOLVING_FUNDS,
        Measure.REVOLVING_FUND_BALANCE_SATANG,
        Measure.REVOLVING_FUND_IN_SATANG,
        Measure.REVOLVING_FUND_OUT_SATANG,
    }
)


class Cell(DrillDown):
    """approved, started and completed (when asked for, in households) link to their
    households in ``drill_down``."""

    programme: str
    fiscal_year: int
    period: PeriodKind
    period_label_th: str
    period_label_en: str
    area_level: AreaLevel
    area_code: str | None
    area_name_th: str | None
    area_name_en: str | None
    measures: dict[Measure, int | float | None] = Field(
        description="The measures asked for; a percentage is null without a target"
    )


class QueryResult(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    unit: Unit
    measures: list[Measure]
    cells: list[Cell]

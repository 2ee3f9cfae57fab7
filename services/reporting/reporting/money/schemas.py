"""What /v1/reports/money returns. Money is integer satang."""

from datetime import datetime

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel
from reporting.reports.schemas import AS_OF


class MoneyFigures(BaseModel):
    budget_allocated_satang: int = Field(
        description="Allocated to budgets of the fiscal year in this area (after reversals)"
    )
    grant_reserved_satang: int = Field(
        description="Approved grants of the fiscal year: money reserved from the budgets, "
        "including what has since been paid"
    )
    grant_disbursed_satang: int = Field(description="Paid out on those grants so far")
    loans: int = Field(description="Loans approved, whatever the year (a stock, not a flow)")
    loan_principal_approved_satang: int
    loan_disbursed_satang: int
    loan_repaid_satang: int = Field(
        description="Principal and interest repaid: what has flowed back into the funds"
    )
    loan_outstanding_satang: int = Field(description="Principal paid out and not yet repaid")
    loans_in_arrears: int = Field(
        description="Loans overdue at their last arrears review and not paid up since"
    )
    loan_overdue_satang: int
    loan_outstanding_in_arrears_satang: int
    arrears_ratio_percent: float | None = Field(
        description="Outstanding principal of loans in arrears ÷ all outstanding principal "
        "× 100, one decimal; null with nothing outstanding"
    )


class MoneyRow(MoneyFigures):
    programme: str
    area_level: AreaLevel
    area_code: str | None
    area_name_th: str | None
    area_name_en: str | None


class MoneyReport(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    fiscal_year: int | None = Field(
        description="B.E.; budgets and grants of this year only (loans are never filtered)"
    )
    level: AreaLevel
    rows: list[MoneyRow] = Field(description="One per programme × area, in that order")
    totals: list[MoneyRow] = Field(
        description="One per programme over the whole area asked for; includes budgets "
        "allocated to the area as a whole (e.g. national budgets in the country's total), "
        "which no finer row shows"
    )

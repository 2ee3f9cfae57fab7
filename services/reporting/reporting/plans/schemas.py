"""What /v1/reports/plans returns: plan against target against achieved."""

from datetime import datetime

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel
from reporting.reports.schemas import AS_OF


class PlanRow(BaseModel):
    programme: str
    area_level: AreaLevel
    area_code: str | None
    area_name_th: str | None
    area_name_en: str | None
    planned_households: int = Field(description="Households in the adopted tambon plans")
    planned_budget_satang: int = Field(description="Budget the adopted plans ask, in satang")
    planned_communities: int
    tambons_planned: int = Field(description="Distinct tambons with an adopted plan line")
    target: int | None = Field(description="Households targeted (as /v1/reports/targets)")
    approved: int = Field(description="Households approved in the fiscal year")
    completed: int = Field(description="Households whose house was completed in the year")
    planned_percent_of_target: float | None = Field(description="planned / target × 100")
    completed_percent_of_plan: float | None = Field(
        description="completed / planned × 100, never capped"
    )


class PlanReport(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    fiscal_year: int = Field(description="B.E.")
    level: AreaLevel
    rows: list[PlanRow] = Field(description="One per programme × area")
    totals: list[PlanRow] = Field(description="One per programme over the whole area asked for")

"""What /v1/query returns: one flat cell per programme × period × area."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel
from reporting.periods import PeriodKind
from reporting.reports.schemas import AS_OF
from reporting.targets.models import Unit


class Measure(StrEnum):
    TARGET = "target"
    APPROVED = "approved"
    STARTED = "started"
    COMPLETED = "completed"
    APPROVED_PERCENT = "approved_percent"
    STARTED_PERCENT = "started_percent"
    COMPLETED_PERCENT = "completed_percent"


class Cell(BaseModel):
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

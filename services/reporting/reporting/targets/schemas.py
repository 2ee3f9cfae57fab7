"""What /v1/targets accepts and returns."""

from datetime import datetime

from pydantic import BaseModel, Field

from baan_shared.http.bounds import FiscalYearBE
from baan_shared.reference import Programme
from reporting.periods import PeriodKind
from reporting.targets.models import TargetLevel, Unit


class TargetKey(BaseModel):
    programme: Programme
    fiscal_year: FiscalYearBE = Field(description="Buddhist Era, e.g. 2562")
    period: PeriodKind = Field(description="year, h1 (Oct-Mar) or h2 (Apr-Sep)")
    area_level: TargetLevel = Field(description="country, region or province")
    area_code: str = Field(
        min_length=1,
        max_length=6,
        description="TH for the country, a regional office code (BVE, N, CW, NE, S) "
        "or a 2-digit province code",
    )
    unit: Unit = Field(description="Must be one the programme counts in")


class TargetSet(TargetKey):
    quantity: int = Field(ge=0, le=100_000_000)


class TargetsSet(BaseModel):
    """Targets to set; each replaces the one with the same key. All or nothing."""

    targets: list[TargetSet] = Field(min_length=1, max_length=5000)


class TargetPublic(TargetSet):
    area_name_th: str | None
    area_name_en: str | None
    updated_at: datetime


class TargetsPublic(BaseModel):
    targets: list[TargetPublic]

"""What /v1/reports/survey-coverage returns."""

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel


class CoverageRow(BaseModel):
    area_level: AreaLevel
    area_code: str
    area_name_th: str | None
    area_name_en: str | None
    tambons: int = Field(description="Tambons in the area (official list)")
    tambons_reported: int = Field(description="Tambons with a finished survey round")
    tambons_surveyed_whole: int = Field(description="Tambons surveyed as a whole")
    whole_area_surveyed: bool = Field(description="Every tambon of the area surveyed as a whole")
    households_surveyed: int
    households_in_area: int = Field(description="Sum over the tambons whose size is known")


class CoverageReport(BaseModel):
    level: AreaLevel
    rows: list[CoverageRow]

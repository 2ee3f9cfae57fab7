"""What the milestones API returns."""

from datetime import date

from pydantic import BaseModel


class MilestonePublic(BaseModel):
    code: str
    percent: int
    label_th: str


class TemplatePublic(BaseModel):
    name: str
    work_types: list[str]
    programmes: list[str] | None
    milestones: list[MilestonePublic]


class HouseMilestonePublic(MilestonePublic):
    """One milestone of a house's template, and whether (when, by whom) it was reached."""

    reached: bool
    reached_on: date | None
    reported_by: str | None


class HouseMilestonesPublic(BaseModel):
    template: str
    milestones: list[HouseMilestonePublic]

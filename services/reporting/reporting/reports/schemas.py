"""What the reports API returns. Money is integer satang; every report says how
fresh it is (``as_of``: the time of the last event applied)."""

from datetime import datetime

from pydantic import BaseModel, Field

from reporting.projections.models import Stage

AS_OF = (
    "Time of the last event applied to the projection (UTC); the report includes every "
    "event up to it. Null before the first event."
)


class HouseholdCounts(BaseModel):
    surveyed: int = Field(description="Every household heard of, whatever its stage")
    approved: int = Field(
        description="Approved and not set aside since, or further along: "
        "ready to build, under construction or completed"
    )
    ready_to_build: int = Field(description="House ready to build, not started")
    under_construction: int
    completed: int
    waitlisted: int = Field(description="Waiting, including after a grant refused for budget")
    rejected: int
    cancelled: int = Field(description="House work cancelled, nothing planned since")
    grant_approved_satang: int
    grant_disbursed_satang: int


DRILL_DOWN = (
    "Each figure's drill-down: the path (relative to the service's root) of "
    "GET /v1/reports/households listing exactly the households it counts, by field name"
)


class DrillDown(BaseModel):
    drill_down: dict[str, str] = Field(description=DRILL_DOWN)


class AreaKey(BaseModel):
    programme: str
    province_code: str


class ProgressRow(HouseholdCounts, AreaKey, DrillDown):
    """Households of one programme in one province."""


class ProgressTotals(HouseholdCounts, DrillDown):
    """Households over every row."""


class ProgressReport(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    rows: list[ProgressRow] = Field(description="One per programme × province, in that order")
    totals: ProgressTotals


class FunnelStep(DrillDown):
    stage: Stage
    households: int = Field(description="Households at this stage now")
    reached: int = Field(
        description="Households at this stage or further along surveyed → approved → "
        "ready_to_build → under_construction → completed (every household for surveyed); "
        "off that path, same as households"
    )


class FunnelReport(DrillDown):
    as_of: datetime | None = Field(description=AS_OF)
    stages_as_of: datetime | None = Field(
        description="With as_of_date: the moment the stages are of (the end of that day, "
        "Thai time); null: now"
    )
    households: int = Field(description="Every household heard of (by stages_as_of)")
    stages: list[FunnelStep]


class StreamFreshness(BaseModel):
    stream: str = Field(description="The topic, e.g. survey.households")
    last_event_time: datetime = Field(description="Latest event time applied from this stream")
    last_applied_at: datetime = Field(description="When reporting last applied one of its events")
    events_applied: int


class FreshnessReport(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    last_applied_at: datetime | None = Field(description="When the last event was applied")
    streams: list[StreamFreshness]

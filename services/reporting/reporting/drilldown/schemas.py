"""What the drill-down returns: one page of the households behind a figure, and
one household's record as reporting knows it.

Reporting holds no personal data (no names, national ids or phone numbers): a
household is its id, where it is, which community, its stage, dates and money.
Its record, with personal data masked unless the caller may see it, is survey's
``GET /v1/households/{household_id}``.
"""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from reporting.projections.models import Stage
from reporting.reports.schemas import AS_OF


class Measure(StrEnum):
    """Which figure of a report the list is behind."""

    HOUSEHOLDS = "households"
    """Households (at ``stage`` if given): progress's surveyed and stage columns,
    the funnel's households."""
    APPROVED = "approved"
    """Approved or further along (progress's approved)."""
    REACHED = "reached"
    """At ``stage`` or further along the main path (the funnel's reached)."""
    APPROVED_IN_PERIOD = "approved_in_period"
    """Approved in the period and not set aside since (targets' approved)."""
    STARTED_IN_PERIOD = "started_in_period"
    """Construction started in the period and not cancelled since (targets' started)."""
    COMPLETED_IN_PERIOD = "completed_in_period"
    """Completed in the period (targets' completed)."""


IN_PERIOD = (Measure.APPROVED_IN_PERIOD, Measure.STARTED_IN_PERIOD, Measure.COMPLETED_IN_PERIOD)


class HouseholdPublic(BaseModel):
    household_id: uuid.UUID
    household_path: str = Field(
        description="The household's record in the survey service (relative to its root)"
    )
    programme: str
    stage: Stage = Field(description="Its stage now, or at the end of ``as_of_date``")
    fiscal_year: int | None = Field(description="B.E., of approval")
    region: str | None = Field(description="CODI's regional office serving the province")
    province_code: str
    province_name_th: str | None
    province_name_en: str | None
    district_code: str | None
    subdistrict_code: str | None
    subdistrict_name_th: str | None
    subdistrict_name_en: str | None
    community_id: uuid.UUID | None = Field(description="The community (or homeless centre)")
    surveyed_at: datetime | None
    approved_on: datetime | None = Field(description="The approval as the committee dated it")
    started_on: datetime | None = Field(description="Construction started, as dated")
    completed_on: datetime | None = Field(description="Completed, as dated")
    waitlisted_at: datetime | None
    rejected_at: datetime | None
    cancelled_at: datetime | None
    grant_approved_satang: int
    grant_paid_satang: int


class HouseholdsPublic(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    count: int = Field(description="Households behind the figure: equals the report's figure")
    items: list[HouseholdPublic] = Field(description="Ordered by household id")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class GrantPublic(BaseModel):
    """One grant of the household (a second follows a waitlist)."""

    grant_id: uuid.UUID
    fiscal_year: int | None = Field(description="B.E.")
    amount_satang: int
    disbursed_satang: int
    tranches_paid: int
    approved_at: datetime | None
    rejected_at: datetime | None


class HouseholdRecordPublic(BaseModel):
    """One household as reporting knows it: where it is, how far it got and when, and
    its money. No personal data (reporting holds none); names and national ids are
    survey's record (``household_path``), masked there unless the caller may see them."""

    as_of: datetime | None = Field(description=AS_OF)
    household_id: uuid.UUID
    household_path: str = Field(
        description="The household's record in the survey service (relative to its root)"
    )
    programme: str
    stage: Stage = Field(description="Its stage now")
    fiscal_year: int | None = Field(description="B.E., of approval")
    household_size: int | None = Field(description="Persons, from the survey")
    region: str | None = Field(description="CODI's regional office serving the province")
    region_name_th: str | None
    region_name_en: str | None
    province_code: str
    province_name_th: str | None
    province_name_en: str | None
    district_code: str | None
    district_name_th: str | None
    district_name_en: str | None
    subdistrict_code: str | None
    subdistrict_name_th: str | None
    subdistrict_name_en: str | None
    community_id: uuid.UUID | None = Field(description="The community (or homeless centre)")
    house_id: uuid.UUID | None = Field(description="Construction's house work")
    progress_percent: int | None = Field(description="Construction's last reported progress")
    surveyed_at: datetime | None
    approved_on: datetime | None = Field(description="The approval as the committee dated it")
    planned_at: datetime | None = Field(description="Construction planned the house")
    ready_at: datetime | None = Field(description="Ready to build")
    started_on: datetime | None = Field(description="Construction started, as dated")
    completed_on: datetime | None = Field(description="Completed, as dated")
    waitlisted_at: datetime | None
    rejected_at: datetime | None
    cancelled_at: datetime | None
    grant_rejected_at: datetime | None = Field(description="The budget ran out for its grant")
    grant_approved_satang: int
    grant_paid_satang: int
    grants: list[GrantPublic] = Field(description="Each grant, oldest first")
    last_event_at: datetime = Field(description="The last event reporting applied to it")

"""Grant tables: each household's grant (เงินอุดหนุน), its paid tranches, and the
stages of the house that construction has reported."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class GrantStatus(StrEnum):
    APPROVED = "approved"  # committed, nothing paid yet
    DISBURSING = "disbursing"  # some tranches paid
    DISBURSED = "disbursed"  # paid in full
    REJECTED = "rejected"  # no budget could cover it; nothing committed


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class Grant(SQLModel, table=True):
    """The money one approved household is entitled to. One grant per household."""

    __tablename__ = "grants"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    household_id: uuid.UUID = Field(unique=True)
    house_id: uuid.UUID | None = Field(default=None, index=True)
    programme: str = Field(max_length=32, index=True)
    province_code: str = Field(max_length=2, index=True)
    district_code: str | None = Field(default=None, max_length=4)
    subdistrict_code: str | None = Field(default=None, max_length=6)
    fiscal_year: int = Field(index=True, description="Buddhist-Era fiscal year of approval")
    # The community (ชุมชน) and construction project the household's house belongs to,
    # as survey and construction report them; a project's own budget pays first.
    community_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = Field(default=None, index=True)
    amount_satang: int = Field(sa_type=BigInteger)
    # The budget the grant is reserved from; none while it is rejected.
    budget_id: uuid.UUID | None = Field(default=None, foreign_key="budgets.id", index=True)
    rejection_reason: str | None = Field(default=None, max_length=500)
    disbursed_satang: int = Field(default=0, sa_type=BigInteger)
    status: GrantStatus = Field(
        default=GrantStatus.APPROVED, sa_type=enum_type(GrantStatus), index=True
    )
    # Which event opened the grant: household.approved, or a house event that overtook it.
    opened_by: str = Field(max_length=64)
    source_event_id: uuid.UUID | None = None
    approved_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

    @property
    def outstanding_satang(self) -> int:
        return self.amount_satang - self.disbursed_satang


class GrantDisbursement(SQLModel, table=True):
    """One tranche paid (งวด). (grant, tranche) is unique: a replayed event never pays twice."""

    __tablename__ = "grant_disbursements"
    __table_args__ = (
        UniqueConstraint("grant_id", "tranche", name="uq_grant_disbursements_grant_id_tranche"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    grant_id: uuid.UUID = Field(foreign_key="grants.id", index=True)
    tranche: int
    stage: str = Field(max_length=255, description="The stage of the house that made it due")
    amount_satang: int = Field(sa_type=BigInteger)
    payment_reference: str = Field(max_length=32, unique=True)
    journal_entry_id: uuid.UUID = Field(foreign_key="journal_entries.id")
    source_event_id: uuid.UUID | None = None
    paid_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class HouseStage(SQLModel, table=True):
    """A stage construction reported for a household's house, kept whether or not
    the grant exists yet, so a grant opened late still pays what is already due."""

    __tablename__ = "grant_house_stages"
    __table_args__ = (
        UniqueConstraint("household_id", "stage", name="uq_grant_house_stages_household_id_stage"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    household_id: uuid.UUID = Field(index=True)
    house_id: uuid.UUID
    stage: str = Field(max_length=255)
    reached_on: date | None = None
    source_event_id: uuid.UUID | None = None
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

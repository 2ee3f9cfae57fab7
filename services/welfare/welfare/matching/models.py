"""Match requests (ขอสมทบ): a fund asks the agency, or a local administration, to match
its members' contributions of a period one to one."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class Matcher(StrEnum):
    AGENCY = "agency"  # the government's match through the agency (พอช.)
    LOCAL_ADMINISTRATION = "local_administration"  # อปท.: อบต. or เทศบาล


class MatchStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


class MatchPaymentStatus(StrEnum):
    """Where the agency's money for an approved match stands, as finance said
    (``finance.welfare_matches``); a local administration's match has none."""

    WAITING_FOR_BUDGET = "waiting_for_budget"  # no WELFARE_MATCH budget, or too little
    PAID = "paid"


class MatchRequest(SQLModel, table=True):
    __tablename__ = "welfare_match_requests"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    fund_id: uuid.UUID = Field(foreign_key="welfare_funds.id", index=True)
    matcher: Matcher = Field(sa_type=enum_type(Matcher))
    matcher_name: str | None = Field(default=None, max_length=200)
    period_from: date
    period_to: date
    amount_satang: int = Field(sa_type=BigInteger)
    contributions_satang: int = Field(
        sa_type=BigInteger, description="Members' contributions recorded for the period"
    )
    status: MatchStatus = Field(sa_type=enum_type(MatchStatus))
    requested_by: str = Field(max_length=200)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # The agency's payment of an approved match, as finance's events tell it.
    payment_status: MatchPaymentStatus | None = Field(
        default=None, sa_type=enum_type(MatchPaymentStatus)
    )
    payment_reason: str | None = Field(default=None, max_length=500)
    paid_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    paid_satang: int | None = Field(default=None, sa_type=BigInteger)

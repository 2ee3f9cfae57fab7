"""The agency's matches of community welfare funds' contributions, as finance pays them
(เงินสมทบกองทุนสวัสดิการชุมชน): one row per match request welfare approved, paid
from a WELFARE_MATCH budget or waiting for one."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class MatchPaymentStatus(StrEnum):
    PAID = "paid"
    # No WELFARE_MATCH budget covers the fund, or it has too little free: paid when
    # one is allocated (or the event comes again); ``unpaid_reason`` says which.
    WAITING = "waiting"


class WelfareMatchPayment(SQLModel, table=True):
    __tablename__ = "welfare_match_payments"
    # One match request is paid once, whatever event (or replay) brings it again.
    __table_args__ = (
        UniqueConstraint("match_request_id", name="uq_welfare_match_payments_match_request_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    match_request_id: uuid.UUID
    welfare_fund_id: uuid.UUID = Field(index=True)
    province_code: str = Field(max_length=2, index=True)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    period_from: date
    period_to: date
    amount_satang: int = Field(sa_type=BigInteger)
    status: MatchPaymentStatus = Field(
        default=MatchPaymentStatus.PAID, sa_type=enum_type(MatchPaymentStatus), index=True
    )
    # The Thai fiscal year (B.E.) of the approval: the budget year that pays it.
    fiscal_year: int | None = Field(default=None)
    # Null for matches paid from cash before budgets paid them (2026-12-05).
    budget_id: uuid.UUID | None = Field(default=None, foreign_key="budgets.id", index=True)
    unpaid_reason: str | None = Field(default=None, max_length=500)
    journal_entry_id: uuid.UUID | None = Field(default=None, foreign_key="journal_entries.id")
    source_event_id: uuid.UUID
    paid_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))

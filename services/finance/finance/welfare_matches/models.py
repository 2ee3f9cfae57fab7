"""The agency's matches of community welfare funds' contributions, as finance paid them
(เงินสมทบกองทุนสวัสดิการชุมชน): one row per match request welfare approved."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime
from baan_shared.ids import new_id


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
    journal_entry_id: uuid.UUID = Field(foreign_key="journal_entries.id")
    source_event_id: uuid.UUID
    paid_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

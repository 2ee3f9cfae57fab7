"""Members' contributions (เงินสมทบ), one row per payment."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime
from baan_shared.ids import new_id


class Contribution(SQLModel, table=True):
    __tablename__ = "welfare_contributions"
    __table_args__ = (
        # The receipt number: one payment recorded once per fund.
        UniqueConstraint("fund_id", "reference", name="uq_welfare_contributions_fund_id_reference"),
        Index("ix_welfare_contributions_fund_id_paid_on", "fund_id", "paid_on"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # No foreign keys: every writer checks, in the same transaction, that the member
    # belongs to the fund and may pay (the fund and its members are never deleted), so
    # the database's per-row check only repeated that at half the cost of a sheet's COPY
    # (a year of contributions is 78 million rows nationally).
    fund_id: uuid.UUID
    member_id: uuid.UUID = Field(index=True)
    paid_on: date
    amount_satang: int = Field(sa_type=BigInteger)
    reference: str = Field(max_length=64)
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

"""The movements behind a fund's totals (books/ledger.py)."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from welfare.books.ledger import MovementKind


class FundMovement(SQLModel, table=True):
    __tablename__ = "welfare_fund_movements"
    # What the movement books (``contribution:<receipt>``, ``claim:<id>``, ``match:<id>``,
    # ``income:<reference>``), once per fund: nothing is counted twice.
    __table_args__ = (
        UniqueConstraint(
            "fund_id", "reference", name="uq_welfare_fund_movements_fund_id_reference"
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    fund_id: uuid.UUID = Field(foreign_key="welfare_funds.id", index=True)
    sequence: int = Field(description="1, 2, 3... per fund, in booking order")
    kind: MovementKind = Field(sa_type=enum_type(MovementKind))
    amount_satang: int = Field(sa_type=BigInteger)
    occurred_on: date
    reference: str = Field(max_length=100)
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )

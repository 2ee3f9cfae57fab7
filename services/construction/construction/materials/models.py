"""Purchase orders, deliveries and allocations. Quantities are whole units of the
order's ``unit`` (bag, piece, sheet, cubic metre); money is integer satang.

A mistaken delivery or allocation is never deleted or edited: a reversing row
(negative quantity and cost, ``reverses_id`` naming the original, with a
reason) undoes it, so every sum nets out and the record shows what happened."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime
from baan_shared.ids import new_id


def _aware() -> Any:
    return Column(UTCDateTime(), nullable=False)


class PurchaseOrder(SQLModel, table=True):
    """Materials a project buys together (จัดซื้อวัสดุร่วมกัน) from one supplier."""

    __tablename__ = "purchase_orders"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", index=True)
    item: str = Field(max_length=200)
    quantity: int
    unit: str = Field(max_length=50)
    unit_price_satang: int = Field(sa_type=BigInteger)
    total_satang: int = Field(sa_type=BigInteger)
    supplier: str = Field(max_length=200)
    ordered_on: date
    ordered_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class Delivery(SQLModel, table=True):
    """Part (or all) of an order arriving on site."""

    __tablename__ = "material_deliveries"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    purchase_order_id: uuid.UUID = Field(foreign_key="purchase_orders.id", index=True)
    quantity: int
    delivered_on: date
    received_by: str = Field(max_length=200)
    # A reversal: the delivery it undoes (at most once) and why.
    reverses_id: uuid.UUID | None = Field(
        default=None, foreign_key="material_deliveries.id", unique=True
    )
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class Allocation(SQLModel, table=True):
    """Delivered materials given to one house; their cost counts toward its actual cost."""

    __tablename__ = "material_allocations"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    purchase_order_id: uuid.UUID = Field(foreign_key="purchase_orders.id", index=True)
    house_work_id: uuid.UUID = Field(foreign_key="house_works.id", index=True)
    quantity: int
    cost_satang: int = Field(sa_type=BigInteger)
    allocated_on: date
    allocated_by: str = Field(max_length=200)
    # A reversal: the allocation it undoes (at most once) and why.
    reverses_id: uuid.UUID | None = Field(
        default=None, foreign_key="material_allocations.id", unique=True
    )
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

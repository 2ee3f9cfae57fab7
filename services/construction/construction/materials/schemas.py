"""What the materials API accepts and returns."""

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from baan_shared.http.bounds import MAX_SATANG, Satang
from construction.house_works.schemas import PastDate

Quantity = Field(ge=1, le=10_000_000, description="Whole units of the order's unit")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PurchaseOrderCreate(_Input):
    item: str = Field(min_length=1, max_length=200, examples=["ปูนซีเมนต์"])
    quantity: int = Quantity
    unit: str = Field(min_length=1, max_length=50, examples=["ถุง"])
    unit_price_satang: Satang = Field(
        description=f"Per unit; quantity × unit price must not exceed {MAX_SATANG}"
    )
    supplier: str = Field(min_length=1, max_length=200)
    ordered_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")
    ordered_by: str = Field(min_length=1, max_length=200)

    @field_validator("unit_price_satang")
    @classmethod
    def _total_is_an_amount(cls, unit_price: int, info: ValidationInfo) -> int:
        # The order's total is stored and summed into the project's and the house's
        # costs: it must be an amount like any other, not only each factor.
        quantity = info.data.get("quantity")
        if quantity is not None and quantity * unit_price > MAX_SATANG:
            raise ValueError(f"quantity × unit price must not exceed {MAX_SATANG} satang")
        return unit_price


class DeliveryCreate(_Input):
    quantity: int = Quantity
    delivered_on: PastDate | None = Field(default=None, description="Defaults to today (Thai date)")
    received_by: str = Field(min_length=1, max_length=200)


class AllocationCreate(_Input):
    house_work_id: uuid.UUID
    quantity: int = Quantity
    allocated_by: str = Field(min_length=1, max_length=200)


class Reversal(_Input):
    """Undo a mistaken delivery or allocation; the original stays on record."""

    reason: str = Field(min_length=1, max_length=2000)
    reversed_by: str = Field(min_length=1, max_length=200)


class PurchaseOrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    item: str
    quantity: int
    unit: str
    unit_price_satang: int
    total_satang: int
    supplier: str
    ordered_on: date
    ordered_by: str
    delivered_quantity: int = 0
    allocated_quantity: int = 0


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purchase_order_id: uuid.UUID
    quantity: int = Field(description="Negative on a reversal")
    delivered_on: date
    received_by: str
    reverses_id: uuid.UUID | None = Field(description="The delivery this one undoes")
    reason: str | None
    reversed: bool = Field(default=False, description="A later reversal undid it")


class AllocationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purchase_order_id: uuid.UUID
    house_work_id: uuid.UUID
    quantity: int = Field(description="Negative on a reversal")
    cost_satang: int
    allocated_on: date
    allocated_by: str
    reverses_id: uuid.UUID | None = Field(description="The allocation this one undoes")
    reason: str | None
    reversed: bool = Field(default=False, description="A later reversal undid it")


class CostLine(BaseModel):
    item: str
    unit: str
    quantity: int
    unit_price_satang: int
    cost_satang: int
    supplier: str


class HouseCostsPublic(BaseModel):
    """A house's actual cost against its estimate (ต้นทุนจริงเทียบประมาณการ)."""

    house_work_id: uuid.UUID
    estimated_cost_satang: int
    materials_cost_satang: int = Field(description="What was allocated to the house")
    variance_satang: int = Field(description="materials cost minus estimate; over budget if > 0")
    actual_cost_satang: int | None = Field(description="As signed off at completion")
    lines: list[CostLine]

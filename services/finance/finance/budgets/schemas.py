"""What the budgets API takes and returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.http.bounds import FiscalYearBE, PositiveSatang
from finance.budgets.areas import BudgetLevel, BudgetLevelIn
from finance.budgets.lines import BudgetProgramme
from finance.budgets.models import Budget, BudgetAllocation


class BudgetAllocate(BaseModel):
    """Allocate money to a programme for a fiscal year in an area. Repeated allocations
    to the same programme, year and area add up in one budget."""

    model_config = ConfigDict(extra="forbid")

    programme: BudgetProgramme = Field(
        examples=["CANAL"],
        description="A housing programme, or WELFARE_MATCH: the agency's 1:1 matches of "
        "community welfare funds' contributions",
    )
    fiscal_year: FiscalYearBE = Field(description="Buddhist-Era fiscal year")
    area_level: BudgetLevelIn
    area_code: str = Field(
        default="",
        max_length=64,
        description="Official code at that level (province 2 digits, district 4, "
        "sub-district 6), a regional office (BVE, N, CW, NE, S), a construction "
        "project's id, or TH (or nothing) for the country",
    )
    amount_satang: PositiveSatang
    note: str | None = Field(default=None, max_length=500)


class AllocationReversal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, examples=["keyed 10x the approved amount"])


class AllocationPublic(BaseModel):
    id: uuid.UUID
    amount_satang: int
    note: str | None
    journal_entry_id: uuid.UUID
    allocated_at: datetime
    reversed_at: datetime | None = Field(description="Set when the allocation was reversed")
    reversal_reason: str | None
    reversal_entry_id: uuid.UUID | None

    @classmethod
    def of(cls, allocation: BudgetAllocation) -> "AllocationPublic":
        return cls.model_validate(allocation, from_attributes=True)


class BudgetPublic(BaseModel):
    """A budget and its reconciliation: allocated = reserved + disbursed + free."""

    id: uuid.UUID
    programme: str
    fiscal_year: int
    area_level: BudgetLevel
    area_code: str
    allocated_satang: int = Field(description="Every allocation, added up")
    reserved_satang: int = Field(description="Granted to households, not yet paid")
    disbursed_satang: int = Field(
        description="Paid to households (or, for WELFARE_MATCH, to welfare funds as matches)"
    )
    free_satang: int = Field(description="Left for new grants")
    updated_at: datetime

    @classmethod
    def of(cls, budget: Budget, disbursed_satang: int) -> "BudgetPublic":
        return cls(
            id=budget.id,
            programme=budget.programme,
            fiscal_year=budget.fiscal_year,
            area_level=budget.area_level,
            area_code=budget.area_code,
            allocated_satang=budget.allocated_satang,
            reserved_satang=budget.committed_satang - disbursed_satang,
            disbursed_satang=disbursed_satang,
            free_satang=budget.free_satang,
            updated_at=budget.updated_at,
        )


class BudgetDetail(BudgetPublic):
    allocations: list[AllocationPublic]


class BudgetAllocated(BaseModel):
    """The answer to an allocation: the allocation made and the budget after it."""

    allocation: AllocationPublic
    budget: BudgetPublic


class BudgetsPublic(BaseModel):
    items: list[BudgetPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")

"""Budget tables: each programme's budget for a fiscal year in an area, and the
allocations that funded it (งบประมาณ, การจัดสรร)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from finance.budgets.areas import BudgetLevel


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class Budget(SQLModel, table=True):
    """What one programme may spend in one fiscal year in one area.

    ``committed_satang`` is every grant reserved from it, paid or not; the check
    constraint is the last line against overspending, behind the conditional
    update in the repository.
    """

    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint(
            "programme",
            "fiscal_year",
            "area_level",
            "area_code",
            name="uq_budgets_programme_fiscal_year_area_level_area_code",
        ),
        CheckConstraint("committed_satang <= allocated_satang", name="not_overspent"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    programme: str = Field(max_length=32, index=True)
    fiscal_year: int = Field(index=True, description="Buddhist-Era fiscal year")
    area_level: BudgetLevel = Field(sa_type=enum_type(BudgetLevel))
    # Official code, region code, "TH", or a project's id.
    area_code: str = Field(max_length=64)
    allocated_satang: int = Field(default=0, sa_type=BigInteger)
    committed_satang: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())

    @property
    def free_satang(self) -> int:
        return self.allocated_satang - self.committed_satang


class BudgetAllocation(SQLModel, table=True):
    """One allocation into a budget, with the ledger entry that funded it."""

    __tablename__ = "budget_allocations"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    budget_id: uuid.UUID = Field(foreign_key="budgets.id", index=True)
    amount_satang: int = Field(sa_type=BigInteger)
    note: str | None = Field(default=None, max_length=500)
    journal_entry_id: uuid.UUID = Field(foreign_key="journal_entries.id")
    allocated_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    # A mis-keyed allocation is corrected by a reversal, never edited away.
    reversal_entry_id: uuid.UUID | None = Field(default=None, foreign_key="journal_entries.id")
    reversal_reason: str | None = Field(default=None, max_length=500)
    reversed_at: datetime | None = Field(default=None, sa_column=_aware(nullable=True))

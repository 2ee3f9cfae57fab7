"""Ledger tables: the chart of accounts, journal entries and their lines (บัญชีแยกประเภท).

Entries are immutable: a mistake is corrected by a reversing entry, never by
editing history, so the ORM refuses to update or delete an entry or a line.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, event
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow on the debit side; the rest on the credit side."""
        return self in (AccountType.ASSET, AccountType.EXPENSE)


def _aware(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class Account(SQLModel, table=True):
    __tablename__ = "ledger_accounts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=64, unique=True, description="e.g. cash, grants_payable")
    name: str = Field(max_length=200)
    type: AccountType = Field(sa_type=enum_type(AccountType))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class JournalEntry(SQLModel, table=True):
    """One balanced movement of money, with what caused it."""

    __tablename__ = "journal_entries"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=_aware())
    description: str = Field(max_length=500)
    # The business document behind the entry: a grant id, a payment reference.
    reference: str = Field(max_length=128, index=True)
    # The event that caused it, so every movement traces back to a household's story.
    source_event_id: uuid.UUID | None = Field(default=None, index=True)
    # A correction: the entry this one reverses, line for line. Unique, so an
    # entry is reversed at most once.
    reverses_entry_id: uuid.UUID | None = Field(
        default=None, foreign_key="journal_entries.id", unique=True
    )
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_aware())


class JournalLine(SQLModel, table=True):
    __tablename__ = "journal_lines"
    __table_args__ = (
        CheckConstraint(
            "(debit_satang > 0 AND credit_satang = 0) OR (debit_satang = 0 AND credit_satang > 0)",
            name="one_side",
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    entry_id: uuid.UUID = Field(foreign_key="journal_entries.id", index=True)
    line_number: int
    account_id: uuid.UUID = Field(foreign_key="ledger_accounts.id", index=True)
    debit_satang: int = Field(default=0, sa_type=BigInteger)
    credit_satang: int = Field(default=0, sa_type=BigInteger)


class ImmutableEntry(RuntimeError):
    """Someone tried to change the ledger's history."""


def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise ImmutableEntry(f"{type(target).__name__} {target.id} is immutable; post a reversal")


for _table in (JournalEntry, JournalLine):
    event.listen(_table, "before_update", _refuse_change)
    event.listen(_table, "before_delete", _refuse_change)

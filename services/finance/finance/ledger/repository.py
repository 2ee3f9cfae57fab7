"""All SQL about the ledger."""

import uuid
from collections.abc import Collection

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.ids import new_id
from finance.ledger.chart import AccountSpec
from finance.ledger.models import Account, JournalEntry, JournalLine


async def accounts_by_code(session: AsyncSession, codes: Collection[str]) -> dict[str, Account]:
    rows = await session.exec(select(Account).where(col(Account.code).in_(list(codes))))
    return {account.code: account for account in rows.all()}


async def add_accounts_if_missing(session: AsyncSession, specs: dict[str, AccountSpec]) -> None:
    """Create these accounts unless they exist, whoever else is creating them right now.

    ``INSERT … ON CONFLICT (code) DO NOTHING``: on PostgreSQL a concurrent transaction
    inserting the same code makes this one wait for it, then skip the row, so two
    first postings to a new account both succeed instead of one failing on
    ``uq_ledger_accounts_code`` (issue 9). Read the accounts afterwards: a skipped
    row is the other transaction's, committed by then.
    """
    if not specs:
        return
    now = utcnow()
    rows = [
        {"id": new_id(), "code": code, "name": spec.name, "type": spec.type, "created_at": now}
        for code, spec in sorted(specs.items())  # one order everywhere: no deadlocks
    ]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Account).values(rows).on_conflict_do_nothing(index_elements=[col(Account.code)])
    )
    await session.exec(statement)


async def account_totals(session: AsyncSession) -> list[tuple[Account, int, int]]:
    """Every account with the sum of its debits and of its credits, by code."""
    debits = func.coalesce(func.sum(JournalLine.debit_satang), 0)
    credits = func.coalesce(func.sum(JournalLine.credit_satang), 0)
    query = (
        select(Account, debits, credits)
        .join(JournalLine, col(JournalLine.account_id) == col(Account.id), isouter=True)
        .group_by(col(Account.id))
        .order_by(col(Account.code))
    )
    # PostgreSQL sums bigints as numeric; satang stay integers.
    return [(account, int(d), int(c)) for account, d, c in (await session.exec(query)).all()]


async def reversal_of(session: AsyncSession, entry_id: uuid.UUID) -> JournalEntry | None:
    query = select(JournalEntry).where(JournalEntry.reverses_entry_id == entry_id)
    return (await session.exec(query)).first()


async def lines_with_codes(
    session: AsyncSession, entry_id: uuid.UUID
) -> list[tuple[str, int, int]]:
    """An entry's lines in order, as (account code, debit, credit)."""
    query = (
        select(Account.code, JournalLine.debit_satang, JournalLine.credit_satang)
        .join(Account, col(Account.id) == col(JournalLine.account_id))
        .where(JournalLine.entry_id == entry_id)
        .order_by(col(JournalLine.line_number))
    )
    return [(code, int(d), int(c)) for code, d, c in (await session.exec(query)).all()]

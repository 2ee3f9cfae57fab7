"""All SQL about the ledger."""

import uuid
from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from finance.ledger.models import Account, JournalEntry, JournalLine


async def accounts_by_code(session: AsyncSession, codes: Collection[str]) -> dict[str, Account]:
    rows = await session.exec(select(Account).where(col(Account.code).in_(list(codes))))
    return {account.code: account for account in rows.all()}


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


async def entries_for(session: AsyncSession, reference: str) -> list[JournalEntry]:
    query = (
        select(JournalEntry)
        .where(JournalEntry.reference == reference)
        .order_by(col(JournalEntry.occurred_at), col(JournalEntry.id))
    )
    return list((await session.exec(query)).all())


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

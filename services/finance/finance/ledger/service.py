"""Ledger rules: post balanced, immutable journal entries; report the trial balance.

``post_entry`` is the one way money moves in finance. It flushes into the
caller's unit of work, so an entry commits with the grant or payment that
caused it, or not at all.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import does_not_exist
from baan_shared.clock import utcnow
from baan_shared.db import insert_rows
from baan_shared.errors import Conflict
from baan_shared.ids import new_id
from finance.ledger import repository
from finance.ledger.chart import spec_for
from finance.ledger.journal import Line, UnknownAccount, check_entry
from finance.ledger.models import Account, JournalEntry, JournalLine
from finance.ledger.schemas import AccountBalance, TrialBalance


async def accounts(session: AsyncSession, codes: set[str]) -> dict[str, Account]:
    """The accounts named, created from the chart the first time they are used.

    Safe under concurrency: requests racing to use a new account (the first loans
    disbursed at once) all get the one account, none fails (see
    ``repository.add_accounts_if_missing``).
    """
    found = await repository.accounts_by_code(session, codes)
    missing = codes - found.keys()
    if not missing:
        return found
    specs = {code: spec_for(code) for code in missing}
    unknown = {code for code, spec in specs.items() if spec is None}
    if unknown:
        raise UnknownAccount(f"no such account in the chart: {', '.join(sorted(unknown))}")
    await repository.add_accounts_if_missing(
        session, {code: spec for code, spec in specs.items() if spec is not None}
    )
    found.update(await repository.accounts_by_code(session, missing))
    return found


async def post_entry(
    session: AsyncSession,
    lines: Sequence[Line],
    *,
    description: str,
    reference: str,
    occurred_at: datetime | None = None,
    source_event_id: uuid.UUID | None = None,
    reverses_entry_id: uuid.UUID | None = None,
) -> JournalEntry:
    """Post one balanced entry; refuse anything else (``LedgerError``)."""
    check_entry(lines)
    by_code = await accounts(session, {line.account for line in lines})
    entry = JournalEntry(
        occurred_at=occurred_at or utcnow(),
        description=description,
        reference=reference,
        source_event_id=source_event_id,
        reverses_entry_id=reverses_entry_id,
    )
    session.add(entry)
    await session.flush()
    for number, line in enumerate(lines, 1):
        session.add(
            JournalLine(
                entry_id=entry.id,
                line_number=number,
                account_id=by_code[line.account].id,
                debit_satang=line.debit_satang,
                credit_satang=line.credit_satang,
            )
        )
    await session.flush()
    return entry


@dataclass(frozen=True)
class Entry:
    """One balanced entry to post, as ``post_entry`` takes it."""

    lines: Sequence[Line]
    description: str
    reference: str
    occurred_at: datetime | None = None
    source_event_id: uuid.UUID | None = None


async def post_entries(session: AsyncSession, entries: Sequence[Entry]) -> list[uuid.UUID]:
    """``post_entry`` for many entries (a batch of grants): their ids, in order.

    Two multi-row INSERTs (SQLAlchemy Core executemany, no ORM objects: a committee's
    thousands of grants pass through here), each row naming every column, as a Core
    INSERT applies no ORM defaults. The entries are immutable once written, so nothing
    is lost by never loading them into the session.
    """
    for entry in entries:
        check_entry(entry.lines)
    if not entries:
        return []
    by_code = await accounts(session, {line.account for e in entries for line in e.lines})
    now = utcnow()
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for entry in entries:
        entry_id = new_id()
        rows.append(
            {
                "id": entry_id,
                "occurred_at": entry.occurred_at or now,
                "description": entry.description,
                "reference": entry.reference,
                "source_event_id": entry.source_event_id,
                "reverses_entry_id": None,
                "recorded_at": now,
            }
        )
        lines += [
            {
                "id": new_id(),
                "entry_id": entry_id,
                "line_number": number,
                "account_id": by_code[line.account].id,
                "debit_satang": line.debit_satang,
                "credit_satang": line.credit_satang,
            }
            for number, line in enumerate(entry.lines, 1)
        ]
    await insert_rows(session, JournalEntry.__table__, rows)
    await insert_rows(session, JournalLine.__table__, lines)
    return [row["id"] for row in rows]


async def reverse_entry(
    session: AsyncSession,
    entry_id: uuid.UUID,
    *,
    reason: str,
    reference: str | None = None,
    source_event_id: uuid.UUID | None = None,
) -> JournalEntry:
    """Correct an entry the only way the ledger allows: post its mirror image.

    Every debit becomes a credit of the same account and amount, so the pair
    nets to nothing and both stay in the history. An entry is reversed once;
    a reversal is not itself reversed (post the right entry instead).
    """
    original = await session.get(JournalEntry, entry_id)
    if original is None:
        raise does_not_exist(f"journal entry {entry_id}")
    if original.reverses_entry_id is not None:
        raise Conflict(f"journal entry {entry_id} is a reversal; post a new entry instead")
    if await repository.reversal_of(session, entry_id) is not None:
        raise Conflict(f"journal entry {entry_id} is already reversed")
    mirrored = [
        Line(account=code, debit_satang=credit, credit_satang=debit)
        for code, debit, credit in await repository.lines_with_codes(session, entry_id)
    ]
    return await post_entry(
        session,
        mirrored,
        description=f"reversal of {entry_id}: {reason}"[:500],
        reference=reference or original.reference,
        source_event_id=source_event_id,
        reverses_entry_id=entry_id,
    )


async def trial_balance(session: AsyncSession) -> TrialBalance:
    rows = [
        AccountBalance(
            code=account.code,
            name=account.name,
            type=account.type,
            debit_satang=debits,
            credit_satang=credits,
            balance_satang=debits - credits if account.type.debit_normal else credits - debits,
        )
        for account, debits, credits in await repository.account_totals(session)
    ]
    total_debits = sum(row.debit_satang for row in rows)
    total_credits = sum(row.credit_satang for row in rows)
    return TrialBalance(
        accounts=rows,
        debit_satang=total_debits,
        credit_satang=total_credits,
        balanced=total_debits == total_credits,
    )

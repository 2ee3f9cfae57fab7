"""Booking money into and out of a fund: one movement, the fund's totals moved by a
conditional update in the same transaction, and a ``welfare_fund.balance_changed``
event through the outbox carrying the totals after it. Nothing here commits; the
caller's unit of work does.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.errors import Conflict, field_error
from baan_shared.events.catalog import WelfareFundBalanceChanged
from baan_shared.outbox import record_events
from welfare import SOURCE
from welfare.areas import region_of
from welfare.books import repository
from welfare.books.ledger import TOTAL_OF, MovementKind, change_of, reconcile
from welfare.books.models import FundMovement
from welfare.funds.models import Fund
from welfare.funds.schemas import totals_of


def facts(fund: Fund) -> dict[str, Any]:
    """What every fund event tells: which fund, where, and its totals now."""
    totals = totals_of(fund)
    return {
        "welfare_fund_id": fund.id,
        "province_code": fund.province_code,
        "district_code": fund.district_code,
        "subdistrict_code": fund.subdistrict_code,
        "region_code": region_of(fund.province_code),
        "kind": fund.kind.value,
        "name": fund.name,
        "sequence": fund.movements,
        "contributions_satang": fund.contributions_satang,
        "agency_match_satang": fund.agency_match_satang,
        "local_match_satang": fund.local_match_satang,
        "other_income_satang": fund.other_income_satang,
        "benefits_paid_satang": fund.benefits_paid_satang,
        "balance_satang": totals.balance_satang,
    }


class Overdrawn(Conflict):
    """The fund holds less than a benefit to pay."""


@dataclass(frozen=True)
class Entry:
    """One movement to book: its amount, its day and what it books (once per fund)."""

    amount_satang: int
    occurred_on: date
    reference: str


async def book(
    session: AsyncSession,
    fund: Fund,
    kind: MovementKind,
    amount_satang: int,
    *,
    occurred_on: date,
    reference: str,
) -> FundMovement:
    """Book one movement. Money out (a benefit) is refused (409 ``fund-balance``) when
    the fund holds less; the caller's transaction then rolls back whole."""
    (movement,) = await book_many(
        session, fund, kind, [Entry(amount_satang, occurred_on, reference)]
    )
    return movement


async def book_many(
    session: AsyncSession, fund: Fund, kind: MovementKind, entries: Sequence[Entry]
) -> list[FundMovement]:
    """Book movements of one kind in the order given, as many ``book`` calls would: one
    movement and one ``welfare_fund.balance_changed`` each, numbered one after another
    and each carrying the totals after it; but the totals move in one conditional
    UPDATE, the movements and events are written in bulk. Money out is refused whole
    (409 ``fund-balance``) when the fund holds less than all of it together."""
    total = sum(entry.amount_satang for entry in entries)
    if not await repository.move_totals(session, fund.id, kind, total, len(entries)):
        await session.refresh(fund)
        balance = totals_of(fund).balance_satang
        raise Overdrawn(
            f"the fund holds {balance} satang, less than the {total} satang to pay",
            errors=[
                field_error(
                    "fund",
                    f"the fund's balance ({balance} satang) does not cover {total} satang",
                    "fund-balance",
                    value=fund.id,
                )
            ],
        )
    await session.refresh(fund)
    final = facts(fund)
    movements: list[FundMovement] = []
    events: list[WelfareFundBalanceChanged] = []
    later = total  # booked by this entry and those after it
    for n, entry in enumerate(entries):
        later -= entry.amount_satang
        movement = FundMovement(
            fund_id=fund.id,
            sequence=fund.movements - len(entries) + n + 1,
            kind=kind,
            amount_satang=entry.amount_satang,
            occurred_on=entry.occurred_on,
            reference=entry.reference,
        )
        movements.append(movement)
        # the totals after this entry: the final ones less what the entries after it moved
        after = {
            **final,
            "sequence": movement.sequence,
            TOTAL_OF[kind]: final[TOTAL_OF[kind]] - later,
            "balance_satang": final["balance_satang"] - change_of(kind, later),
        }
        events.append(
            WelfareFundBalanceChanged(
                **after,
                movement_id=movement.id,
                movement_kind=kind.value,
                amount_satang=entry.amount_satang,
                change_satang=change_of(kind, entry.amount_satang),
                occurred_on=entry.occurred_on,
                reference=entry.reference,
            )
        )
    session.add_all(movements)
    await session.flush()
    await record_events(session, events, source=SOURCE)
    return movements


async def differences(session: AsyncSession, fund: Fund) -> list[str]:
    """Where the fund's kept totals differ from the sum of its movements (none, always)."""
    sums = await repository.sums_by_kind(session, fund.id)
    found = reconcile(totals_of(fund), sums)
    count = await repository.movement_count(session, fund.id)
    if count != fund.movements:
        found.append(f"movements: kept {fund.movements}, {count} booked")
    return found


async def movements_page(
    session: AsyncSession, fund_id: uuid.UUID, *, after: int, limit: int
) -> list[FundMovement]:
    return await repository.movements_page(session, fund_id, after=after, limit=limit)

"""Booking money into and out of a fund: one movement, the fund's totals moved by a
conditional update in the same transaction, and a ``welfare_fund.balance_changed``
event through the outbox carrying the totals after it. Nothing here commits; the
caller's unit of work does.
"""

import uuid
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.errors import Conflict, field_error
from baan_shared.events.catalog import WelfareFundBalanceChanged
from baan_shared.outbox import record_event
from welfare import SOURCE
from welfare.areas import region_of
from welfare.books import repository
from welfare.books.ledger import MovementKind, change_of, reconcile
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
    if not await repository.move_totals(session, fund.id, kind, amount_satang):
        await session.refresh(fund)
        balance = totals_of(fund).balance_satang
        raise Overdrawn(
            f"the fund holds {balance} satang, less than the {amount_satang} satang to pay",
            errors=[
                field_error(
                    "fund",
                    f"the fund's balance ({balance} satang) does not cover {amount_satang} satang",
                    "fund-balance",
                    value=fund.id,
                )
            ],
        )
    await session.refresh(fund)
    movement = FundMovement(
        fund_id=fund.id,
        sequence=fund.movements,
        kind=kind,
        amount_satang=amount_satang,
        occurred_on=occurred_on,
        reference=reference,
    )
    session.add(movement)
    await session.flush()
    await record_event(
        session,
        WelfareFundBalanceChanged(
            **facts(fund),
            movement_id=movement.id,
            movement_kind=kind.value,
            amount_satang=amount_satang,
            change_satang=change_of(kind, amount_satang),
            occurred_on=occurred_on,
            reference=reference,
        ),
        source=SOURCE,
    )
    return movement


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

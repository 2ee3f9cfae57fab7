"""Revolving fund rules: open a fund, seed it, take rural repayments into it, and
finance new loans out of what it holds, never more.

Every movement is one ledger entry on the fund's own asset account, and its
totals move by conditional updates, so the fund row, its movements and the
ledger agree. Opening a fund and every movement publish an event on
``finance.revolving_funds`` (through the outbox, in the same transaction) with
the balance after it, so reporting shows each fund's balance exactly.
Nothing here commits; the caller's unit of work does.
"""

import re
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events.catalog import RevolvingFundBalanceChanged, RevolvingFundOpened
from baan_shared.http.errors import Conflict, NotFound
from baan_shared.outbox import record_event
from baan_shared.reference import region_of_province
from finance import SERVICE_NAME
from finance.ledger import service as ledger
from finance.ledger.chart import CASH, revolving_fund_account
from finance.ledger.journal import Line
from finance.ledger.models import JournalEntry
from finance.revolving_funds import repository
from finance.revolving_funds.models import (
    FundMovement,
    FundMovementKind,
    FundScope,
    RevolvingFund,
)
from finance.revolving_funds.schemas import FundCreate, FundDeposit

SOURCE = f"/services/{SERVICE_NAME}"

# Movements that take money out of the fund; the others bring it in.
OUTGOING = frozenset({FundMovementKind.LOAN, FundMovementKind.REPAYMENT_REVERSAL})


async def get(session: AsyncSession, fund_id: uuid.UUID) -> RevolvingFund:
    fund = await repository.get(session, fund_id)
    if fund is None:
        raise NotFound(f"revolving fund {fund_id} does not exist")
    return fund


async def create(session: AsyncSession, body: FundCreate) -> RevolvingFund:
    fund = RevolvingFund(**body.model_dump())
    try:
        async with session.begin_nested():
            session.add(fund)
    except IntegrityError as exc:
        raise Conflict(f"a {body.scope.value} fund {body.code} already exists") from exc
    # Its ledger account exists from the start, so concurrent first movements never race.
    await ledger.accounts(session, {revolving_fund_account(fund.id)})
    await record_event(
        session,
        RevolvingFundOpened(**_facts(fund, sequence=0), opened_at=fund.created_at),
        source=SOURCE,
    )
    return fund


def _facts(fund: RevolvingFund, *, sequence: int) -> dict[str, Any]:
    """What every fund event tells: which fund, where, and its totals after the event."""
    office = region_of_province(fund.province_code)
    # A sub-district's fund is named by the official code, so it lies in that
    # sub-district and its district; a community's own code says nothing of either.
    official = (
        fund.scope is FundScope.SUBDISTRICT
        and re.fullmatch(r"\d{6}", fund.code) is not None
        and fund.code.startswith(fund.province_code)
    )
    return {
        "revolving_fund_id": fund.id,
        "scope": fund.scope.value,
        "code": fund.code,
        "name": fund.name,
        "province_code": fund.province_code,
        "district_code": fund.code[:4] if official else None,
        "subdistrict_code": fund.code if official else None,
        "region_code": office.code if office else None,
        "sequence": sequence,
        "balance_satang": fund.balance_satang,
        "in_satang": fund.in_satang,
        "out_satang": fund.out_satang,
    }


async def _moved(
    session: AsyncSession,
    fund: RevolvingFund,
    kind: FundMovementKind,
    amount_satang: int,
    reference: str,
    entry: JournalEntry,
    loan_id: uuid.UUID | None = None,
) -> FundMovement:
    movement = FundMovement(
        fund_id=fund.id,
        kind=kind,
        amount_satang=amount_satang,
        loan_id=loan_id,
        reference=reference,
        journal_entry_id=entry.id,
    )
    session.add(movement)
    await session.flush()
    await session.refresh(fund)
    # Every movement first moved the fund's totals by a conditional UPDATE, which
    # holds the fund's row until commit: the movements of one fund are serialised,
    # so their count (this one included) numbers them 1, 2, 3... with no gap or tie.
    sequence = await repository.movement_count(session, fund.id)
    await record_event(
        session,
        RevolvingFundBalanceChanged(
            **_facts(fund, sequence=sequence),
            movement_id=movement.id,
            kind=kind.value,
            amount_satang=amount_satang,
            change_satang=-amount_satang if kind in OUTGOING else amount_satang,
            loan_id=loan_id,
            reference=reference,
            recorded_at=movement.recorded_at,
        ),
        source=SOURCE,
    )
    return movement


async def deposit(session: AsyncSession, fund_id: uuid.UUID, body: FundDeposit) -> RevolvingFund:
    """Seed the fund from cash. The same reference again books nothing more (the
    first deposit stands); with another amount it is refused."""
    fund = await get(session, fund_id)
    earlier = await repository.movement(session, fund.id, body.reference)
    if earlier is not None:
        if (
            earlier.kind is not FundMovementKind.DEPOSIT
            or earlier.amount_satang != body.amount_satang
        ):
            raise Conflict(f"reference {body.reference} was already used for another movement")
        return fund
    entry = await ledger.post_entry(
        session,
        [
            Line.debit(revolving_fund_account(fund.id), body.amount_satang),
            Line.credit(CASH, body.amount_satang),
        ],
        description=f"seed money into revolving fund {fund.name}",
        reference=body.reference,
    )
    await repository.add_in(session, fund.id, body.amount_satang)
    await _moved(session, fund, FundMovementKind.DEPOSIT, body.amount_satang, body.reference, entry)
    return fund


async def repayment_received(
    session: AsyncSession,
    fund_id: uuid.UUID,
    loan_id: uuid.UUID,
    amount_satang: int,
    reference: str,
    entry: JournalEntry,
) -> None:
    """A rural loan's repayment, already debited to the fund's account, lands in the fund."""
    fund = await get(session, fund_id)
    await repository.add_in(session, fund.id, amount_satang)
    await _moved(
        session, fund, FundMovementKind.REPAYMENT, amount_satang, reference, entry, loan_id
    )


async def repayment_reversed(
    session: AsyncSession,
    fund_id: uuid.UUID,
    loan_id: uuid.UUID,
    amount_satang: int,
    reference: str,
    entry: JournalEntry,
) -> None:
    """A repayment that bounced leaves the fund again, already credited to its account.

    Refused (409) if the fund no longer holds it, i.e. has lent it on: the fund
    is never overdrawn, so that case needs a decision (seed money) first.
    """
    fund = await get(session, fund_id)
    if not await repository.take_out(session, fund.id, amount_satang):
        await session.refresh(fund)
        raise Conflict(
            f"revolving fund {fund.name} holds {fund.balance_satang} satang, less than the "
            f"{amount_satang} satang repayment to reverse: it has lent the money on"
        )
    await _moved(
        session, fund, FundMovementKind.REPAYMENT_REVERSAL, amount_satang, reference, entry, loan_id
    )


async def take_for_loan(session: AsyncSession, fund_id: uuid.UUID, amount_satang: int) -> None:
    """Reserve a loan's principal out of the fund, or refuse (409) if it holds less."""
    if not await repository.take_out(session, fund_id, amount_satang):
        fund = await get(session, fund_id)
        await session.refresh(fund)
        raise Conflict(
            f"revolving fund {fund.name} holds {fund.balance_satang} satang; "
            f"the loan needs {amount_satang}"
        )


async def loan_financed(
    session: AsyncSession,
    fund_id: uuid.UUID,
    loan_id: uuid.UUID,
    amount_satang: int,
    reference: str,
    entry: JournalEntry,
) -> None:
    fund = await get(session, fund_id)
    await _moved(session, fund, FundMovementKind.LOAN, amount_satang, reference, entry, loan_id)

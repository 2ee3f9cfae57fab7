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

from baan_shared.auth import (
    Principal,
    does_not_exist,
    not_found_unless_covered,
    taken_elsewhere,
    unknown_reference,
)
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.events.catalog import RevolvingFundBalanceChanged, RevolvingFundOpened
from baan_shared.outbox import record_event
from baan_shared.pages import Page, Paging
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
from finance.revolving_funds.repository import FundFilter
from finance.revolving_funds.schemas import FundCreate, FundDeposit

SOURCE = f"/services/{SERVICE_NAME}"

# Movements that take money out of the fund; the others bring it in.
OUTGOING = frozenset({FundMovementKind.LOAN, FundMovementKind.REPAYMENT_REVERSAL})


def area_of(fund: RevolvingFund) -> tuple[str, str | None, str | None]:
    """Where the fund lies: (province, district, sub-district). A sub-district's fund,
    named by the official code, lies in that sub-district and its district; a
    community's own code names no official area, so its fund lies in its province
    only (province-wide and national clients see it). ``repository.page`` places
    funds the same way in SQL."""
    if _official(fund):
        return fund.province_code, fund.code[:4], fund.code
    return fund.province_code, None, None


def area_of_new(body: FundCreate) -> tuple[str, str | None, str | None]:
    """Where a fund about to be opened will lie (``area_of``): a district office may
    open its sub-districts' funds."""
    return area_of(
        RevolvingFund(scope=body.scope, code=body.code, province_code=body.province_code)
    )


def covers(principal: Principal, fund: RevolvingFund) -> bool:
    """Whether the fund lies in the client's areas (``area_of``)."""
    return principal.covers(*area_of(fund))


def serves(
    fund: RevolvingFund, province: str, district: str | None, subdistrict: str | None
) -> str | None:
    """Why the fund cannot take a loan placed at these codes, or ``None`` if it can.

    A revolving fund is a community's own money (กองทุนหมุนเวียน): it lends to and is
    repaid by the borrowers of its own area, whoever approves the loan, national
    office included. A sub-district's fund (named by the official code) serves that
    sub-district; a community's fund, whose own code names no official area, serves
    borrowers of its province. A loan that does not name its sub-district is checked
    by its district, one that names neither by its province."""
    if fund.province_code != province:
        return (
            f"revolving fund {fund.id} serves province {fund.province_code}, "
            f"not the loan's province {province}"
        )
    if not _official(fund):
        return None
    if subdistrict is not None and subdistrict != fund.code:
        return (
            f"revolving fund {fund.id} serves sub-district {fund.code}, "
            f"not the loan's sub-district {subdistrict}"
        )
    if subdistrict is None and district is not None and district != fund.code[:4]:
        return (
            f"revolving fund {fund.id} serves sub-district {fund.code}, "
            f"not a sub-district of the loan's district {district}"
        )
    return None


def _official(fund: RevolvingFund) -> bool:
    """A sub-district's fund named by the official 6-digit code of a sub-district of its
    province (every fund opened since issue 14; ``create`` checks it)."""
    return (
        fund.scope is FundScope.SUBDISTRICT
        and re.fullmatch(r"\d{6}", fund.code) is not None
        and fund.code.startswith(fund.province_code)
    )


async def get(
    session: AsyncSession, fund_id: uuid.UUID, principal: Principal | None = None
) -> RevolvingFund:
    """The fund; with ``principal``, the same 404 for one outside the client's areas as
    for a missing one (``does_not_exist``)."""
    what = f"revolving fund {fund_id}"
    fund = await repository.get(session, fund_id)
    if fund is None:
        raise does_not_exist(what)
    if principal is not None:
        province, district, subdistrict = area_of(fund)
        not_found_unless_covered(
            principal, what, province=province, district=district, subdistrict=subdistrict
        )
    return fund


async def referenced(
    session: AsyncSession, principal: Principal, field: str, fund_id: uuid.UUID
) -> RevolvingFund:
    """A fund named in a request body: missing or outside the client's areas, the same
    422 naming the field (``unknown_reference``)."""
    fund = await repository.get(session, fund_id)
    if fund is None or not covers(principal, fund):
        raise unknown_reference(field, "revolving fund", fund_id)
    return fund


def _code_taken(principal: Principal, body: FundCreate, existing: RevolvingFund | None) -> Conflict:
    """Fund codes are national: one fund per scope and code. The client learns which
    fund holds the code only when that fund is in its areas."""
    if existing is not None and not covers(principal, existing):
        return taken_elsewhere("body.code", f"{body.scope.value} fund code", body.code)
    return Conflict(
        f"a {body.scope.value} fund {body.code} already exists",
        errors=[field_error("body.code", "already taken", "taken")],
    )


async def create(session: AsyncSession, body: FundCreate, principal: Principal) -> RevolvingFund:
    """Open a fund. A sub-district's fund is named by the sub-district's official code,
    which lies in the fund's province: no client can take another area's sub-district
    code for a fund of its own."""
    if body.scope is FundScope.SUBDISTRICT and not (
        re.fullmatch(r"\d{6}", body.code) and body.code.startswith(body.province_code)
    ):
        reason = (
            "a sub-district's fund is named by the sub-district's official 6-digit code, "
            f"which starts with its province's code {body.province_code}"
        )
        raise Unprocessable(reason, errors=[field_error("body.code", reason, "area-code")])
    existing = await repository.find(session, body.scope, body.code)
    if existing is not None:
        raise _code_taken(principal, body, existing)
    fund = RevolvingFund(**body.model_dump())
    try:
        async with session.begin_nested():
            session.add(fund)
    except IntegrityError as exc:
        # A concurrent request opened it first.
        raise _code_taken(
            principal, body, await repository.find(session, body.scope, body.code)
        ) from exc
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
    official = _official(fund)
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


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: FundFilter, paging: Paging
) -> Page[RevolvingFund]:
    return await repository.page(session, principal, where, paging)


async def movements(session: AsyncSession, fund_id: uuid.UUID) -> list[FundMovement]:
    return await repository.movements(session, fund_id)

"""Loan rules: approve within the programme's cap, disburse with a schedule, take
repayments (interest first, then principal; the same payment reference twice
answers with the first result), and review arrears.

Ledger: a disbursement moves cash into loans receivable; a repayment brings
cash back, reducing the receivable by the principal and booking the interest
as income. Nothing here commits; the caller's unit of work does.
"""

import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import (
    RESOLVED_BY,
    Principal,
    does_not_exist,
    not_found_unless_covered,
    taken_elsewhere,
)
from baan_shared.clock import thai_date, utcnow
from baan_shared.errors import Conflict, Unprocessable, field_error, invalid
from baan_shared.events.catalog import (
    LoanApproved,
    LoanDisbursed,
    LoanInArrears,
    LoanRepaymentReceived,
)
from baan_shared.fiscal import fiscal_year_at, fiscal_year_be
from baan_shared.ids import new_id
from baan_shared.outbox import record_event
from baan_shared.pages import Page, Paging
from baan_shared.reference import region_of_province
from finance import SERVICE_NAME
from finance.ledger import service as ledger
from finance.ledger.chart import CASH, INTEREST_INCOME, LOANS_RECEIVABLE, revolving_fund_account
from finance.ledger.journal import Line
from finance.ledger.models import JournalEntry
from finance.loans import repository
from finance.loans.arrears import ArrearsBucket, bucket, days_past_due
from finance.loans.models import (
    BorrowerType,
    Loan,
    LoanInstalment,
    LoanRepayment,
    LoanRepaymentAllocation,
    LoanRescheduling,
    LoanStatus,
)
from finance.loans.repository import LoanFilter
from finance.loans.schedule import (
    Overpayment,
    Owed,
    add_months,
    allocate_payment,
    build_schedule,
)
from finance.loans.schemas import (
    Arrears,
    LoanCreate,
    LoanDisburse,
    LoanReschedule,
    RepaymentCreate,
)
from finance.revolving_funds import repository as funds_repository
from finance.revolving_funds import service as funds
from finance.revolving_funds.models import FundScope, RevolvingFund

SOURCE = f"/services/{SERVICE_NAME}"

NATIONAL = Principal.of(SERVICE_NAME, areas=["*"])
"""Who the rules act for when no client is named (finance's own callers, tests)."""


def _about(loan: Loan, on: date) -> dict[str, object]:
    """What every loan event tells: whose loan, where, which fund, which fiscal year."""
    office = region_of_province(loan.province_code)
    return {
        "loan_id": loan.id,
        "borrower_type": loan.borrower_type.value,
        "borrower_id": loan.borrower_id,
        "programme": loan.programme,
        "province_code": loan.province_code,
        "district_code": loan.district_code,
        "subdistrict_code": loan.subdistrict_code,
        "region_code": office.code if office else None,
        "revolving_fund_id": loan.revolving_fund_id,
        "fiscal_year": fiscal_year_be(on),
    }


async def _fund_balance(session: AsyncSession, loan: Loan) -> int | None:
    """The balance of the fund the loan repays into, as this transaction leaves it."""
    if loan.revolving_fund_id is None:
        return None
    fund = await funds.get(session, loan.revolving_fund_id)
    await session.refresh(fund)
    return fund.balance_satang


async def get(
    session: AsyncSession,
    loan_id: uuid.UUID,
    *,
    for_update: bool = False,
    principal: Principal | None = None,
) -> Loan:
    """The loan; with ``principal``, the same 404 for one outside the client's areas
    as for a missing one (``does_not_exist``)."""
    what = f"loan {loan_id}"
    loan = await repository.get(session, loan_id, for_update=for_update)
    if loan is None:
        raise does_not_exist(what)
    if principal is not None:
        not_found_unless_covered(
            principal,
            what,
            province=loan.province_code,
            district=loan.district_code,
            subdistrict=loan.subdistrict_code,
        )
    return loan


def _serves(fund: RevolvingFund, body: LoanCreate) -> RevolvingFund:
    reason = funds.serves(fund, body.province_code, body.district_code, body.subdistrict_code)
    if reason is not None:
        raise Unprocessable(
            reason,
            errors=[
                field_error(
                    "body.revolving_fund_id", reason, "fund-outside-the-loans-area", value=fund.id
                )
            ],
        )
    return fund


async def _fund_for(
    session: AsyncSession,
    body: LoanCreate,
    revolving_programmes: Collection[str],
    principal: Principal,
) -> uuid.UUID | None:
    """The fund the loan repays into: the one named, or for a rural programme the
    sub-district's own fund.

    A named fund the client cannot see (missing, or outside its areas) is one 422
    naming ``body.revolving_fund_id`` (``unknown_reference``). Any fund must serve the
    loan's own area (``revolving_funds.service.serves``), for national clients too:
    a community's money is not lent to another area's borrowers. The sub-district's
    own fund, found by the loan's sub-district code, lies in the loan's sub-district,
    so in the client's areas; one that does not (opened before issue 14 under another
    province) is, for a client that cannot see it, as absent as no fund."""
    if body.revolving_fund_id is not None:
        named = await funds.referenced(
            session, principal, "body.revolving_fund_id", body.revolving_fund_id
        )
        return _serves(named, body).id
    if body.programme in revolving_programmes:
        fund = None
        if body.subdistrict_code:
            fund = await funds_repository.find(
                session, FundScope.SUBDISTRICT, body.subdistrict_code
            )
        if fund is None or not funds.covers(principal, fund):
            raise invalid(
                "body.revolving_fund_id",
                f"{body.programme} loans repay into a revolving fund: open one for "
                f"sub-district {body.subdistrict_code or '(none given)'} or name one",
            )
        return _serves(fund, body).id
    if body.financed_by_fund:
        raise invalid("body.financed_by_fund", "a loan financed by a fund names the fund")
    return None


async def _within_cap(
    session: AsyncSession, cap: int, body: LoanCreate, principal: Principal
) -> None:
    """A household's loans in a programme stay within its cap, all areas together (a
    national rule). A national client is told how much the household already has; a
    client bound to areas only what it has in the client's areas, and when only the
    household's loans elsewhere take it over the cap, that they do and who can
    resolve it: never their amount or area."""
    already = await repository.principal_lent(
        session, body.borrower_type, body.borrower_id, body.programme
    )
    if already + body.principal_satang <= cap:
        return
    limit = f"{body.programme} lends at most {cap} satang per household"
    if principal.all_areas:
        raise invalid(
            "body.principal_satang", f"{limit}; this household already has {already} satang"
        )
    here = await repository.principal_lent(
        session, body.borrower_type, body.borrower_id, body.programme, principal
    )
    if here + body.principal_satang > cap:
        raise invalid(
            "body.principal_satang",
            f"{limit}; this household already has {here} satang in the client's areas",
        )
    raise invalid(
        "body.principal_satang",
        f"{limit}, counting its loans in every area; with its loans outside the client's "
        f"areas this loan would exceed it. {RESOLVED_BY} can say how much is left",
    )


async def approve(
    session: AsyncSession,
    caps_satang: Mapping[str, int],
    body: LoanCreate,
    revolving_programmes: Collection[str] = (),
    principal: Principal | None = None,
) -> Loan:
    """Approve a loan; a household's loans in a programme stay within its cap.

    ``principal`` (default: national) is who asks: it decides which funds the body
    may name and what a refusal may tell."""
    principal = principal or NATIONAL
    cap = caps_satang.get(body.programme)
    if cap is not None and body.borrower_type is BorrowerType.HOUSEHOLD:
        await _within_cap(session, cap, body, principal)
    fund_id = await _fund_for(session, body, revolving_programmes, principal)
    loan = Loan(**body.model_dump(exclude={"revolving_fund_id"}), revolving_fund_id=fund_id)
    session.add(loan)
    await session.flush()
    await record_event(
        session,
        LoanApproved(
            **_about(loan, thai_date(loan.approved_at)),
            principal_satang=loan.principal_satang,
            annual_interest_rate_bp=loan.annual_interest_rate_bp,
            term_months=loan.term_months,
            grace_months=loan.grace_months,
            repayment_method=loan.repayment_method.value,
        ),
        source=SOURCE,
    )
    return loan


async def disburse(session: AsyncSession, loan_id: uuid.UUID, body: LoanDisburse) -> Loan:
    """Pay the loan out and fix its schedule."""
    loan = await get(session, loan_id, for_update=True)
    if loan.status is not LoanStatus.APPROVED:
        raise Conflict(f"loan {loan.id} is {loan.status.value}, not waiting to be disbursed")
    first_due = body.first_due_on or add_months(body.disbursed_on, 1)
    if first_due <= body.disbursed_on:
        raise invalid("body.first_due_on", "the first instalment falls after disbursement")
    schedule = build_schedule(
        loan.principal_satang,
        loan.annual_interest_rate_bp,
        loan.term_months,
        loan.grace_months,
        loan.repayment_method,
        first_due,
    )
    now = utcnow()
    reference = f"LOAN-{fiscal_year_at(now)}-{new_id().hex[-12:].upper()}"
    source = CASH
    if loan.financed_by_fund and loan.revolving_fund_id is not None:
        fund = await funds.get(session, loan.revolving_fund_id)
        if funds.serves(fund, loan.province_code, loan.district_code, loan.subdistrict_code):
            # Only a loan approved before issue 14 can name another area's fund: it is
            # not paid out of it; nothing of that fund is told.
            raise Conflict(
                f"loan {loan.id} names a revolving fund that does not serve the loan's "
                f"area; {RESOLVED_BY} must correct the loan before it is paid out"
            )
        await funds.take_for_loan(session, loan.revolving_fund_id, loan.principal_satang)
        source = revolving_fund_account(loan.revolving_fund_id)
    entry = await ledger.post_entry(
        session,
        [
            Line.debit(LOANS_RECEIVABLE, loan.principal_satang),
            Line.credit(source, loan.principal_satang),
        ],
        description=f"loan {loan.id} paid out to {loan.borrower_type.value} {loan.borrower_id}",
        reference=reference,
        occurred_at=now,
    )
    if source != CASH and loan.revolving_fund_id is not None:
        await funds.loan_financed(
            session, loan.revolving_fund_id, loan.id, loan.principal_satang, reference, entry
        )
    for item in schedule:
        session.add(
            LoanInstalment(
                loan_id=loan.id,
                number=item.number,
                due_on=item.due_on,
                principal_due_satang=item.principal_satang,
                interest_due_satang=item.interest_satang,
            )
        )
    loan.status = LoanStatus.ACTIVE
    loan.disbursed_on = body.disbursed_on
    loan.disbursement_reference = reference
    loan.outstanding_principal_satang = loan.principal_satang
    loan.updated_at = now
    session.add(loan)
    await session.flush()
    await record_event(
        session,
        LoanDisbursed(
            **_about(loan, body.disbursed_on),
            amount_satang=loan.principal_satang,
            payment_reference=reference,
            disbursed_on=body.disbursed_on,
            outstanding_principal_satang=loan.outstanding_principal_satang,
            financed_by_fund=loan.financed_by_fund,
            days_past_due=0,
            revolving_fund_balance_satang=(
                await _fund_balance(session, loan) if loan.financed_by_fund else None
            ),
        ),
        source=SOURCE,
    )
    return loan


def _owed(rows: list[LoanInstalment]) -> list[Owed]:
    return [
        Owed(
            number=row.number,
            due_on=row.due_on,
            interest_satang=row.interest_due_satang - row.interest_paid_satang,
            principal_satang=row.principal_due_satang - row.principal_paid_satang,
        )
        for row in rows
    ]


async def repay(
    session: AsyncSession,
    loan_id: uuid.UUID,
    body: RepaymentCreate,
    principal: Principal | None = None,
) -> tuple[LoanRepayment, bool]:
    """Apply a repayment; returns it and whether it is new (``False``: seen before).

    Payment references are national: one payment, one loan. A reference already
    used for a loan outside the client's areas (``principal``, default national)
    answers 409 ``taken-elsewhere``, telling nothing of that loan."""
    loan = await get(session, loan_id, for_update=True)
    # Checked under the loan's lock, so the same payment racing itself books once.
    earlier = await _earlier_repayment(session, loan, body, principal)
    if earlier is not None:
        return earlier, False
    _check_it_takes(loan, body)
    rows = await repository.instalments(session, loan.id, loan.schedule_version)
    paid = _pay_instalments(session, rows, body)
    interest = sum(row_interest for _, row_interest, _ in paid)
    principal_satang = sum(row_principal for _, _, row_principal in paid)
    now = utcnow()
    entry = await _book_repayment(session, loan, body, interest, principal_satang, now)
    loan.outstanding_principal_satang -= principal_satang
    if all(o.interest_satang + o.principal_satang == 0 for o in _owed(rows)):
        loan.status = LoanStatus.REPAID
    loan.updated_at = now
    session.add(loan)
    repayment = await _record_repayment(
        session, loan, body, paid, entry_id=entry.id, recorded_at=now
    )
    await _announce_repayment(session, loan, repayment)
    return repayment, True


async def _earlier_repayment(
    session: AsyncSession, loan: Loan, body: RepaymentCreate, principal: Principal | None
) -> LoanRepayment | None:
    """The repayment already booked under ``body``'s reference on this loan, if any;
    409 if the reference was used for another loan (``taken-elsewhere`` outside the
    client's areas)."""
    earlier = await repository.repayment_by_reference(session, body.payment_reference)
    if earlier is None or earlier.loan_id == loan.id:
        return earlier
    other = await repository.get(session, earlier.loan_id)
    if (
        principal is not None
        and other is not None
        and not principal.covers(other.province_code, other.district_code, other.subdistrict_code)
    ):
        raise taken_elsewhere("body.payment_reference", "payment reference", body.payment_reference)
    raise Conflict(
        f"payment reference {body.payment_reference} was used for another loan",
        errors=[
            field_error(
                "body.payment_reference",
                "used for another loan",
                "taken",
                value=body.payment_reference,
            )
        ],
    )


def _check_it_takes(loan: Loan, body: RepaymentCreate) -> None:
    """An active loan takes repayments, none dated before it was paid out."""
    if loan.status is not LoanStatus.ACTIVE:
        raise Conflict(f"loan {loan.id} is {loan.status.value}: it takes no repayments")
    if loan.disbursed_on is not None and body.paid_on < loan.disbursed_on:
        raise invalid("body.paid_on", "a repayment cannot predate the disbursement")


def _pay_instalments(
    session: AsyncSession, rows: list[LoanInstalment], body: RepaymentCreate
) -> list[tuple[LoanInstalment, int, int]]:
    """Apply the payment to the instalments, oldest first, interest before principal:
    each instalment paid with the interest and principal it got; 422 for more than
    everything still owed."""
    try:
        allocations = allocate_payment(body.amount_satang, _owed(rows))
    except Overpayment as exc:
        raise Unprocessable(
            str(exc),
            errors=[field_error("body.amount_satang", str(exc))],
            payoff_satang=exc.payoff_satang,
        ) from exc
    by_number = {row.number: row for row in rows}
    paid: list[tuple[LoanInstalment, int, int]] = []
    for allocation in allocations:
        row = by_number[allocation.number]
        row.interest_paid_satang += allocation.interest_satang
        row.principal_paid_satang += allocation.principal_satang
        session.add(row)
        paid.append((row, allocation.interest_satang, allocation.principal_satang))
    return paid


async def _book_repayment(
    session: AsyncSession,
    loan: Loan,
    body: RepaymentCreate,
    interest: int,
    principal_satang: int,
    now: datetime,
) -> JournalEntry:
    """The ledger entry of the payment; a rural loan's goes back into its community's
    fund (คืนทุนสู่กองทุน), which records the movement."""
    into = revolving_fund_account(loan.revolving_fund_id) if loan.revolving_fund_id else CASH
    lines = [Line.debit(into, body.amount_satang)]
    if principal_satang:
        lines.append(Line.credit(LOANS_RECEIVABLE, principal_satang))
    if interest:
        lines.append(Line.credit(INTEREST_INCOME, interest))
    entry = await ledger.post_entry(
        session,
        lines,
        description=f"repayment {body.payment_reference} on loan {loan.id}",
        reference=body.payment_reference,
        occurred_at=now,
    )
    if loan.revolving_fund_id is not None:
        await funds.repayment_received(
            session,
            loan.revolving_fund_id,
            loan.id,
            body.amount_satang,
            body.payment_reference,
            entry,
        )
    return entry


async def _record_repayment(
    session: AsyncSession,
    loan: Loan,
    body: RepaymentCreate,
    paid: list[tuple[LoanInstalment, int, int]],
    *,
    entry_id: uuid.UUID,
    recorded_at: datetime,
) -> LoanRepayment:
    """The repayment and how it was spread over the instalments."""
    repayment = LoanRepayment(
        loan_id=loan.id,
        payment_reference=body.payment_reference,
        amount_satang=body.amount_satang,
        interest_satang=sum(row_interest for _, row_interest, _ in paid),
        principal_satang=sum(row_principal for _, _, row_principal in paid),
        paid_on=body.paid_on,
        outstanding_principal_satang=loan.outstanding_principal_satang,
        journal_entry_id=entry_id,
        recorded_at=recorded_at,
    )
    session.add(repayment)
    await session.flush()
    for row, row_interest, row_principal in paid:
        session.add(
            LoanRepaymentAllocation(
                repayment_id=repayment.id,
                instalment_id=row.id,
                interest_satang=row_interest,
                principal_satang=row_principal,
            )
        )
    await session.flush()
    return repayment


async def _announce_repayment(session: AsyncSession, loan: Loan, repayment: LoanRepayment) -> None:
    """``loan.repayment_received``, with the loan's standing after it."""
    standing = await arrears(session, loan, repayment.paid_on)
    await record_event(
        session,
        LoanRepaymentReceived(
            **_about(loan, repayment.paid_on),
            payment_reference=repayment.payment_reference,
            amount_satang=repayment.amount_satang,
            interest_satang=repayment.interest_satang,
            principal_satang=repayment.principal_satang,
            paid_on=repayment.paid_on,
            outstanding_principal_satang=loan.outstanding_principal_satang,
            days_past_due=standing.days_past_due,
            arrears_bucket=standing.bucket.value,
            revolving_fund_balance_satang=await _fund_balance(session, loan),
        ),
        source=SOURCE,
    )


async def reverse_repayment(
    session: AsyncSession,
    loan_id: uuid.UUID,
    repayment_id: uuid.UUID,
    reason: str,
    *,
    today: date,
) -> LoanRepayment:
    """Undo a bounced or mistaken repayment; the repayment itself stays in the history.

    A reversing ledger entry (the payment's mirror image), the instalments it paid
    owed again exactly as they were, the principal owed again, and for a rural
    loan the money taken back out of the fund. A repayment is reversed once; one
    made on a schedule a rescheduling has since replaced is not (409): the new
    schedule was built on it.
    """
    loan = await get(session, loan_id, for_update=True)
    repayment = await repository.repayment(session, loan.id, repayment_id)
    if repayment is None:
        # The loan is the client's (the router checked): a repayment of another loan,
        # in whatever area, is as missing as one that never was.
        raise does_not_exist(f"loan {loan_id}'s repayment {repayment_id}")
    if repayment.reversed_at is not None:
        raise Conflict(
            f"repayment {repayment.payment_reference} was already reversed on "
            f"{repayment.reversed_at.date().isoformat()}"
        )
    paid = await repository.allocations_of(session, repayment.id)
    if any(row.schedule_version != loan.schedule_version for _, row in paid):
        raise Conflict(
            f"repayment {repayment.payment_reference} was made on schedule version "
            f"{paid[0][1].schedule_version}, which a rescheduling has replaced; it cannot "
            "be reversed on its own"
        )
    if not paid and repayment.amount_satang:
        raise Conflict(
            f"repayment {repayment.payment_reference} predates the record of what it paid; "
            "it cannot be reversed automatically"
        )
    for allocation, row in paid:
        row.interest_paid_satang -= allocation.interest_satang
        row.principal_paid_satang -= allocation.principal_satang
        session.add(row)
    entry = await ledger.reverse_entry(
        session,
        repayment.journal_entry_id,
        reason=reason,
        reference=f"{repayment.payment_reference}/reversal"[:128],
    )
    if loan.revolving_fund_id is not None:
        await funds.repayment_reversed(
            session,
            loan.revolving_fund_id,
            loan.id,
            repayment.amount_satang,
            f"REV-{repayment.id.hex}",
            entry,
        )
    now = utcnow()
    loan.outstanding_principal_satang += repayment.principal_satang
    loan.status = LoanStatus.ACTIVE
    loan.updated_at = now
    session.add(loan)
    repayment.reversed_at = now
    repayment.reversal_reason = reason
    repayment.reversal_entry_id = entry.id
    session.add(repayment)
    await session.flush()
    standing = await arrears(session, loan, today)
    await record_event(
        session,
        LoanRepaymentReceived(
            **_about(loan, today),
            payment_reference=repayment.payment_reference,
            amount_satang=-repayment.amount_satang,
            interest_satang=-repayment.interest_satang,
            principal_satang=-repayment.principal_satang,
            paid_on=repayment.paid_on,
            outstanding_principal_satang=loan.outstanding_principal_satang,
            reverses_payment=True,
            days_past_due=standing.days_past_due,
            arrears_bucket=standing.bucket.value,
            revolving_fund_balance_satang=await _fund_balance(session, loan),
        ),
        source=SOURCE,
    )
    return repayment


async def reschedule(session: AsyncSession, loan_id: uuid.UUID, body: LoanReschedule) -> Loan:
    """Put a new schedule in force for what is still owed, keeping the old one.

    The outstanding principal is spread over the new term (with its own grace
    period and, if given, a new rate). Interest the old schedule made due before
    ``effective_on`` and still unpaid is carried into the first new instalment,
    not capitalised, so the ledger is untouched; the old schedule's later
    instalments are replaced, their interest with them. Payments already made
    stay on the old rows.
    """
    loan = await get(session, loan_id, for_update=True)
    if loan.status is not LoanStatus.ACTIVE:
        raise Conflict(f"loan {loan.id} is {loan.status.value}: nothing to reschedule")
    if loan.disbursed_on is not None and body.effective_on < loan.disbursed_on:
        raise invalid("body.effective_on", "a rescheduling cannot predate the disbursement")
    if loan.outstanding_principal_satang == 0:
        raise Conflict(f"loan {loan.id} has no principal left to reschedule")
    old = await repository.instalments(session, loan.id, loan.schedule_version)
    carried = sum(
        row.interest_due_satang - row.interest_paid_satang
        for row in old
        if row.due_on < body.effective_on
    )
    rate = (
        body.annual_interest_rate_bp
        if body.annual_interest_rate_bp is not None
        else loan.annual_interest_rate_bp
    )
    method = body.repayment_method or loan.repayment_method
    schedule = build_schedule(
        loan.outstanding_principal_satang,
        rate,
        body.term_months,
        body.grace_months,
        method,
        body.first_due_on,
    )
    version = loan.schedule_version + 1
    for item in schedule:
        session.add(
            LoanInstalment(
                loan_id=loan.id,
                schedule_version=version,
                number=item.number,
                due_on=item.due_on,
                principal_due_satang=item.principal_satang,
                interest_due_satang=item.interest_satang + (carried if item.number == 1 else 0),
            )
        )
    session.add(
        LoanRescheduling(
            loan_id=loan.id,
            schedule_version=version,
            reason=body.reason,
            effective_on=body.effective_on,
            first_due_on=body.first_due_on,
            outstanding_principal_satang=loan.outstanding_principal_satang,
            carried_interest_satang=carried,
            previous_rate_bp=loan.annual_interest_rate_bp,
            previous_term_months=loan.term_months,
            annual_interest_rate_bp=rate,
            term_months=body.term_months,
            grace_months=body.grace_months,
            repayment_method=method,
        )
    )
    loan.schedule_version = version
    loan.annual_interest_rate_bp = rate
    loan.term_months = body.term_months
    loan.grace_months = body.grace_months
    loan.repayment_method = method
    loan.arrears_bucket = None
    loan.updated_at = utcnow()
    session.add(loan)
    await session.flush()
    return loan


async def arrears(session: AsyncSession, loan: Loan, as_of: date) -> Arrears:
    owed = _owed(await repository.instalments(session, loan.id, loan.schedule_version))
    days = days_past_due(owed, as_of)
    overdue = sum(o.interest_satang + o.principal_satang for o in owed if o.due_on < as_of)
    return Arrears(as_of=as_of, days_past_due=days, bucket=bucket(days), overdue_satang=overdue)


async def review_arrears(
    session: AsyncSession, as_of: date, principal: Principal
) -> list[tuple[Loan, Arrears, bool]]:
    """Every active loan in the principal's areas in arrears on ``as_of``;
    ``loan.in_arrears`` for each whose bucket changed since the last review (so a
    daily review reports each step once). A provincial office's review neither
    lists nor marks another area's loans: the national job still reports them."""
    found: list[tuple[Loan, Arrears, bool]] = []
    for loan in await repository.active(session, principal):
        status = await arrears(session, loan, as_of)
        reported = False
        current = None if status.bucket is ArrearsBucket.CURRENT else status.bucket.value
        if current != loan.arrears_bucket:
            loan.arrears_bucket = current
            session.add(loan)
            if current is not None:
                await record_event(
                    session,
                    LoanInArrears(
                        **_about(loan, as_of),
                        as_of=as_of,
                        days_past_due=status.days_past_due,
                        bucket=current,
                        overdue_satang=status.overdue_satang,
                        outstanding_principal_satang=loan.outstanding_principal_satang,
                    ),
                    source=SOURCE,
                )
                reported = True
        if current is not None:
            found.append((loan, status, reported))
    await session.flush()
    return found


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: LoanFilter, paging: Paging
) -> Page[Loan]:
    return await repository.page(session, principal, where, paging)


async def instalments(
    session: AsyncSession, loan_id: uuid.UUID, version: int | None = None
) -> list[LoanInstalment]:
    """The instalments of one schedule version, or of every version (the history)."""
    return await repository.instalments(session, loan_id, version)


async def repayments(session: AsyncSession, loan_id: uuid.UUID) -> list[LoanRepayment]:
    return await repository.repayments(session, loan_id)


async def reschedulings(session: AsyncSession, loan_id: uuid.UUID) -> list[LoanRescheduling]:
    return await repository.reschedulings(session, loan_id)

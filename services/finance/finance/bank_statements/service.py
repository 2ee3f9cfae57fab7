"""Booking a bank statement: every repayment line or none, with a result per line.

Each line is booked by the loans' own rule (``finance.loans.service.repay``:
interest first, then principal, oldest instalment first; a payment reference
already booked on the loan books nothing again), so a repayment means the same
whether it came alone or on a statement. This module adds what a statement
needs around it:

- every line is checked, not only up to the first refusal, and each refusal is
  named under its line's path (``body.lines.3.amount_satang``, or
  ``file.rows.3...`` for a CSV file);
- any refusal books nothing: the request's unit of work rolls back the lines
  already booked, and no event leaves;
- a loan the caller cannot see (unknown, or outside its areas) is refused
  exactly as an unknown reference, before anything else about it is read.

Lines are booked loan by loan in id order (each loan is locked by ``repay``),
so two statements naming the same loans queue instead of deadlocking; the
lines of one loan keep the statement's order.
"""

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, unknown_reference
from baan_shared.errors import AppError, Conflict, Unprocessable, field_error
from finance.bank_statements.schemas import LineResult, StatementLine, StatementResult
from finance.loans import service as loans
from finance.loans.models import Loan
from finance.loans.schemas import RepaymentCreate

LOAN = "loan"


def _under(at: str, refused: AppError) -> list[dict[str, Any]]:
    """A one-repayment refusal's errors, moved under the line's own path."""
    if refused.errors:
        return [
            {**error, "field": f"{at}.{str(error.get('field', 'loan_id')).removeprefix('body.')}"}
            for error in refused.errors
        ]
    return [field_error(f"{at}.loan_id", refused.detail, refused.code)]


async def book(
    session: AsyncSession,
    principal: Principal,
    lines: Sequence[StatementLine],
    *,
    at: str = "body.lines",
) -> StatementResult:
    """Book every line of the statement, or none (``at``: the lines' path in the request)."""
    refusals: list[tuple[int, int, list[dict[str, Any]]]] = []  # index, status, errors
    first_use: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.payment_reference in first_use:
            refusals.append(
                (
                    index,
                    Unprocessable.status,
                    [
                        {
                            "field": f"{at}.{index}.payment_reference",
                            "value": line.payment_reference,
                            "reason": f"named again: line {first_use[line.payment_reference]} "
                            "has this payment reference",
                            "code": "duplicate",
                        }
                    ],
                )
            )
        else:
            first_use[line.payment_reference] = index
    ids = sorted({line.loan_id for line in lines})
    # Locked now, in id order: ``repay`` locks each again, and a row first read
    # without the lock would stay stale in the session's identity map.
    query = select(Loan).where(col(Loan.id).in_(ids)).order_by(col(Loan.id)).with_for_update()
    found = {loan.id: loan for loan in (await session.exec(query)).all()}
    visible = {
        loan_id
        for loan_id, loan in found.items()
        if principal.covers(loan.province_code, loan.district_code, loan.subdistrict_code)
    }
    for index, line in enumerate(lines):
        if line.loan_id not in visible:
            unknown = unknown_reference(f"{at}.{index}.loan_id", LOAN, line.loan_id)
            refusals.append((index, unknown.status, list(unknown.errors or [])))
    refused = {index for index, _, _ in refusals}
    order = sorted(
        (index for index in range(len(lines)) if index not in refused),
        key=lambda index: (lines[index].loan_id, index),
    )
    results: dict[int, LineResult] = {}
    for index in order:
        line = lines[index]
        try:
            repayment, new = await loans.repay(
                session,
                line.loan_id,
                RepaymentCreate(
                    payment_reference=line.payment_reference,
                    amount_satang=line.amount_satang,
                    paid_on=line.paid_on,
                ),
                principal,
            )
        except AppError as refusal:
            refusals.append((index, refusal.status, _under(f"{at}.{index}", refusal)))
            continue
        results[index] = LineResult(
            index=index,
            loan_id=line.loan_id,
            payment_reference=line.payment_reference,
            outcome="booked" if new else "already_booked",
            repayment_id=repayment.id,
            amount_satang=repayment.amount_satang,
            interest_satang=repayment.interest_satang,
            principal_satang=repayment.principal_satang,
            outstanding_principal_satang=repayment.outstanding_principal_satang,
        )
    if refusals:
        refusals.sort(key=lambda refusal: refusal[0])
        errors = [error for _, _, line_errors in refusals for error in line_errors]
        count = len({index for index, _, _ in refusals})
        detail = f"{count} of {len(lines)} statement lines refused; nothing was booked"
        # Input the caller can correct (422) outranks a state that forbids the booking (409).
        if any(status == Unprocessable.status for _, status, _ in refusals):
            raise Unprocessable(detail, errors=errors, refused=count, lines=len(lines))
        raise Conflict(detail, errors=errors, refused=count, lines=len(lines))
    ordered = [results[index] for index in range(len(lines))]
    booked = [r for r in ordered if r.outcome == "booked"]
    return StatementResult(
        booked=len(booked),
        already_booked=len(ordered) - len(booked),
        booked_satang=sum(r.amount_satang for r in booked),
        results=ordered,
    )

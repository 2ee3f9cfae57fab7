"""The money projections: finance's budgets (``finance.budgets``), loans
(``finance.loans``) and revolving funds (``finance.revolving_funds``). Grants
are kept per grant in ``grant_progress`` by the household projection; the money
report reads all four.

Each stream is ordered per aggregate (one budget, one loan), and the consumer's
inbox applies an event once, so these projectors may add amounts. A budget's
allocated amount is not added but taken from the event's running total, so a
reversal (a negative allocation) and its original can never drift apart.
A fund's balance is not added either: each fund event carries the balance after
it and the fund's movement sequence, and the row keeps the highest sequence's.
"""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    BudgetAllocated,
    LoanApproved,
    LoanDisbursed,
    LoanEvent,
    LoanInArrears,
    LoanRepaymentReceived,
    RevolvingFundEvent,
)
from reporting.projections import repository
from reporting.projections.household_progress import event_time
from reporting.projections.models import MONEY, FundMoney, LoanMoney
from reporting.projections.stage import latest


async def on_budget_allocated(
    session: AsyncSession, data: BudgetAllocated, event: CloudEvent
) -> None:
    at = event_time(event)
    budget = await repository.lock_budget(
        session,
        data.budget_id,
        first_seen={
            "programme": data.programme,
            "fiscal_year": data.fiscal_year,
            "area_level": data.area_level,
            "area_code": data.area_code,
            "last_event_time": at,
        },
    )
    # The latest running total is what the budget holds; an older event arriving late
    # (a DLQ replay) must not wind it back.
    if not (budget.allocations and budget.last_event_time and at < budget.last_event_time):
        budget.allocated_satang = data.allocated_total_satang
    budget.allocations += 1
    budget.last_event_time = latest(budget.last_event_time, at) or at
    await repository.save(session, budget)
    await repository.record_applied(session, projection=MONEY, stream=data.topic, event_time=at)


def apply_loan_approved(loan: LoanMoney, data: LoanApproved) -> None:
    loan.principal_approved_satang = data.principal_satang


def apply_loan_disbursed(loan: LoanMoney, data: LoanDisbursed) -> None:
    loan.disbursed_satang += data.amount_satang


def apply_repayment(loan: LoanMoney, data: LoanRepaymentReceived) -> None:
    loan.principal_repaid_satang += data.principal_satang
    loan.interest_paid_satang += data.interest_satang
    loan.last_paid_on = max(filter(None, (loan.last_paid_on, data.paid_on)))
    # A payment after the arrears review pays the overdue amount off first.
    if loan.arrears_as_of is not None and data.paid_on >= loan.arrears_as_of:
        loan.overdue_satang = max(0, loan.overdue_satang - data.amount_satang)
        if loan.overdue_satang == 0:
            loan.days_past_due = 0


def apply_in_arrears(loan: LoanMoney, data: LoanInArrears) -> None:
    if loan.arrears_as_of is None or data.as_of >= loan.arrears_as_of:
        loan.arrears_as_of = data.as_of
        loan.overdue_satang = data.overdue_satang
        loan.days_past_due = data.days_past_due


async def _loan(session: AsyncSession, event: CloudEvent, data: LoanEvent) -> LoanMoney:
    return await repository.lock_loan(
        session,
        data.loan_id,
        first_seen={
            "borrower_type": data.borrower_type,
            "programme": data.programme,
            "province_code": data.province_code,
            "district_code": data.district_code,
            "subdistrict_code": data.subdistrict_code,
            "last_event_time": event_time(event),
        },
    )


async def _finish(
    session: AsyncSession, loan: LoanMoney, data: LoanEvent, at_event: CloudEvent
) -> None:
    at = event_time(at_event)
    loan.outstanding_satang = max(0, loan.disbursed_satang - loan.principal_repaid_satang)
    loan.last_event_time = latest(loan.last_event_time, at) or at
    await repository.save(session, loan)
    await repository.record_applied(session, projection=MONEY, stream=data.topic, event_time=at)


async def on_loan_approved(session: AsyncSession, data: LoanApproved, event: CloudEvent) -> None:
    loan = await _loan(session, event, data)
    apply_loan_approved(loan, data)
    await _finish(session, loan, data, event)


async def on_loan_disbursed(session: AsyncSession, data: LoanDisbursed, event: CloudEvent) -> None:
    loan = await _loan(session, event, data)
    apply_loan_disbursed(loan, data)
    await _finish(session, loan, data, event)


async def on_loan_repayment_received(
    session: AsyncSession, data: LoanRepaymentReceived, event: CloudEvent
) -> None:
    loan = await _loan(session, event, data)
    apply_repayment(loan, data)
    await _finish(session, loan, data, event)


async def on_loan_in_arrears(session: AsyncSession, data: LoanInArrears, event: CloudEvent) -> None:
    loan = await _loan(session, event, data)
    apply_in_arrears(loan, data)
    await _finish(session, loan, data, event)


def _fund_facts(data: RevolvingFundEvent, event: CloudEvent) -> dict[str, Any]:
    return {
        "fund_id": data.revolving_fund_id,
        "scope": data.scope,
        "code": data.code,
        "name": data.name,
        "programme": data.programme,
        "province_code": data.province_code,
        "district_code": data.district_code,
        "subdistrict_code": data.subdistrict_code,
        "balance_satang": data.balance_satang,
        "in_satang": data.in_satang,
        "out_satang": data.out_satang,
        "sequence": data.sequence,
        "last_event_time": event_time(event),
    }


async def on_revolving_fund_event(
    session: AsyncSession, data: RevolvingFundEvent, event: CloudEvent
) -> None:
    """Opened or balance changed: the fund's row takes the event's facts unless it
    already holds a later movement's (a higher sequence).

    One statement, insert or conditional update, so no read-modify-write: the same
    event twice, or an older one after a newer (a DLQ replay, a rebuild), changes
    nothing, and two consumers applying one fund's events at once cannot interleave.
    """
    facts = _fund_facts(data, event)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(FundMoney).values(**facts)
    later = col(FundMoney.sequence) < insert.excluded.sequence
    await session.exec(
        insert.on_conflict_do_update(
            index_elements=[col(FundMoney.fund_id)],
            set_={name: insert.excluded[name] for name in facts if name != "fund_id"},
            where=later,
        )
    )
    await repository.record_applied(
        session, projection=MONEY, stream=data.topic, event_time=event_time(event)
    )

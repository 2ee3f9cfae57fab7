"""Paying the agency's 1:1 match of a welfare fund's contributions (``welfare_match.approved``).

Welfare checked the request against the contributions recorded for its period and
approved it; finance pays it from a budget: the WELFARE_MATCH budget of the fiscal
year of the approval that most specifically covers the fund's tambon (its own, its
district's, its province's, its region's or the country's). Paying is a
reservation on that budget (the same conditional update as a grant's, so racing
matches cannot overspend it) and one balanced ledger entry (welfare matches expense
against cash), in the consumer's transaction.

When no budget covers the fund, or the one that does has less free than the match,
the match is recorded as waiting with the reason, nothing is booked, and
``GET /v1/welfare-match-payments?status=waiting`` lists it; welfare hears it
(``welfare_match.waiting_for_budget`` on ``finance.welfare_matches``, again when the
reason changes, and ``welfare_match.paid`` once when paid: through the outbox, in
the same transaction) and shows it on the match request; allocating to a
WELFARE_MATCH budget pays the waiting matches it covers, oldest first (the event
coming again tries too). One row per match request: a redelivered event is stopped
by the inbox, the same match brought by another event finds its row, and the
unique match request id is the last line behind both, so one baht of match is
never paid twice. A local administration's match is paid by the local
administration itself: finance books nothing for it. Nothing here commits.
"""

import logging
import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.clock import utcnow
from baan_shared.events.catalog import WelfareMatchApproved, WelfareMatchPaid, WelfareMatchWaiting
from baan_shared.fiscal import fiscal_year_at
from baan_shared.outbox import record_event
from baan_shared.pages import Page, Paging
from baan_shared.reference import region_of_province
from finance import SERVICE_NAME
from finance.budgets import service as budgets
from finance.budgets.lines import WELFARE_MATCH
from finance.budgets.models import Budget
from finance.ledger import service as ledger
from finance.ledger.chart import CASH, WELFARE_MATCH_EXPENSE
from finance.ledger.journal import Line
from finance.welfare_matches import repository
from finance.welfare_matches.models import MatchPaymentStatus, WelfareMatchPayment

AGENCY = "agency"
SOURCE = f"/services/{SERVICE_NAME}"

log = logging.getLogger(__name__)


async def match_approved(
    session: AsyncSession, data: WelfareMatchApproved, *, event_id: uuid.UUID
) -> WelfareMatchPayment | None:
    if data.matcher != AGENCY:
        return None
    payment = await repository.for_request(session, data.match_request_id)
    if payment is None:
        payment = WelfareMatchPayment(
            match_request_id=data.match_request_id,
            welfare_fund_id=data.welfare_fund_id,
            province_code=data.province_code,
            district_code=data.district_code,
            subdistrict_code=data.subdistrict_code,
            period_from=data.period_from,
            period_to=data.period_to,
            amount_satang=data.amount_satang,
            status=MatchPaymentStatus.WAITING,
            fiscal_year=fiscal_year_at(data.approved_at),
            source_event_id=event_id,
        )
        session.add(payment)
        await session.flush()
    if payment.status is MatchPaymentStatus.WAITING:
        await _pay(session, payment)
    return payment


async def pay_waiting(session: AsyncSession, budget: Budget) -> int:
    """After money came to a WELFARE_MATCH budget: try again the waiting matches of its
    fiscal year, oldest first, each from the budget that most specifically covers it
    (this one or another); how many were paid. Waiting matches are few (the desk
    allocates when the list shows them), so all of the year's are tried."""
    paid = 0
    for payment in await repository.waiting(session, budget.fiscal_year):
        if await _pay(session, payment):
            paid += 1
    return paid


async def _pay(session: AsyncSession, payment: WelfareMatchPayment) -> bool:
    assert payment.fiscal_year is not None
    reservation = await budgets.reserve(
        session,
        programme=WELFARE_MATCH,
        fiscal_year=payment.fiscal_year,
        province_code=payment.province_code,
        district_code=payment.district_code,
        subdistrict_code=payment.subdistrict_code,
        amount_satang=payment.amount_satang,
        what="the match",
        where=f"welfare fund {payment.welfare_fund_id} in tambon {payment.subdistrict_code}",
    )
    if reservation.budget is None:
        if payment.unpaid_reason != reservation.refusal:
            log.warning("welfare match %s waits: %s", payment.match_request_id, reservation.refusal)
            await record_event(
                session,
                WelfareMatchWaiting(**_facts(payment), reason=reservation.refusal or "no budget"),
                source=SOURCE,
            )
        payment.unpaid_reason = reservation.refusal
        session.add(payment)
        await session.flush()
        return False
    entry = await ledger.post_entry(
        session,
        [
            Line.debit(WELFARE_MATCH_EXPENSE, payment.amount_satang),
            Line.credit(CASH, payment.amount_satang),
        ],
        description=(
            f"1:1 match of welfare fund {payment.welfare_fund_id}'s contributions "
            f"{payment.period_from} to {payment.period_to}, from budget {reservation.budget.id}"
        ),
        reference=f"welfare-match:{payment.match_request_id}",
        source_event_id=payment.source_event_id,
    )
    payment.status = MatchPaymentStatus.PAID
    payment.budget_id = reservation.budget.id
    payment.journal_entry_id = entry.id
    payment.paid_at = utcnow()
    payment.unpaid_reason = None
    session.add(payment)
    await session.flush()
    await record_event(
        session,
        WelfareMatchPaid(**_facts(payment), paid_at=payment.paid_at, budget_id=payment.budget_id),
        source=SOURCE,
    )
    return True


def _facts(payment: WelfareMatchPayment) -> dict[str, Any]:
    office = region_of_province(payment.province_code)
    return {
        "welfare_fund_id": payment.welfare_fund_id,
        "province_code": payment.province_code,
        "district_code": payment.district_code,
        "subdistrict_code": payment.subdistrict_code,
        "region_code": office.code if office is not None else None,
        "match_request_id": payment.match_request_id,
        "amount_satang": payment.amount_satang,
        "fiscal_year": payment.fiscal_year,
    }


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: MatchPaymentStatus | None,
    after: uuid.UUID | None,
    limit: int,
) -> Page[WelfareMatchPayment]:
    where = repository.MatchPaymentFilter(status)
    return await repository.page(session, principal, where, Paging(after, limit))

"""Matching rules: a fund asks a matcher for the match of its members' contributions
over a period; the request is checked against the contributions recorded for the
period (matching/rules.py) and, approved, booked into the fund's books once
(``match:<id>``) and published as ``welfare_match.approved`` for finance to pay the
agency's share from a budget. Finance's answer comes back (``on_match_waiting``,
``on_match_paid``): the request shows the payment waiting for a budget, with the
reason, or paid, when and how much. Nothing here commits; the caller's unit of work
does.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist
from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, field_error
from baan_shared.events.catalog import WelfareMatchApproved, WelfareMatchPaid, WelfareMatchWaiting
from baan_shared.outbox import record_event
from welfare import SOURCE
from welfare.areas import region_of
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.contributions import repository as contributions
from welfare.funds import repository as funds_repository
from welfare.funds import service as funds
from welfare.funds.models import Fund
from welfare.matching import repository
from welfare.matching.models import Matcher, MatchPaymentStatus, MatchRequest, MatchStatus
from welfare.matching.rules import Period, over_contributions, overlapping
from welfare.matching.schemas import MatchDecision, MatchRequestCreate

KIND_OF = {
    Matcher.AGENCY: MovementKind.AGENCY_MATCH,
    Matcher.LOCAL_ADMINISTRATION: MovementKind.LOCAL_MATCH,
}


async def get(session: AsyncSession, request_id: uuid.UUID, principal: Principal) -> MatchRequest:
    row = await repository.get(session, request_id)
    fund = await funds_repository.get(session, row.fund_id) if row is not None else None
    if row is None or fund is None or not funds.covers(principal, fund):
        raise does_not_exist(f"match request {request_id}")
    return row


async def request(session: AsyncSession, fund: Fund, body: MatchRequestCreate) -> MatchRequest:
    await repository.lock_fund(session, fund.id)
    period = Period(body.period_from, body.period_to)
    earlier = await repository.standing(session, fund.id, body.matcher)
    clash = overlapping(period, [Period(r.period_from, r.period_to) for r in earlier])
    if clash is not None:
        reason = (
            f"the {body.matcher.value} match already covers {clash.first} to {clash.last}: "
            "a day's contributions are matched once"
        )
        raise Conflict(
            reason,
            errors=[
                field_error("body.period_from", reason, "period-overlaps", value=body.period_from)
            ],
        )
    recorded = await contributions.total_between(session, fund.id, period.first, period.last)
    if over_contributions(body.amount_satang, recorded):
        reason = (
            f"members' contributions recorded from {period.first} to {period.last} are "
            f"{recorded} satang; a 1:1 match asks at most that"
        )
        raise Conflict(
            reason,
            errors=[
                field_error(
                    "body.amount_satang", reason, "over-contributions", value=body.amount_satang
                )
            ],
        )
    row = MatchRequest(
        fund_id=fund.id,
        matcher=body.matcher,
        matcher_name=body.matcher_name,
        period_from=body.period_from,
        period_to=body.period_to,
        amount_satang=body.amount_satang,
        contributions_satang=recorded,
        status=MatchStatus.REQUESTED,
        requested_by=body.requested_by,
    )
    session.add(row)
    await session.flush()
    return row


async def decide(session: AsyncSession, row: MatchRequest, body: MatchDecision) -> MatchRequest:
    if row.status is not MatchStatus.REQUESTED:
        raise Conflict(
            f"the match request is already {row.status.value}",
            errors=[
                field_error(
                    "match_request", "already decided", "match-status", value=row.status.value
                )
            ],
        )
    row.decided_by = body.decided_by
    row.decided_at = utcnow()
    if not body.approve:
        row.status = MatchStatus.REFUSED
        session.add(row)
        await session.flush()
        return row
    fund = await funds.get(session, row.fund_id)
    await books.book(
        session,
        fund,
        KIND_OF[row.matcher],
        row.amount_satang,
        occurred_on=row.period_to,
        reference=f"match:{row.id}",
    )
    row.status = MatchStatus.APPROVED
    session.add(row)
    await session.flush()
    await record_event(
        session,
        WelfareMatchApproved(
            welfare_fund_id=fund.id,
            province_code=fund.province_code,
            district_code=fund.district_code,
            subdistrict_code=fund.subdistrict_code,
            region_code=region_of(fund.province_code),
            match_request_id=row.id,
            matcher=row.matcher.value,
            period_from=row.period_from,
            period_to=row.period_to,
            amount_satang=row.amount_satang,
            approved_at=row.decided_at,
            approved_by=body.decided_by,
        ),
        source=SOURCE,
    )
    return row


async def of_fund(session: AsyncSession, fund_id: uuid.UUID) -> list[MatchRequest]:
    return await repository.of_fund(session, fund_id)


async def on_match_waiting(session: AsyncSession, data: WelfareMatchWaiting) -> None:
    """Finance keeps the agency's match waiting for a budget: the reason, unless it was
    paid already (paid is final; an unknown request is not welfare's: ignored)."""
    row = await repository.get(session, data.match_request_id)
    if row is None or row.payment_status is MatchPaymentStatus.PAID:
        return
    row.payment_status = MatchPaymentStatus.WAITING_FOR_BUDGET
    row.payment_reason = data.reason
    session.add(row)
    await session.flush()


async def on_match_paid(session: AsyncSession, data: WelfareMatchPaid) -> None:
    """Finance paid the agency's match: when, and how much."""
    row = await repository.get(session, data.match_request_id)
    if row is None:
        return
    row.payment_status = MatchPaymentStatus.PAID
    row.payment_reason = None
    row.paid_at = data.paid_at
    row.paid_satang = data.amount_satang
    session.add(row)
    await session.flush()

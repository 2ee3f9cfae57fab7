"""Benefit rules: a claim is judged by the fund's rules in force on its event's date
(benefits/eligibility.py), decided by the committee, and paid from the fund.

A claim the rules refuse is not stored: the answer (409, or 422 for a missing
figure) names the field and the rule. The committee's approval judges the claim
again, as other claims of the year may have been approved meanwhile; the
member's row is held while a claim is judged, so two claims cannot both fit a
yearly limit only one fits. Paying takes the amount out of the fund's books (409
``fund-balance`` if it holds less) and publishes ``welfare_benefit.paid``.
"""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist
from baan_shared.clock import utcnow
from baan_shared.errors import AppError, Conflict, Unprocessable, field_error
from baan_shared.events.catalog import WelfareBenefitPaid
from baan_shared.outbox import record_event
from welfare import SOURCE
from welfare.areas import region_of
from welfare.benefits import repository
from welfare.benefits.eligibility import Ask, Claimant, Due, Refusal, assess
from welfare.benefits.models import Claim, ClaimStatus
from welfare.benefits.schemas import ClaimCreate, Decision, Payment
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.funds import repository as funds_repository
from welfare.funds import service as funds
from welfare.funds.models import Fund
from welfare.members import repository as members
from welfare.members.models import Member

# Refusals about a figure the claim left out: bad input (422); the others are the
# fund's rules (409).
MISSING = frozenset({"nights", "amount"})


def refused(refusal: Refusal, value: object) -> AppError:
    cls = Unprocessable if refusal.rule in MISSING else Conflict
    return cls(
        f"refused by the fund's rules ({refusal.rule}): {refusal.reason}",
        errors=[field_error(refusal.field, refusal.reason, refusal.rule, value=value)],
    )


async def get(session: AsyncSession, claim_id: uuid.UUID, principal: Principal) -> Claim:
    claim = await repository.get(session, claim_id)
    fund = await funds_repository.get(session, claim.fund_id) if claim is not None else None
    if claim is None or fund is None or not funds.covers(principal, fund):
        raise does_not_exist(f"welfare claim {claim_id}")
    return claim


async def _judge(
    session: AsyncSession, member: Member, ask: Ask, besides: uuid.UUID | None = None
) -> Due | Refusal:
    await members.lock(session, member.id)
    found = await funds.rules_in_force(session, member.fund_id, ask.event_date)
    rules, effective_from = found if found is not None else (None, None)
    used = await repository.used(session, member.id, ask.kind, ask.event_date.year, besides=besides)
    claimant = Claimant(member.joined_on, member.status, member.ended_on)
    return assess(rules, effective_from, claimant, ask, used)


def _value_of(refusal: Refusal, body: ClaimCreate | Claim) -> object:
    field = refusal.field.removeprefix("body.")
    return getattr(body, field, None)


async def submit(session: AsyncSession, member: Member, body: ClaimCreate) -> Claim:
    ask = Ask(body.kind, body.event_date, body.nights, body.amount_satang)
    result = await _judge(session, member, ask)
    if isinstance(result, Refusal):
        raise refused(result, _value_of(result, body))
    claim = Claim(
        fund_id=member.fund_id,
        member_id=member.id,
        kind=body.kind,
        event_date=body.event_date,
        nights=body.nights,
        amount_satang=result.amount_satang,
        rules_effective_from=result.rules_effective_from,
        years_of_membership=result.years_of_membership,
        status=ClaimStatus.SUBMITTED,
        claimed_by=body.claimed_by,
        note=body.note,
    )
    session.add(claim)
    await session.flush()
    return claim


def _not_in(claim: Claim, expected: ClaimStatus, action: str) -> Conflict:
    return Conflict(
        f"the claim is {claim.status.value}; only a {expected.value} claim can be {action}",
        errors=[
            field_error(
                "claim",
                f"the claim is {claim.status.value}",
                "claim-status",
                value=claim.status.value,
            )
        ],
    )


async def decide(session: AsyncSession, claim: Claim, body: Decision) -> Claim:
    if claim.status is not ClaimStatus.SUBMITTED:
        raise _not_in(claim, ClaimStatus.SUBMITTED, "decided")
    if body.approve:
        member = await members.get(session, claim.member_id)
        assert member is not None
        # An up-to claim asks its own amount; the others' amount follows from the rules.
        ask = Ask(claim.kind, claim.event_date, claim.nights, claim.amount_satang)
        result = await _judge(session, member, ask, besides=claim.id)
        if isinstance(result, Refusal):
            raise refused(result, _value_of(result, claim))
        claim.amount_satang = result.amount_satang
        claim.rules_effective_from = result.rules_effective_from
        claim.status = ClaimStatus.APPROVED
    else:
        if not body.reason:
            reason = "say why the committee refuses the claim"
            raise Unprocessable(reason, errors=[field_error("body.reason", reason, "required")])
        claim.status = ClaimStatus.REFUSED
    claim.decided_by = body.decided_by
    claim.decision_reason = body.reason
    claim.updated_at = utcnow()
    session.add(claim)
    await session.flush()
    return claim


async def pay(session: AsyncSession, claim: Claim, body: Payment) -> Claim:
    if claim.status is not ClaimStatus.APPROVED:
        raise _not_in(claim, ClaimStatus.APPROVED, "paid")
    if body.paid_on < claim.event_date:
        reason = f"the benefit is for an event on {claim.event_date}"
        raise Unprocessable(
            reason, errors=[field_error("body.paid_on", reason, "before-event", value=body.paid_on)]
        )
    fund = await funds.get(session, claim.fund_id)
    await books.book(
        session,
        fund,
        MovementKind.BENEFIT,
        claim.amount_satang,
        occurred_on=body.paid_on,
        reference=f"claim:{claim.id}",
    )
    claim.status = ClaimStatus.PAID
    claim.paid_on = body.paid_on
    claim.updated_at = utcnow()
    session.add(claim)
    await session.flush()
    await record_event(session, _paid(claim, fund), source=SOURCE)
    return claim


def _paid(claim: Claim, fund: Fund) -> WelfareBenefitPaid:
    assert claim.paid_on is not None
    return WelfareBenefitPaid(
        welfare_fund_id=fund.id,
        province_code=fund.province_code,
        district_code=fund.district_code,
        subdistrict_code=fund.subdistrict_code,
        region_code=region_of(fund.province_code),
        claim_id=claim.id,
        member_id=claim.member_id,
        benefit_kind=claim.kind.value,
        event_date=claim.event_date,
        amount_satang=claim.amount_satang,
        paid_on=claim.paid_on,
    )


async def page(session: AsyncSession, fund_id: uuid.UUID, **filters: Any) -> list[Claim]:
    return await repository.page(session, fund_id, **filters)

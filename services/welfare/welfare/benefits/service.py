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
from collections.abc import Callable, Sequence
from typing import IO, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist
from baan_shared.auth.pii import mask_national_id
from baan_shared.clock import utcnow
from baan_shared.errors import AppError, Conflict, Unprocessable, field_error
from baan_shared.events.catalog import WelfareBenefitPaid
from baan_shared.outbox import record_event, record_events
from welfare import SOURCE
from welfare.areas import region_of
from welfare.benefits import repository, sheet
from welfare.benefits.eligibility import Ask, Claimant, Due, Refusal, Tally, Used, assess
from welfare.benefits.models import Claim, ClaimStatus
from welfare.benefits.schemas import (
    MAX_BATCH,
    ClaimCreate,
    ClaimDecisionItem,
    ClaimDecisionResult,
    ClaimDecisionsCreate,
    ClaimDecisionsResult,
    ClaimPaymentResult,
    ClaimPaymentsCreate,
    ClaimPaymentsResult,
    ClaimSheetCreate,
    ClaimSheetResult,
    ClaimSheetRowResult,
    Decision,
    Payment,
)
from welfare.benefits.sheet import ClaimLine
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.funds import repository as funds_repository
from welfare.funds import service as funds
from welfare.funds.models import Fund
from welfare.funds.schemas import totals_of
from welfare.funds.service import RulesOn
from welfare.members import repository as members
from welfare.members.models import Member
from welfare.sheets import Columns, Rows, item_problem, problem, read_upload, refuse

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


def _assess(rules_on: RulesOn, member: Member, ask: Ask, used: Used) -> Due | Refusal:
    found = rules_on(ask.event_date)
    rules, effective_from = found if found is not None else (None, None)
    claimant = Claimant(member.joined_on, member.status, member.ended_on)
    return assess(rules, effective_from, claimant, ask, used)


async def _judge(
    session: AsyncSession, member: Member, ask: Ask, besides: uuid.UUID | None = None
) -> Due | Refusal:
    await members.lock(session, [member.id])
    rules_on = await funds.rules_by_date(session, member.fund_id)
    used = await repository.used(session, member.id, ask.kind, ask.event_date.year, besides=besides)
    return _assess(rules_on, member, ask, used)


async def _bench(
    session: AsyncSession, fund: Fund, member_ids: Sequence[uuid.UUID], years: Sequence[int]
) -> tuple[dict[uuid.UUID, Member], RulesOn, Tally]:
    """What judging many claims of the fund needs, one query each whatever their number:
    the members (held until commit, as one claim holds its member), the fund's rule
    versions and what the members used in the claims' years."""
    found = await members.of_fund(session, fund.id, member_ids)
    await members.lock(session, list(found))
    rules_on = await funds.rules_by_date(session, fund.id)
    used = (
        await repository.used_by_year(session, list(found), min(years), max(years)) if found else {}
    )
    return found, rules_on, Tally(used)


def _value_of(refusal: Refusal, body: ClaimCreate | ClaimLine | Claim) -> object:
    field = refusal.field.removeprefix("body.")
    return getattr(body, field, None)


def _filed(member: Member, body: ClaimCreate | ClaimLine, due: Due) -> Claim:
    return Claim(
        fund_id=member.fund_id,
        member_id=member.id,
        kind=body.kind,
        event_date=body.event_date,
        nights=body.nights,
        amount_satang=due.amount_satang,
        rules_effective_from=due.rules_effective_from,
        years_of_membership=due.years_of_membership,
        status=ClaimStatus.SUBMITTED,
        claimed_by=body.claimed_by,
        note=body.note,
    )


async def submit(session: AsyncSession, member: Member, body: ClaimCreate) -> Claim:
    ask = Ask(body.kind, body.event_date, body.nights, body.amount_satang)
    result = await _judge(session, member, ask)
    if isinstance(result, Refusal):
        raise refused(result, _value_of(result, body))
    claim = _filed(member, body, result)
    session.add(claim)
    await session.flush()
    return claim


def _unknown(items: str, index: int, field: str | None, claim_id: uuid.UUID) -> dict[str, Any]:
    """An id naming nothing of this fund, or something outside the client's areas: one
    answer for both (``unknown_reference``'s words)."""
    what = "welfare member" if field == "member_id" else "welfare claim"
    reason = f"no {what} with this id exists in the client's areas"
    return item_problem(items, index, field, claim_id, reason, "unknown-reference")


Locate = Callable[[ClaimLine, str, Any, str, str], dict[str, Any]]


def _in_body(line: ClaimLine, field: str, value: Any, reason: str, code: str) -> dict[str, Any]:
    return item_problem("rows", line.at, field, value, reason, code)


async def submit_sheet(
    session: AsyncSession, fund: Fund, body: ClaimSheetCreate
) -> ClaimSheetResult:
    """Many claims filed together as JSON (see ``_file_lines``)."""
    lines = [
        ClaimLine(
            n, row.member_id, None, row.kind, row.event_date, row.nights, row.amount_satang,
            row.claimed_by, row.note,
        )
        for n, row in enumerate(body.rows)
    ]  # fmt: skip
    return await _file_lines(session, fund, lines, _in_body)


async def submit_sheet_file(
    session: AsyncSession, fund: Fund, *, filename: str, file: IO[bytes]
) -> ClaimSheetResult:
    """A committee's claims uploaded as a CSV (UTF-8) or XLSX file with Thai or English
    headers (``sheet.HEADERS``), a member named by id or national ID: the same rules as
    the JSON sheet, each refused row named by its row in the file (the header is row
    1), its column as written, the value and the rule."""
    _, (columns, (lines, problems)) = read_upload(filename, file, _parse)

    def in_file(line: ClaimLine, field: str, value: Any, reason: str, code: str) -> dict[str, Any]:
        if field == "member_id" and line.national_id is not None:  # named by national ID
            field, value = "national_id", mask_national_id(line.national_id)
        elif field == "amount_satang" and "amount_satang" not in columns.index:
            field = "amount_baht"
        return problem(columns, line.at, field, value, reason, code)

    return await _file_lines(session, fund, lines, in_file, problems=problems)


def _parse(
    header: list[str], rows: Rows
) -> tuple[Columns, tuple[list[ClaimLine], list[dict[str, Any]]]]:
    columns = sheet.map_columns(header)
    return columns, sheet.parse_rows(columns, rows, max_rows=MAX_BATCH)


async def _file_lines(
    session: AsyncSession,
    fund: Fund,
    lines: list[ClaimLine],
    locate: Locate,
    *,
    problems: list[dict[str, Any]] | None = None,
) -> ClaimSheetResult:
    """Each claim judged as ``submit`` judges one, in the order listed, so a claim counts
    toward the yearly limits of the claims after it (two hospital stays of one member in
    one sheet share the nights of the year). Any refused claim refuses the sheet (422 if
    any is bad input, else 409), each named by where it is, its field, value and rule;
    nothing is stored. A member of another fund, in the client's areas or not, is
    refused exactly as an id naming nothing."""
    readable = [line for line in lines if line.readable]
    by_national_id = await members.standings_by_national_id(
        session, fund.id, [line.national_id for line in readable if line.national_id]
    )
    for line in readable:
        if line.national_id is not None and line.national_id in by_national_id:
            line.member_id = by_national_id[line.national_id].id
    asks = {
        line.at: Ask(line.kind, line.event_date, line.nights, line.amount_satang)
        for line in readable
    }
    found, rules_on, tally = await _bench(
        session,
        fund,
        [line.member_id for line in readable if line.member_id is not None],
        [ask.event_date.year for ask in asks.values()],
    )
    bad_input: list[dict[str, Any]] = list(problems or [])
    conflicts: list[dict[str, Any]] = []
    refused_rows: set[object] = {p["row"] for p in problems or []}
    claims: list[tuple[ClaimLine, Claim]] = []
    for line in readable:
        member = found.get(line.member_id) if line.member_id is not None else None
        if member is None:
            reason = (
                "no welfare member with this id exists in the client's areas"
                if line.national_id is None
                else f"no member of this fund has national ID {mask_national_id(line.national_id)}"
            )
            bad_input.append(locate(line, "member_id", line.member_id, reason, "unknown-reference"))
            refused_rows.add(line.at)
            continue
        ask = asks[line.at]
        result = _assess(rules_on, member, ask, tally.of(member.id, ask))
        if isinstance(result, Refusal):
            field = result.field.removeprefix("body.")
            found_problem = locate(line, field, _value_of(result, line), result.reason, result.rule)
            (bad_input if result.rule in MISSING else conflicts).append(found_problem)
            refused_rows.add(line.at)
            continue
        tally.add(
            member.id, ask, claims=1, nights=line.nights or 0, amount_satang=result.amount_satang
        )
        claims.append((line, _filed(member, line, result)))
    refuse(
        bad_input, conflicts, refused_rows, "no claim filed",
        from_file=problems is not None, unit="claims",
    )  # fmt: skip
    session.add_all([claim for _, claim in claims])
    await session.flush()
    return ClaimSheetResult(
        rows=len(claims),
        total_satang=sum(c.amount_satang for _, c in claims),
        results=[
            ClaimSheetRowResult(
                row=line.at,
                claim_id=c.id,
                member_id=c.member_id,
                amount_satang=c.amount_satang,
                rules_effective_from=c.rules_effective_from,
                years_of_membership=c.years_of_membership,
            )
            for line, c in claims
        ],
    )


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


def _record_decision(
    claim: Claim, approve: bool, decided_by: str, reason: str | None, due: Due | None
) -> None:
    if approve:
        assert due is not None
        claim.amount_satang = due.amount_satang
        claim.rules_effective_from = due.rules_effective_from
        claim.status = ClaimStatus.APPROVED
    else:
        claim.status = ClaimStatus.REFUSED
    claim.decided_by = decided_by
    claim.decision_reason = reason
    claim.updated_at = utcnow()


REFUSAL_NEEDS_REASON = "say why the committee refuses the claim"


async def decide(session: AsyncSession, claim: Claim, body: Decision) -> Claim:
    if claim.status is not ClaimStatus.SUBMITTED:
        raise _not_in(claim, ClaimStatus.SUBMITTED, "decided")
    due = None
    if body.approve:
        member = await members.get(session, claim.member_id)
        assert member is not None
        # An up-to claim asks its own amount; the others' amount follows from the rules.
        ask = Ask(claim.kind, claim.event_date, claim.nights, claim.amount_satang)
        result = await _judge(session, member, ask, besides=claim.id)
        if isinstance(result, Refusal):
            raise refused(result, _value_of(result, claim))
        due = result
    elif not body.reason:
        raise Unprocessable(
            REFUSAL_NEEDS_REASON,
            errors=[field_error("body.reason", REFUSAL_NEEDS_REASON, "required")],
        )
    _record_decision(claim, body.approve, body.decided_by, body.reason, due)
    session.add(claim)
    await session.flush()
    return claim


def _claims_problems(
    items: str,
    claim_ids: Sequence[uuid.UUID],
    claims: dict[uuid.UUID, Claim],
    expected: ClaimStatus,
    action: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Bad input (an id naming no claim of the fund, or twice) and conflicts (a claim not
    ``expected``) of a list of claims, each named by its index."""
    bad_input: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    seen: set[uuid.UUID] = set()
    field = "claim_id" if items == "decisions" else None
    for n, claim_id in enumerate(claim_ids):
        claim = claims.get(claim_id)
        if claim is None:
            bad_input.append(_unknown(items, n, field, claim_id))
        elif claim_id in seen:
            reason = "the same claim twice in one list"
            bad_input.append(item_problem(items, n, field, claim_id, reason, "duplicate-in-list"))
        elif claim.status is not expected:
            reason = (
                f"the claim is {claim.status.value}; only a {expected.value} claim can be {action}"
            )
            conflicts.append(item_problem(items, n, field, claim_id, reason, "claim-status"))
        seen.add(claim_id)
    return bad_input, conflicts


async def decide_many(
    session: AsyncSession, fund: Fund, body: ClaimDecisionsCreate
) -> ClaimDecisionsResult:
    """A committee meeting's decisions: each taken as ``decide`` takes one, in the order
    listed (an approval judged again by the rules, counting the meeting's earlier
    approvals and not its earlier refusals), all or none. The claims' members are held
    first, then the claims themselves, as one decision holds them."""
    ids = [d.claim_id for d in body.decisions]
    listed = await repository.of_fund(session, fund.id, ids)
    ask_of = {c.id: Ask(c.kind, c.event_date, c.nights, c.amount_satang) for c in listed.values()}
    member_ids = [c.member_id for c in listed.values()]
    years = [ask.event_date.year for ask in ask_of.values()]
    found, rules_on, tally = await _bench(session, fund, member_ids, years)
    claims = await repository.of_fund(session, fund.id, ids, for_update=True)
    bad_input, conflicts = _claims_problems(
        "decisions", ids, claims, ClaimStatus.SUBMITTED, "decided"
    )
    refused_items = {p["index"] for p in bad_input + conflicts}
    dues: dict[int, Due | None] = {}
    for n, decision in enumerate(body.decisions):
        if n in refused_items:
            continue
        claim = claims[decision.claim_id]
        ask = ask_of[claim.id]
        problem = _judge_decision(n, decision, claim, found[claim.member_id], rules_on, tally, ask)
        if isinstance(problem, dict):
            (bad_input if problem["code"] in MISSING | {"required"} else conflicts).append(problem)
        else:
            dues[n] = problem
    refused_items = {p["index"] for p in bad_input + conflicts}
    refuse(bad_input, conflicts, refused_items, "nothing decided", from_file=False, unit="claims")
    for n, decision in enumerate(body.decisions):
        claim = claims[decision.claim_id]
        _record_decision(claim, decision.approve, body.decided_by, decision.reason, dues[n])
    session.add_all(claims.values())
    await session.flush()
    results = [
        ClaimDecisionResult(
            index=n, claim_id=d.claim_id, status=claims[d.claim_id].status,
            amount_satang=claims[d.claim_id].amount_satang,
        )
        for n, d in enumerate(body.decisions)
    ]  # fmt: skip
    approved = sum(1 for d in body.decisions if d.approve)
    return ClaimDecisionsResult(
        decided_by=body.decided_by,
        approved=approved,
        refused=len(body.decisions) - approved,
        results=results,
    )


def _judge_decision(
    n: int,
    decision: ClaimDecisionItem,
    claim: Claim,
    member: Member,
    rules_on: RulesOn,
    tally: Tally,
    ask: Ask,
) -> Due | dict[str, Any] | None:
    """One decision of a meeting: the approval's amount (None for a refusal), or the
    problem refusing it; ``tally`` then counts the claim as decided."""
    if not decision.approve:
        if not decision.reason:
            return item_problem("decisions", n, "reason", None, REFUSAL_NEEDS_REASON, "required")
        # a refused claim no longer counts toward the limits of the claims after it
        tally.add(
            member.id, ask, claims=-1, nights=-(ask.nights or 0),
            amount_satang=-(ask.amount_satang or 0),
        )  # fmt: skip
        return None
    result = _assess(rules_on, member, ask, tally.besides(member.id, ask))
    if isinstance(result, Refusal):
        return item_problem(
            "decisions", n, "claim_id", claim.id,
            f"{result.field.removeprefix('body.')} {_value_of(result, claim)}: {result.reason}",
            result.rule,
        )  # fmt: skip
    tally.add(
        member.id, ask, claims=0, nights=0,
        amount_satang=result.amount_satang - (ask.amount_satang or 0),
    )  # fmt: skip
    return result


def _before_event(claim: Claim) -> str:
    return f"the benefit is for an event on {claim.event_date}"


def _mark_paid(claim: Claim, body: Payment | ClaimPaymentsCreate) -> None:
    claim.status = ClaimStatus.PAID
    claim.paid_on = body.paid_on
    claim.updated_at = utcnow()


async def pay(session: AsyncSession, claim: Claim, body: Payment) -> Claim:
    if claim.status is not ClaimStatus.APPROVED:
        raise _not_in(claim, ClaimStatus.APPROVED, "paid")
    if body.paid_on < claim.event_date:
        reason = _before_event(claim)
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
    _mark_paid(claim, body)
    session.add(claim)
    await session.flush()
    await record_event(session, _paid(claim, fund), source=SOURCE)
    return claim


async def pay_many(
    session: AsyncSession, fund: Fund, body: ClaimPaymentsCreate
) -> ClaimPaymentsResult:
    """Approved claims of the fund paid on one day: each checked as ``pay`` checks one
    (approved, paid on or after its event), all or none; the fund must hold their total
    (409 ``fund-balance``). Each claim is its own movement on the books (``claim:<id>``,
    numbered in the order listed) with the same ``welfare_fund.balance_changed`` and
    ``welfare_benefit.paid`` events one payment publishes, so the books and reporting
    cannot tell the two paths apart. The fund is held first, then the claims, as one
    payment holds them."""
    await funds_repository.lock(session, fund.id)
    claims = await repository.of_fund(session, fund.id, body.claim_ids, for_update=True)
    bad_input, conflicts = _claims_problems(
        "claim_ids", body.claim_ids, claims, ClaimStatus.APPROVED, "paid"
    )
    refused_items = {p["index"] for p in bad_input + conflicts}
    for n, claim_id in enumerate(body.claim_ids):
        claim = claims.get(claim_id)
        if n not in refused_items and claim is not None and body.paid_on < claim.event_date:
            reason = f"{_before_event(claim)}; paid_on {body.paid_on} comes before it"
            bad_input.append(item_problem("claim_ids", n, None, claim_id, reason, "before-event"))
    refused_items = {p["index"] for p in bad_input + conflicts}
    refuse(bad_input, conflicts, refused_items, "nothing paid", from_file=False, unit="claims")
    paying = [claims[claim_id] for claim_id in body.claim_ids]
    movements = await books.book_many(
        session,
        fund,
        MovementKind.BENEFIT,
        [books.Entry(c.amount_satang, body.paid_on, f"claim:{c.id}") for c in paying],
    )
    for claim in paying:
        _mark_paid(claim, body)
    session.add_all(paying)
    await session.flush()
    await record_events(session, [_paid(c, fund) for c in paying], source=SOURCE)
    return ClaimPaymentsResult(
        paid_on=body.paid_on,
        claims=len(paying),
        total_satang=sum(c.amount_satang for c in paying),
        balance_satang=totals_of(fund).balance_satang,
        results=[
            ClaimPaymentResult(
                index=n, claim_id=c.id, amount_satang=c.amount_satang, movement_sequence=m.sequence
            )
            for n, (c, m) in enumerate(zip(paying, movements, strict=True))
        ],
    )


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

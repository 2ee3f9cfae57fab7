"""Grant rules: open a household's grant, commit it in the ledger, pay its tranches.

Topics are not ordered against each other, so a house event may reach finance
before ``household.approved``. Whichever arrives first opens the grant and
reserves it from the budget: the amount rule is the same, and construction's
events carry the programme, area, fiscal year and estimated cost it copied from
the approval, so the same budget is drawn on either way. If no budget can cover
it, the grant is kept as rejected, ``grant.rejected`` is published (survey
waitlists the household) and no tranche is paid whatever construction reports;
a later ``household.approved`` tries the budget again and then pays what is
due. The stage a house event reports is kept either way, and every event then
pays whatever tranches have become due. Idempotency is in the data, not only
in the inbox: one grant per household, one payment per (grant, tranche), one
row per reported stage, so a replay changes nothing.
Nothing here commits; the caller's unit of work does.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist
from baan_shared.clock import utcnow
from baan_shared.db import insert_rows
from baan_shared.events.catalog import (
    GrantApproved,
    GrantDisbursed,
    GrantRejected,
    HouseEvent,
    HouseholdApproved,
)
from baan_shared.fiscal import fiscal_year_at
from baan_shared.ids import new_id
from baan_shared.outbox import record_event, record_events
from baan_shared.pages import Page, Paging
from baan_shared.reference import region_of_province
from finance import SERVICE_NAME
from finance.budgets import repository as budgets_repository
from finance.budgets import service as budgets
from finance.budgets.models import Budget
from finance.grants import repository
from finance.grants.models import Grant, GrantDisbursement, GrantStatus, HouseStage
from finance.grants.policy import GrantPolicy
from finance.grants.repository import GrantFilter
from finance.grants.tranches import TranchePayment, payments_due
from finance.ledger import service as ledger
from finance.ledger.chart import CASH, GRANT_EXPENSE, GRANTS_PAYABLE
from finance.ledger.journal import Line

SOURCE = f"/services/{SERVICE_NAME}"

log = logging.getLogger(__name__)


def payment_reference(disbursement_id: uuid.UUID, paid_at: datetime) -> str:
    """``PAY-<fiscal year>-<12 hex>``: the random tail of the time-ordered id."""
    return f"PAY-{fiscal_year_at(paid_at)}-{disbursement_id.hex[-12:].upper()}"


def _facts(grant: Grant) -> dict[str, Any]:
    """What every grant event tells: whose grant, where, which year, which budget."""
    return _facts_of(lambda name: getattr(grant, name))


def _facts_of(value: Callable[[str], Any]) -> dict[str, Any]:
    """``_facts`` of a grant given as its column values (``value(name)``): a row the
    batch path inserts without an ORM object has no attributes to read."""
    office = region_of_province(value("province_code"))
    return {
        "grant_id": value("id"),
        "household_id": value("household_id"),
        "programme": value("programme"),
        "province_code": value("province_code"),
        "district_code": value("district_code"),
        "subdistrict_code": value("subdistrict_code"),
        "region_code": office.code if office else None,
        "fiscal_year": value("fiscal_year"),
        "community_id": value("community_id"),
        "project_id": value("project_id"),
        "budget_id": value("budget_id"),
    }


def grant_what(grant_id: uuid.UUID) -> str:
    """How a 404 names a grant, missing or outside the client's areas alike."""
    return f"grant {grant_id}"


def household_grant_what(household_id: uuid.UUID) -> str:
    """How a 404 names a household's grant, missing or outside the client's areas alike."""
    return f"household {household_id}'s grant"


async def get(session: AsyncSession, grant_id: uuid.UUID) -> Grant:
    grant = await repository.get(session, grant_id)
    if grant is None:
        raise does_not_exist(grant_what(grant_id))
    return grant


async def get_for_household(session: AsyncSession, household_id: uuid.UUID) -> Grant:
    grant = await repository.for_household(session, household_id)
    if grant is None:
        raise does_not_exist(household_grant_what(household_id))
    return grant


# --- what the events tell finance --------------------------------------------------------


async def household_approved(
    session: AsyncSession,
    policy: GrantPolicy,
    data: HouseholdApproved,
    *,
    event_id: uuid.UUID,
    event_time: datetime,
) -> Grant | None:
    """The committee selected the household: grant it, unless a house event already did."""
    grant = await open_grant(session, policy, data, event_id=event_id, event_time=event_time)
    if grant is not None and grant.status is not GrantStatus.REJECTED:
        # Stages reported while the grant could not be opened are paid now.
        await pay_due_tranches(session, policy, grant, event_id=event_id)
    return grant


@dataclass(frozen=True)
class Approval:
    """A ``household.approved`` as the consumer hands it over: its data, id and time."""

    data: HouseholdApproved
    event_id: uuid.UUID
    event_time: datetime


async def households_approved(
    session: AsyncSession, policy: GrantPolicy, approvals: Sequence[Approval]
) -> None:
    """``household_approved`` for a partition's batch, set-based (a committee approves
    thousands at once): the same grants, reservations, ledger entries and events as
    one approval after another.

    A household new to finance (no grant, no house stage reported, named once in the
    batch, with a fixed or estimated amount) is granted in bulk: one budget lookup per
    area, one conditional reservation of the total per budget, then multi-row INSERTs
    of grants, journal entries and lines, and ``grant.approved`` events. If a budget
    cannot take its whole share, its households go one by one in stream order, as
    would any other approval, so exactly the same ones are granted and refused as
    when each event is applied alone (budgets are independent of each other).
    """
    named = Counter(a.data.household_id for a in approvals)
    known = await repository.households_known(session, list(named))
    one_by_one = {h for h, times in named.items() if times > 1 or h in known}
    amounts: dict[uuid.UUID, int] = {}
    drawn: dict[tuple[str, int, str, str | None, str | None], Budget | None] = {}
    shares: dict[uuid.UUID, list[Approval]] = {}
    for approval in approvals:
        data = approval.data
        if data.household_id in one_by_one:
            continue
        amount = policy.amount_for(data.programme, data.estimated_cost_satang)
        fiscal_year = data.fiscal_year or fiscal_year_at(approval.event_time)
        where = (
            data.programme,
            fiscal_year,
            data.province_code,
            data.district_code,
            data.subdistrict_code,
        )
        if where not in drawn:
            drawn[where] = await budgets.drawn_on(
                session,
                programme=data.programme,
                fiscal_year=fiscal_year,
                province_code=data.province_code,
                district_code=data.district_code,
                subdistrict_code=data.subdistrict_code,
            )
        budget = drawn[where]
        if amount is None or budget is None:
            one_by_one.add(data.household_id)  # logged or refused, one at a time
            continue
        amounts[data.household_id] = amount
        shares.setdefault(budget.id, []).append(approval)
    granted: list[tuple[Approval, uuid.UUID]] = []
    for budget_id, share in shares.items():
        total = sum(amounts[a.data.household_id] for a in share)
        if await budgets_repository.reserve(session, budget_id, total):
            granted += [(approval, budget_id) for approval in share]
        else:
            one_by_one.update(a.data.household_id for a in share)
    for budget in drawn.values():
        if budget is not None and budget.id in shares:
            await session.refresh(budget)
    if granted:
        await _grant_all(session, granted, amounts)
    for approval in approvals:
        if approval.data.household_id in one_by_one:
            await household_approved(
                session,
                policy,
                approval.data,
                event_id=approval.event_id,
                event_time=approval.event_time,
            )


async def _grant_all(
    session: AsyncSession,
    granted: list[tuple[Approval, uuid.UUID]],
    amounts: dict[uuid.UUID, int],
) -> None:
    """Grants already reserved from their budgets: the rows ``open_grant`` and
    ``_reserve`` write for each, as one multi-row INSERT per table (SQLAlchemy Core,
    no ORM objects: grants, journal entries and lines, outbox rows)."""
    now = utcnow()
    grants: list[dict[str, Any]] = []
    for approval, budget_id in granted:
        data = approval.data
        grants.append(
            {
                **_NEW_GRANT,
                "id": new_id(),
                "household_id": data.household_id,
                "programme": data.programme,
                "province_code": data.province_code,
                "district_code": data.district_code,
                "subdistrict_code": data.subdistrict_code,
                "fiscal_year": data.fiscal_year or fiscal_year_at(approval.event_time),
                "community_id": data.community_id,
                "amount_satang": amounts[data.household_id],
                "budget_id": budget_id,
                "opened_by": type(data).event_type,
                "source_event_id": approval.event_id,
                "approved_at": now,
                "updated_at": now,
            }
        )
    await insert_rows(session, Grant.__table__, grants)
    # The commitments: each grant's expense recognised and owed to its household.
    await ledger.post_entries(
        session,
        [
            ledger.Entry(
                lines=[
                    Line.debit(GRANT_EXPENSE, grant["amount_satang"]),
                    Line.credit(GRANTS_PAYABLE, grant["amount_satang"]),
                ],
                description=f"{grant['programme']} grant approved for household "
                f"{grant['household_id']}",
                reference=str(grant["id"]),
                occurred_at=now,
                source_event_id=approval.event_id,
            )
            for grant, (approval, _) in zip(grants, granted, strict=True)
        ],
    )
    await record_events(
        session,
        [
            GrantApproved(**_facts_of(g.__getitem__), amount_satang=g["amount_satang"])
            for g in grants
        ],
        source=SOURCE,
    )


# The columns a grant granted by the batch path starts with, written out: a Core INSERT
# applies no ORM defaults, and every row of one INSERT names the same columns.
_NEW_GRANT: dict[str, Any] = {
    "house_id": None,
    "project_id": None,
    "rejection_reason": None,
    "disbursed_satang": 0,
    "status": GrantStatus.APPROVED,
}


async def house_stage_reached(
    session: AsyncSession,
    policy: GrantPolicy,
    data: HouseEvent,
    *,
    stage: str,
    reached_on: date | None,
    event_id: uuid.UUID,
    event_time: datetime,
) -> list[GrantDisbursement]:
    """Construction reports a stage: keep it, open the grant if needed, pay what is due."""
    await record_stage(session, data, stage, reached_on=reached_on, event_id=event_id)
    grant = await open_grant(session, policy, data, event_id=event_id, event_time=event_time)
    if grant is None:
        return []
    if grant.house_id is None:
        grant.house_id = data.house_id
    if grant.community_id is None:
        grant.community_id = data.community_id
    if grant.project_id is None and data.project_id is not None:
        grant.project_id = data.project_id
        await _move_to_project_budget(session, grant)
    session.add(grant)
    if grant.status is GrantStatus.REJECTED:
        return []
    return await pay_due_tranches(session, policy, grant, event_id=event_id)


async def _move_to_project_budget(session: AsyncSession, grant: Grant) -> None:
    """The house joined a project: if nothing is paid yet and the project has its own
    budget with room, the grant is reserved from it instead (most specific first).

    Once a tranche is paid the grant stays where it was paid from, so a budget's
    disbursements never move; a project budget without room leaves it in place.
    """
    if grant.status is not GrantStatus.APPROVED or grant.disbursed_satang or not grant.budget_id:
        return
    assert grant.project_id is not None
    moved = await budgets.move_to_project(
        session,
        current=grant.budget_id,
        programme=grant.programme,
        fiscal_year=grant.fiscal_year,
        project_id=grant.project_id,
        amount_satang=grant.amount_satang,
    )
    if moved is not None:
        log.info(
            "grant moved to its project's budget",
            extra={"grant_id": str(grant.id), "budget_id": str(moved.id)},
        )
        grant.budget_id = moved.id
        grant.updated_at = utcnow()


# --- the steps ---------------------------------------------------------------------------


async def record_stage(
    session: AsyncSession,
    data: HouseEvent,
    stage: str,
    *,
    reached_on: date | None,
    event_id: uuid.UUID,
) -> HouseStage:
    existing = await repository.stage(session, data.household_id, stage)
    if existing is not None:
        return existing
    row = HouseStage(
        household_id=data.household_id,
        house_id=data.house_id,
        stage=stage,
        reached_on=reached_on,
        source_event_id=event_id,
    )
    session.add(row)
    await session.flush()
    return row


async def open_grant(
    session: AsyncSession,
    policy: GrantPolicy,
    data: HouseholdApproved | HouseEvent,
    *,
    event_id: uuid.UUID,
    event_time: datetime,
) -> Grant | None:
    """The household's grant: the existing one, or a new one reserved from its budget.

    ``None`` when there is no grant yet and the event does not say how much to
    grant. A grant no budget could cover is kept as ``rejected`` (and
    ``grant.rejected`` tells survey to waitlist the household); a later
    ``household.approved`` (the household taken off the waitlist) tries again.
    """
    existing = await repository.for_household(session, data.household_id, for_update=True)
    if existing is not None:
        if existing.status is GrantStatus.REJECTED and isinstance(data, HouseholdApproved):
            await _reserve(session, policy, existing, event_id=event_id)
        return existing
    amount = policy.amount_for(data.programme, data.estimated_cost_satang)
    if amount is None:
        log.warning(
            "cannot open grant: no fixed amount for the programme and no estimated cost",
            extra={"household_id": str(data.household_id), "programme": data.programme},
        )
        return None
    now = utcnow()
    grant = Grant(
        household_id=data.household_id,
        house_id=data.house_id if isinstance(data, HouseEvent) else None,
        programme=data.programme,
        province_code=data.province_code,
        district_code=data.district_code,
        subdistrict_code=data.subdistrict_code,
        fiscal_year=data.fiscal_year or fiscal_year_at(event_time),
        community_id=data.community_id,
        project_id=data.project_id if isinstance(data, HouseEvent) else None,
        amount_satang=amount,
        status=GrantStatus.REJECTED,  # until a budget covers it, just below
        opened_by=type(data).event_type,
        source_event_id=event_id,
        approved_at=now,
        updated_at=now,
    )
    session.add(grant)
    await session.flush()
    await _reserve(session, policy, grant, event_id=event_id)
    return grant


async def _reserve(
    session: AsyncSession, policy: GrantPolicy, grant: Grant, *, event_id: uuid.UUID
) -> None:
    """Reserve the grant from its budget and commit it in the ledger, or reject it."""
    reservation = await budgets.reserve(
        session,
        programme=grant.programme,
        fiscal_year=grant.fiscal_year,
        province_code=grant.province_code,
        district_code=grant.district_code,
        subdistrict_code=grant.subdistrict_code,
        amount_satang=grant.amount_satang,
        project_id=grant.project_id,
    )
    now = utcnow()
    grant.updated_at = now
    if reservation.budget is None:
        grant.status = GrantStatus.REJECTED
        grant.rejection_reason = reservation.refusal
        session.add(grant)
        await session.flush()
        await record_event(
            session,
            GrantRejected(
                **_facts(grant),
                reason=reservation.refusal or "no budget",
                amount_satang=grant.amount_satang,
            ),
            source=SOURCE,
        )
        return
    grant.status = GrantStatus.APPROVED
    grant.budget_id = reservation.budget.id
    grant.rejection_reason = None
    grant.approved_at = now
    session.add(grant)
    await session.flush()
    # The commitment: the expense is recognised and owed to the household until paid.
    await ledger.post_entry(
        session,
        [
            Line.debit(GRANT_EXPENSE, grant.amount_satang),
            Line.credit(GRANTS_PAYABLE, grant.amount_satang),
        ],
        description=f"{grant.programme} grant approved for household {grant.household_id}",
        reference=str(grant.id),
        occurred_at=now,
        source_event_id=event_id,
    )
    await record_event(
        session, GrantApproved(**_facts(grant), amount_satang=grant.amount_satang), source=SOURCE
    )


async def pay_due_tranches(
    session: AsyncSession, policy: GrantPolicy, grant: Grant, *, event_id: uuid.UUID
) -> list[GrantDisbursement]:
    """Pay, in order, every tranche the stages reached have made due and nobody has paid."""
    reached = await repository.stages_reached(session, grant.household_id)
    paid = {d.tranche: d.amount_satang for d in await repository.disbursements(session, grant.id)}
    due = payments_due(grant.amount_satang, policy.schedule_for(grant.programme), reached, paid)
    return [await _pay(session, grant, payment, event_id=event_id) for payment in due]


async def _pay(
    session: AsyncSession, grant: Grant, payment: TranchePayment, *, event_id: uuid.UUID
) -> GrantDisbursement:
    now = utcnow()
    disbursement_id = new_id()
    reference = payment_reference(disbursement_id, now)
    entry = await ledger.post_entry(
        session,
        [
            Line.debit(GRANTS_PAYABLE, payment.amount_satang),
            Line.credit(CASH, payment.amount_satang),
        ],
        description=f"grant {grant.id} tranche {payment.tranche} paid to household "
        f"{grant.household_id}",
        reference=reference,
        occurred_at=now,
        source_event_id=event_id,
    )
    disbursement = GrantDisbursement(
        id=disbursement_id,
        grant_id=grant.id,
        tranche=payment.tranche,
        stage=payment.stage,
        amount_satang=payment.amount_satang,
        payment_reference=reference,
        journal_entry_id=entry.id,
        source_event_id=event_id,
        paid_at=now,
    )
    session.add(disbursement)
    grant.disbursed_satang += payment.amount_satang
    grant.status = (
        GrantStatus.DISBURSED if grant.outstanding_satang == 0 else GrantStatus.DISBURSING
    )
    grant.updated_at = now
    session.add(grant)
    await session.flush()
    await record_event(
        session,
        GrantDisbursed(
            **_facts(grant),
            tranche=payment.tranche,
            amount_satang=payment.amount_satang,
            payment_reference=reference,
            disbursed_total_satang=grant.disbursed_satang,
        ),
        source=SOURCE,
    )
    return disbursement


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: GrantFilter, paging: Paging
) -> Page[Grant]:
    return await repository.page(session, principal, where, paging)


async def disbursements(session: AsyncSession, grant_id: uuid.UUID) -> list[GrantDisbursement]:
    return await repository.disbursements(session, grant_id)

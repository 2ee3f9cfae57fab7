"""Welfare's events applied per partition batch, set-based.

One at a time, a ``welfare_member.joined`` costs a locking select of the member, an
insert-if-missing and a locking select of its fund, another pair for the fund's
fiscal year, an insert and two updates; a ``welfare_fund.balance_changed`` or a
``welfare_benefit.paid`` about as many. A fund committee's members sheet of 1,300
members was 1,300 times that. Here a batch costs one select of the members (or
movements, or claims) already known, a lock of each fund and fund-year it touches
(in key order, so two batches cannot deadlock), one multi-row insert and one flush
of the counts. Every row comes out exactly as the one-event handlers in
``service`` make it (``tests/test_welfare_projection_batch.py`` checks that); the
batch's other events (a fund's registration, a member's status change) go, in
order, to the next batch handler.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    WelfareAreaMixin,
    WelfareBenefitPaid,
    WelfareFundBalanceChanged,
    WelfareMemberJoined,
)
from baan_shared.events.subscriptions import BatchHandler
from baan_shared.fiscal import fiscal_year_be
from reporting.projections.household_progress import event_time
from reporting.projections.repository import high_water_marks_per_batch, record_applied
from reporting.welfare import repository
from reporting.welfare.models import (
    WelfareBenefit,
    WelfareFund,
    WelfareMember,
    WelfareMovement,
)
from reporting.welfare.service import (
    FLOW_OF_KIND,
    HOLDING,
    WELFARE,
    benefit_row,
    fund_area,
    keep_totals,
    mark_seen,
)

SET_BASED = {
    WelfareMemberJoined.event_type: WelfareMemberJoined,
    WelfareFundBalanceChanged.event_type: WelfareFundBalanceChanged,
    WelfareBenefitPaid.event_type: WelfareBenefitPaid,
}
Counts = dict[tuple[uuid.UUID, int], dict[str, int]]


async def apply_batch(
    session: AsyncSession, events: Sequence[CloudEvent], *, then: BatchHandler
) -> None:
    """The batch's member joins, fund movements and benefits set-based, then the rest
    of it with ``then``.

    Applying those first changes no outcome: a member's events share a key, so its
    join comes before its status changes anyway; a fund keeps the totals of its
    highest sequence and its latest event time whatever their order."""
    picked: dict[str, list[tuple[CloudEvent, Any]]] = {}
    rest: list[CloudEvent] = []
    for event in events:
        model = SET_BASED.get(event.type)
        if model is None:
            rest.append(event)
        else:
            picked.setdefault(event.type, []).append((event, model.model_validate(event.data)))
    if picked:
        async with high_water_marks_per_batch(session):
            for event, data in (pair for pairs in picked.values() for pair in pairs):
                await record_applied(
                    session, projection=WELFARE, stream=data.topic, event_time=event_time(event)
                )
            if joins := picked.get(WelfareMemberJoined.event_type):
                await on_members_joined(session, joins)
            if changes := picked.get(WelfareFundBalanceChanged.event_type):
                await on_balances_changed(session, changes)
            if paid := picked.get(WelfareBenefitPaid.event_type):
                await on_benefits_paid(session, paid)
    if rest:
        await then(session, rest)


async def _lock_funds(
    session: AsyncSession, about: Sequence[WelfareAreaMixin]
) -> dict[uuid.UUID, WelfareFund]:
    """The funds these events are about, each made from its first event if new; locked
    in key order."""
    first_seen: dict[uuid.UUID, dict[str, Any]] = {}
    for data in about:
        first_seen.setdefault(data.welfare_fund_id, fund_area(data))
    return await repository.lock_funds(session, first_seen)


async def _add_to_years(
    session: AsyncSession, funds: dict[uuid.UUID, WelfareFund], counts: Counts
) -> None:
    if not counts:
        return
    rows = await repository.lock_fund_years(session, funds, list(counts))
    for key, by in counts.items():
        row = rows[key]
        for name, added in by.items():
            setattr(row, name, getattr(row, name) + added)
        session.add(row)


async def on_members_joined(
    session: AsyncSession, joins: Sequence[tuple[CloudEvent, WelfareMemberJoined]]
) -> None:
    """What ``service.on_member_joined`` does for each join, in order.

    The members are inserted before their funds are locked, and the funds' counts
    added last: a fund's members join on every partition of ``welfare.members`` (a
    member is the key), whose batches apply side by side and queue on the fund's lock
    until commit, so the lock is held for the few statements of the counts alone.
    The members need no lock: a member's events are on one partition, in order."""
    known = await repository.existing(
        session, col(WelfareMember.member_id), [data.member_id for _, data in joins]
    )
    new: list[tuple[CloudEvent, WelfareMemberJoined]] = []
    for event, data in joins:
        if data.member_id not in known:  # a member joins once; a repeat changes nothing
            known.add(data.member_id)
            new.append((event, data))
    if not new:
        return
    counts: Counts = {}
    holding: dict[uuid.UUID, int] = {}  # members added to each fund's count
    latest: dict[uuid.UUID, CloudEvent] = {}  # each fund's latest event
    members = []  # plain rows: a members sheet is thousands, and ORM objects cost most
    for event, data in new:
        fund_id = data.welfare_fund_id
        if fund_id not in latest or event.time > latest[fund_id].time:
            latest[fund_id] = event
        year = counts.setdefault((fund_id, fiscal_year_be(data.joined_on)), {})
        year["members_joined"] = year.get("members_joined", 0) + 1
        if data.status in HOLDING:
            holding[fund_id] = holding.get(fund_id, 0) + 1
            ended_on = None
        else:  # joined and ended before reporting heard of it
            ended_on = data.joined_on
            year["members_ended"] = year.get("members_ended", 0) + 1
        members.append(
            {
                "member_id": data.member_id,
                "welfare_fund_id": fund_id,
                "province_code": data.province_code,
                "district_code": data.district_code,
                "subdistrict_code": data.subdistrict_code,
                "status": data.status,
                "joined_on": data.joined_on,
                "ended_on": ended_on,
            }
        )
    await repository.insert_new(session, WelfareMember, members, ["member_id"])
    funds = await _lock_funds(session, [data for _, data in new])
    for fund_id, fund in funds.items():
        mark_seen(fund, latest[fund_id])
        fund.members += holding.get(fund_id, 0)
    await _add_to_years(session, funds, counts)
    session.add_all(funds.values())
    await session.flush()


async def on_balances_changed(
    session: AsyncSession, changes: Sequence[tuple[CloudEvent, WelfareFundBalanceChanged]]
) -> None:
    """What ``service.on_fund_balance_changed`` does for each movement, in order."""
    funds = await _lock_funds(session, [data for _, data in changes])
    known = await repository.existing(
        session, col(WelfareMovement.movement_id), [data.movement_id for _, data in changes]
    )
    counts: Counts = {}
    movements = []
    for event, data in changes:
        fund = funds[data.welfare_fund_id]
        mark_seen(fund, event)
        keep_totals(fund, data)
        if data.movement_id in known:  # a replayed movement is never counted again
            continue
        known.add(data.movement_id)
        movements.append(
            {
                "movement_id": data.movement_id,
                "welfare_fund_id": data.welfare_fund_id,
                "sequence": data.sequence,
                "movement_kind": data.movement_kind,
                "change_satang": data.change_satang,
                "occurred_on": data.occurred_on,
            }
        )
        flow = FLOW_OF_KIND.get(data.movement_kind)
        if flow is not None:
            year = counts.setdefault((fund.welfare_fund_id, fiscal_year_be(data.occurred_on)), {})
            year[flow] = year.get(flow, 0) + data.amount_satang
    await repository.insert_new(session, WelfareMovement, movements, ["movement_id"])
    await _add_to_years(session, funds, counts)
    session.add_all(funds.values())
    await session.flush()


async def on_benefits_paid(
    session: AsyncSession, paid: Sequence[tuple[CloudEvent, WelfareBenefitPaid]]
) -> None:
    """What ``service.on_benefit_paid`` does for each benefit, in order: a member's
    first benefit ever, and first in its fiscal year, is one more person helped."""
    funds = await _lock_funds(session, [data for _, data in paid])
    known = await repository.existing(
        session, col(WelfareBenefit.claim_id), [data.claim_id for _, data in paid]
    )
    helped = await repository.benefit_years(session, [data.member_id for _, data in paid])
    ever = {member for member, _ in helped}
    counts: Counts = {}
    benefits = []
    for event, data in paid:
        fund = funds[data.welfare_fund_id]
        mark_seen(fund, event)
        if data.claim_id in known:
            continue
        known.add(data.claim_id)
        fiscal_year = fiscal_year_be(data.paid_on)
        benefits.append(benefit_row(data, fiscal_year))
        year = counts.setdefault((fund.welfare_fund_id, fiscal_year), {})
        year["benefits"] = year.get("benefits", 0) + 1
        fund.benefits += 1
        if (data.member_id, fiscal_year) not in helped:
            helped.add((data.member_id, fiscal_year))
            year["people_helped"] = year.get("people_helped", 0) + 1
        if data.member_id not in ever:
            ever.add(data.member_id)
            fund.people_helped += 1
    await repository.insert_new(session, WelfareBenefit, benefits, ["claim_id"])
    await _add_to_years(session, funds, counts)
    session.add_all(funds.values())
    await session.flush()

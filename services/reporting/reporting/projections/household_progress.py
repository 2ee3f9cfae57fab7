"""The ``household_progress`` projection: one row per household, fed by three streams.

Survey (``household.*``), construction (``house.*``) and finance (``grant.*``)
each tell part of a household's story, on their own topics, in no order
relative to each other. So every projector only fills its own fields, creates
the row from whichever event comes first (area and programme from that
event), keeps the latest time of each milestone, and recomputes the stage from
the timestamps: the same events in any order give the same row.

The ``apply_*`` functions are plain: tests call them on a row without a database.
Milestone times are the CloudEvent ``time``: when the source service recorded
the change; they order the story. Beside them the row keeps the dates the
sources gave the milestones (a committee's meeting, the day building started
or ended), which may be earlier than the event: the reports count periods by
those. Nothing here commits; the consumer commits the row and its inbox
entry together.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from typing import Any, TypeAlias, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    GrantApproved,
    GrantDisbursed,
    GrantEvent,
    GrantRejected,
    HouseCancelled,
    HouseCompleted,
    HouseConstructionStarted,
    HouseEvent,
    HouseholdApproved,
    HouseholdEvent,
    HouseholdRejected,
    HouseholdSurveyed,
    HouseholdWaitlisted,
    HouseMilestoneReached,
    HousePlanned,
    HouseReadyToBuild,
)
from reporting.periods import BANGKOK
from reporting.projections import repository, summaries
from reporting.projections.models import (
    HOUSEHOLD_PROGRESS,
    HouseholdProgress,
    as_utc,
)
from reporting.projections.rows import Grant, Household
from reporting.projections.stage import after, latest, stage_of

AnyHouseholdEvent: TypeAlias = HouseholdEvent | HouseEvent | GrantEvent
E = TypeVar("E", bound=AnyHouseholdEvent)
G = TypeVar("G", bound=GrantEvent)


def dated(day: date) -> datetime:
    """A day as sources date milestones: noon in Bangkok, well inside the Thai day
    (survey dates a committee's decisions the same way)."""
    return datetime.combine(day, time(12), BANGKOK).astimezone(UTC)


def event_time(event: CloudEvent) -> datetime:
    at = as_utc(event.time)
    assert at is not None
    return at


# --- survey: household.* ---------------------------------------------------------------


def apply_surveyed(row: Household, data: HouseholdSurveyed, at: datetime) -> None:
    row.surveyed_at = latest(row.surveyed_at, at)
    row.household_size = row.household_size or data.household_size


def apply_approved(row: Household, data: HouseholdApproved, at: datetime) -> None:
    # A household can be approved again after a waitlist, maybe in a later fiscal
    # year: the latest approval names the year it counts in.
    if not after(row.approved_at, at):
        row.approved_at = at
        row.approval_dated = as_utc(data.approved_at)
        row.household_size = data.household_size
        if data.fiscal_year is not None:
            row.fiscal_year = data.fiscal_year


def apply_rejected(row: Household, data: HouseholdRejected, at: datetime) -> None:
    row.rejected_at = latest(row.rejected_at, at)


def apply_waitlisted(row: Household, data: HouseholdWaitlisted, at: datetime) -> None:
    row.waitlisted_at = latest(row.waitlisted_at, at)


# --- construction: house.* -------------------------------------------------------------


def _follow_house(row: Household, data: HouseEvent, at: datetime) -> None:
    """Keep the house work we heard of last (a cancelled house may be planned again)."""
    known = latest(row.planned_at, row.ready_at, row.started_at, row.completed_at, row.cancelled_at)
    if row.house_id is None or not after(known, at):
        row.house_id = data.house_id


def apply_house_planned(row: Household, data: HousePlanned, at: datetime) -> None:
    _follow_house(row, data, at)
    row.planned_at = latest(row.planned_at, at)


def apply_ready_to_build(row: Household, data: HouseReadyToBuild, at: datetime) -> None:
    _follow_house(row, data, at)
    row.ready_at = latest(row.ready_at, at)


def apply_construction_started(
    row: Household, data: HouseConstructionStarted, at: datetime
) -> None:
    _follow_house(row, data, at)
    if not after(row.started_at, at):
        row.started_at = at
        row.start_dated = dated(data.started_on)


def apply_milestone_reached(row: Household, data: HouseMilestoneReached, at: datetime) -> None:
    if row.house_id is None:
        row.house_id = data.house_id
    row.progress_percent = max(row.progress_percent or 0, data.percent)


def apply_house_completed(row: Household, data: HouseCompleted, at: datetime) -> None:
    _follow_house(row, data, at)
    if not after(row.completed_at, at):
        row.completed_at = at
        row.completion_dated = dated(data.completed_on)
    row.progress_percent = 100


def apply_house_cancelled(row: Household, data: HouseCancelled, at: datetime) -> None:
    _follow_house(row, data, at)
    row.cancelled_at = latest(row.cancelled_at, at)


# --- the shared part of every projector --------------------------------------------------


def first_seen(event: CloudEvent, data: AnyHouseholdEvent) -> dict[str, object]:
    """The household's row as its first event (of any stream) creates it."""
    return first_seen_at(event_time(event), data)


def first_seen_at(at: datetime, data: AnyHouseholdEvent) -> dict[str, Any]:
    """``first_seen`` of an event at ``at``."""
    return {
        "programme": data.programme,
        "province_code": data.province_code,
        "district_code": data.district_code,
        "subdistrict_code": data.subdistrict_code,
        "community_id": getattr(data, "community_id", None),
        "fiscal_year": data.fiscal_year,
        "last_event_time": at,
    }


def finish(
    row: Household, data: AnyHouseholdEvent, at: datetime, now: datetime | None = None
) -> None:
    """What every event does after its own fields: fill gaps, recompute the stage
    (``now``: the batch's clock reading, else the clock's)."""
    row.district_code = row.district_code or data.district_code
    row.subdistrict_code = row.subdistrict_code or data.subdistrict_code
    # Grant events name no community; household and house events may.
    row.community_id = row.community_id or getattr(data, "community_id", None)
    if row.fiscal_year is None:
        row.fiscal_year = data.fiscal_year
    row.last_event_time = latest(row.last_event_time, at) or at
    row.stage = stage_of(row)
    row.updated_at = now or utcnow()


@asynccontextmanager
async def _household(
    session: AsyncSession, event: CloudEvent, data: AnyHouseholdEvent
) -> AsyncIterator[HouseholdProgress]:
    """Lock (or create) the household's row, let the caller fill its fields, then
    recompute the stage and move the projection's high-water mark."""
    at = event_time(event)
    row, created = await repository.lock_household(
        session, data.household_id, first_seen=first_seen(event, data)
    )
    keep_summaries = summaries.kept()
    before = None if created or not keep_summaries else summaries.contribution(row)
    yield row
    finish(row, data, at)
    await repository.save(session, row)
    if keep_summaries:
        deltas = summaries.Deltas()
        deltas.change(before, summaries.contribution(row))
        await deltas.write(session)
    await repository.record_applied(
        session, projection=HOUSEHOLD_PROGRESS, stream=data.topic, event_time=at
    )


def projector(
    model: type[E], apply: Callable[[HouseholdProgress, E, datetime], None]
) -> Callable[[AsyncSession, E, CloudEvent], Awaitable[None]]:
    """The handler of ``model``'s events: it applies each to its household's row."""

    async def handle(session: AsyncSession, data: E, event: CloudEvent) -> None:
        async with _household(session, event, data) as row:
            apply(row, data, event_time(event))

    handle.__name__ = handle.__qualname__ = f"project_{model.event_type.replace('.', '_')}"
    return handle


on_household_surveyed = projector(HouseholdSurveyed, apply_surveyed)
on_household_approved = projector(HouseholdApproved, apply_approved)
on_household_rejected = projector(HouseholdRejected, apply_rejected)
on_household_waitlisted = projector(HouseholdWaitlisted, apply_waitlisted)
on_house_planned = projector(HousePlanned, apply_house_planned)
on_house_ready_to_build = projector(HouseReadyToBuild, apply_ready_to_build)
on_house_construction_started = projector(HouseConstructionStarted, apply_construction_started)
on_house_milestone_reached = projector(HouseMilestoneReached, apply_milestone_reached)
on_house_completed = projector(HouseCompleted, apply_house_completed)
on_house_cancelled = projector(HouseCancelled, apply_house_cancelled)

HOUSEHOLD_PROJECTORS: dict[str, tuple[type[HouseholdEvent | HouseEvent], Callable[..., None]]] = {
    "household.surveyed": (HouseholdSurveyed, apply_surveyed),
    "household.approved": (HouseholdApproved, apply_approved),
    "household.rejected": (HouseholdRejected, apply_rejected),
    "household.waitlisted": (HouseholdWaitlisted, apply_waitlisted),
    "house.planned": (HousePlanned, apply_house_planned),
    "house.ready_to_build": (HouseReadyToBuild, apply_ready_to_build),
    "house.construction_started": (HouseConstructionStarted, apply_construction_started),
    "house.milestone_reached": (HouseMilestoneReached, apply_milestone_reached),
    "house.completed": (HouseCompleted, apply_house_completed),
    "house.cancelled": (HouseCancelled, apply_house_cancelled),
}
"""Survey and construction events: what each does to the household's row."""


# --- finance: grant.* --------------------------------------------------------------------
# Money is kept per grant (a household waitlisted and approved again may get a
# second one) and summed onto the household, so no event is ever added twice
# and tranches may arrive in any order.


def _grant_area(grant: Grant, data: GrantEvent) -> None:
    """Where the grant's money goes, for the money report (first event wins, like the
    household's row)."""
    grant.programme = grant.programme or data.programme
    grant.province_code = grant.province_code or data.province_code
    grant.district_code = grant.district_code or data.district_code
    grant.subdistrict_code = grant.subdistrict_code or data.subdistrict_code
    if grant.fiscal_year is None:
        grant.fiscal_year = data.fiscal_year


def apply_grant_approved(grant: Grant, data: GrantApproved, at: datetime) -> None:
    grant.amount_satang = data.amount_satang
    grant.approved_at = latest(grant.approved_at, at)


def apply_grant_disbursed(grant: Grant, data: GrantDisbursed, at: datetime) -> None:
    # Each tranche carries the running total: the largest total seen is what
    # has been paid, whatever order the tranches came in.
    grant.disbursed_satang = max(grant.disbursed_satang, data.disbursed_total_satang)
    grant.tranches_paid = max(grant.tranches_paid, data.tranche)


def apply_grant_rejected(grant: Grant, data: GrantRejected, at: datetime) -> None:
    grant.rejected_at = latest(grant.rejected_at, at)


GRANT_PROJECTORS: dict[str, tuple[type[GrantEvent], Callable[..., None]]] = {
    "grant.approved": (GrantApproved, apply_grant_approved),
    "grant.disbursed": (GrantDisbursed, apply_grant_disbursed),
    "grant.rejected": (GrantRejected, apply_grant_rejected),
}
"""Grant events: what each does to its grant (and, after it, to the household)."""


def apply_to_grant(grant: Grant, row: Household, data: GrantEvent, at: datetime) -> None:
    """A grant event on its grant, then on the household: money is the sum of the
    household's grants (``grants_of_household`` must include ``grant``)."""
    _model, apply = GRANT_PROJECTORS[data.event_type]
    apply(grant, data, at)
    grant.last_event_time = latest(grant.last_event_time, at) or at
    _grant_area(grant, data)
    if isinstance(data, GrantRejected):
        # The budget could not cover the grant: the household is back on the waitlist.
        row.grant_rejected_at = latest(row.grant_rejected_at, at)


def total_money(row: Household, grants_of_household: Sequence[Grant]) -> None:
    row.grant_amount_satang = sum(g.amount_satang or 0 for g in grants_of_household)
    row.disbursed_satang = sum(g.disbursed_satang for g in grants_of_household)


def grant_projector(
    model: type[G],
) -> Callable[[AsyncSession, G, CloudEvent], Awaitable[None]]:
    """The handler of one grant event type: its grant's row, then the household's."""

    async def handle(session: AsyncSession, data: G, event: CloudEvent) -> None:
        at = event_time(event)
        async with _household(session, event, data) as row:
            grant = await repository.lock_grant(
                session, data.grant_id, household_id=data.household_id, seen_at=at
            )
            before = summaries.grant_contribution(grant)
            apply_to_grant(grant, row, data, at)
            await repository.save(session, grant)
            if not isinstance(data, GrantRejected):
                row.grant_amount_satang, row.disbursed_satang = await repository.grant_money(
                    session, row.household_id
                )
        # After the household's summary rows (every transaction writes the summary
        # tables in one order, ``summaries.TABLES``).
        if summaries.kept():
            deltas = summaries.Deltas()
            deltas.change(before, summaries.grant_contribution(grant))
            await deltas.write(session)

    handle.__name__ = handle.__qualname__ = f"project_{model.event_type.replace('.', '_')}"
    return handle


on_grant_approved = grant_projector(GrantApproved)
on_grant_disbursed = grant_projector(GrantDisbursed)
on_grant_rejected = grant_projector(GrantRejected)

"""Apply a batch of events set-based: a few statements per batch, not per event.

The consumer hands reporting one partition's new events at a time (the live
stream and the rebuild alike). One at a time, each household event costs an
insert-if-missing, a locking select and an update; a national replay has
millions. Here the batch's households are created if missing in one
statement and read and locked in one Core SELECT (in key order, so two batches
locking the same households cannot deadlock) into plain rows (``rows``: no ORM
objects, whose attribute events and flush were most of a replay's Python time),
the events are applied to them in stream order with the same ``apply_*``
functions as the one-event handlers, and the rows are written back with one
INSERT ... ON CONFLICT DO UPDATE. Budgets and loans are few and go
through their one-event handlers (``one_by_one``: the subscriptions' own, so what
reporting listens to is declared once, in ``reporting.handlers``). The result is
the same as applying the events one by one: ``tests/test_projection_batch.py``
checks exactly that.
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantEvent, GrantRejected, HouseEvent, HouseholdEvent
from baan_shared.events.subscriptions import Handler
from reporting.projections import household_progress as progress
from reporting.projections import repository, summaries
from reporting.projections.household_progress import (
    GRANT_PROJECTORS,
    HOUSEHOLD_PROJECTORS,
    AnyHouseholdEvent,
    event_time,
)
from reporting.projections.models import HOUSEHOLD_PROGRESS
from reporting.projections.rows import GrantRow, household_tuple


def _decode(event: CloudEvent) -> AnyHouseholdEvent | None:
    if event.type in HOUSEHOLD_PROJECTORS:
        household_model, _apply = HOUSEHOLD_PROJECTORS[event.type]
        data: HouseholdEvent | HouseEvent = household_model.model_validate(event.data)
        return data
    if event.type in GRANT_PROJECTORS:
        grant_model, _apply = GRANT_PROJECTORS[event.type]
        return grant_model.model_validate(event.data)
    return None


async def apply_batch(
    session: AsyncSession, events: Sequence[CloudEvent], *, one_by_one: Mapping[str, Handler]
) -> None:
    """Apply ``events`` (one partition's, in order, each new) without committing:
    household, house and grant events set-based, the others with ``one_by_one``."""
    decoded: list[tuple[CloudEvent, AnyHouseholdEvent]] = []
    async with repository.high_water_marks_per_batch(session):
        for event in events:
            data = _decode(event)
            if data is not None:
                decoded.append((event, data))
            elif event.type in one_by_one:
                await one_by_one[event.type](session, event)
        if decoded:
            await _apply_household_events(session, decoded)


async def _apply_household_events(
    session: AsyncSession, decoded: list[tuple[CloudEvent, AnyHouseholdEvent]]
) -> None:
    first_seen: dict[uuid.UUID, dict[str, Any]] = {}
    grant_first_seen: dict[uuid.UUID, dict[str, Any]] = {}
    for event, data in decoded:
        if data.household_id not in first_seen:
            first_seen[data.household_id] = progress.first_seen(event, data)
        if isinstance(data, GrantEvent) and data.grant_id not in grant_first_seen:
            grant_first_seen[data.grant_id] = {
                "household_id": data.household_id,
                "last_event_time": event_time(event),
            }
    households, created = await repository.household_rows(session, first_seen)
    read = {hid: household_tuple(row) for hid, row in households.items()}
    keep_summaries = summaries.kept()
    before = {
        hid: summaries.shape(row)
        for hid, row in households.items()
        if keep_summaries and hid not in created
    }
    grants_by_household: dict[uuid.UUID, list[GrantRow]] = {}
    grants: dict[uuid.UUID, GrantRow] = {}
    if grant_first_seen:
        for grant in await repository.grant_rows_of(session, grant_first_seen):
            grants[grant.grant_id] = grant
            grants_by_household.setdefault(grant.household_id, []).append(grant)
    grants_before = {
        gid: summaries.grant_contribution(grants[gid]) for gid in grant_first_seen if keep_summaries
    }

    # Each stream's high-water mark: its latest event and how many were applied.
    marks: dict[str, tuple[datetime, int]] = {}
    now = utcnow()
    for event, data in decoded:
        at = event_time(event)
        row = households[data.household_id]
        if isinstance(data, GrantEvent):
            progress.apply_to_grant(grants[data.grant_id], row, data, at)
            if not isinstance(data, GrantRejected):
                progress.total_money(row, grants_by_household[data.household_id])
        else:
            _model, apply = HOUSEHOLD_PROJECTORS[event.type]
            apply(row, data, at)
        progress.finish(row, data, at, now)
        seen, count = marks.get(data.topic, (at, 0))
        marks[data.topic] = (max(seen, at), count + 1)
    for stream, (at, count) in marks.items():
        await repository.record_applied(
            session, projection=HOUSEHOLD_PROGRESS, stream=stream, event_time=at, events=count
        )
    await repository.write_households(session, households.values(), read=read)
    # Only the grants the batch named changed (the others were read for the sums).
    await repository.write_grants(session, (grants[gid] for gid in grant_first_seen))
    # The summary rows, in the same transaction: each household's old contribution
    # out (none for those just created), its new one in; each grant's likewise (a grant
    # just created has no programme yet, so it adds nothing before).
    if keep_summaries:
        deltas = summaries.Deltas()
        for hid, row in households.items():
            deltas.moved(before.get(hid), summaries.shape(row))
        for gid in grant_first_seen:
            deltas.change(grants_before[gid], summaries.grant_contribution(grants[gid]))
        await deltas.write(session)

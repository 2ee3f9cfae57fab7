"""Catching up with the households in memory.

Through the live batch path a replay reads a household's row from the database,
applies a fetched batch's events to it and writes it back once per stream's batch
(three to six times per household over a replay), and parses each event twice (the
envelope, then its data). While catching up the shadow tables are the rebuild's own,
so here instead:

- each record's data is validated once, straight from its bytes
  (``model_validate_json``), its attributes read from the headers;
- every event is still recorded in the inbox (``claim_new_events``: the live
  consumer skips them after the swap, and a redelivered copy is applied once);
- a household's row and its grants stay in this process while its events keep
  coming: a window of the ``HELD`` households touched last. As new ones come in the
  oldest are written out, in one statement per table; a household met again after
  it left the window is read back. Which households were written out is kept in a
  Bloom filter (``WRITTEN``): only a household it may hold is looked for in the
  database (a new one, most of them, is not: that lookup was a tenth of a replay's
  time, waiting on the database). Everything is written out when the catch-up ends,
  before the summaries are recomputed and the swap applies the last events the live
  way.

The projectors are the live ones (``household_progress.apply_*``), so the rows are
those the batch path gives (``tests/test_rebuild_fold.py``). Only the household,
house and grant events are folded; a partition holding anything else (budgets,
loans, welfare, plans) or a record that does not decode goes the live consumer's way,
after the window is written out (then a malformed record is dead-lettered as ever).
"""

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import ConsumerRecord
from rbloom import Bloom
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.db import insert_rows
from baan_shared.events.catalog import GrantEvent, GrantRejected
from baan_shared.inbox.table import claim_new_events
from reporting import SERVICE_NAME
from reporting.projections import household_progress as progress
from reporting.projections import repository, summaries
from reporting.projections.household_progress import (
    GRANT_PROJECTORS,
    HOUSEHOLD_PROJECTORS,
    AnyHouseholdEvent,
)
from reporting.projections.models import HOUSEHOLD_PROGRESS, Stage, as_utc
from reporting.projections.rows import (
    GRANTS,
    HOUSEHOLDS,
    GrantRow,
    HouseholdRow,
    grant_values,
    household_values,
)

FOLDED: dict[str, tuple[type[AnyHouseholdEvent], Any]] = {
    **HOUSEHOLD_PROJECTORS,
    **GRANT_PROJECTORS,
}
"""The event types folded in memory: each one's data model and projector."""

HELD = 50_000
"""Households held in memory at most while catching up (about 2 KiB each with their
grants): a national replay's window, not the nation."""

_WRITTEN_AT_ONCE = HELD // 10
"""How many of the oldest leave the window together (one statement per table)."""

WRITTEN = 4_000_000
"""Households the filter of those written out is sized for (7 MB at one false "maybe"
in a thousand; beyond it more are looked for in vain, none is missed)."""


@dataclass(slots=True)
class FoldedEvent:
    """A household, house or grant event as the fold applies it (``claim_new_events``
    reads its ``id`` and ``type``)."""

    id: uuid.UUID
    type: str
    time: datetime
    data: AnyHouseholdEvent


NOT_OURS = "not ours"
"""What ``decode`` answers for an event type reporting does not listen to."""


def decode(record: ConsumerRecord[Any, Any], listened: Any) -> FoldedEvent | str | None:
    """The record as a ``FoldedEvent``; ``NOT_OURS`` for a type not in ``listened``;
    None when the fold cannot take it (another projection's type, or a record that
    does not decode: the live consumer's way then applies or dead-letters it)."""
    try:
        attributes: dict[str, bytes] = dict(record.headers or ())
        event_type = attributes["ce_type"].decode()
        if event_type not in listened:
            return NOT_OURS
        model, _apply = FOLDED[event_type]
        if attributes.get("ce_source") is None or attributes.get("ce_subject") is None:
            return None
        at = as_utc(datetime.fromisoformat(attributes["ce_time"].decode()))
        event_id = uuid.UUID(attributes["ce_id"].decode())
        data = model.model_validate_json(record.value)
    # A header missing or None, a value that does not parse (pydantic's ValidationError
    # is a ValueError).
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    assert at is not None
    return FoldedEvent(event_id, event_type, at, data)


@dataclass(slots=True)
class _Held:
    row: HouseholdRow
    grants: dict[uuid.UUID, GrantRow]
    stored: frozenset[uuid.UUID] = frozenset()
    """Which of these rows (the household's id, its grants') the shadow tables hold:
    those are written back over, the others inserted."""


def _new_household(event: FoldedEvent, now: datetime) -> HouseholdRow:
    """The row a household's first event creates (as ``repository`` inserts it)."""
    seen = progress.first_seen_at(event.time, event.data)
    return HouseholdRow(
        household_id=event.data.household_id,
        programme=seen["programme"],
        province_code=seen["province_code"],
        district_code=seen["district_code"],
        subdistrict_code=seen["subdistrict_code"],
        community_id=seen["community_id"],
        household_size=None,
        fiscal_year=seen["fiscal_year"],
        house_id=None,
        stage=Stage.SURVEYED,
        surveyed_at=None,
        approved_at=None,
        rejected_at=None,
        waitlisted_at=None,
        planned_at=None,
        ready_at=None,
        started_at=None,
        completed_at=None,
        cancelled_at=None,
        grant_rejected_at=None,
        approval_dated=None,
        start_dated=None,
        completion_dated=None,
        progress_percent=None,
        grant_amount_satang=0,
        disbursed_satang=0,
        last_event_time=event.time,
        updated_at=now,
    )


def _new_grant(data: GrantEvent, at: datetime) -> GrantRow:
    return GrantRow(
        grant_id=data.grant_id,
        household_id=data.household_id,
        programme=None,
        province_code=None,
        district_code=None,
        subdistrict_code=None,
        fiscal_year=None,
        amount_satang=0,
        disbursed_satang=0,
        tranches_paid=0,
        approved_at=None,
        rejected_at=None,
        last_event_time=at,
    )


class Fold:
    """The window of households a catch-up holds, and how far each stream has come."""

    def __init__(self, held: int = HELD) -> None:
        self.limit = held
        self.written_at_once = max(1, min(_WRITTEN_AT_ONCE, held // 10))
        self.held: OrderedDict[uuid.UUID, _Held] = OrderedDict()
        self.marks: dict[str, tuple[datetime, int]] = {}
        self.read_back = 0
        """Households met again after they left the window (each read back once)."""
        self.written: Bloom | None = Bloom(WRITTEN, 0.001)
        """Every household this fold wrote out, and some it did not; None once rows may
        have been written by others (``others_wrote``): then every new one is looked
        for."""

    def others_wrote(self) -> None:
        """Households' rows may now be in the tables without this fold's knowing (the
        live way applied household events, or other processes did)."""
        self.written = None

    async def apply(self, session: AsyncSession, events: Sequence[tuple[FoldedEvent, Any]]) -> None:
        """Record ``events`` (each partition's in its order) in the inbox and fold the
        new ones, in ``session``'s transaction (the caller commits); write out the
        households that leave the window."""
        assert not summaries.kept(), "the fold is for a catch-up, its summaries deferred"
        fresh = await claim_new_events(session, consumer=SERVICE_NAME, events=events)
        now = utcnow()
        await self._hold(session, fresh, now)
        held = self.held
        marks = self.marks
        for event in fresh:
            data = event.data
            at = event.time
            household = held[data.household_id]
            held.move_to_end(data.household_id)
            row = household.row
            if isinstance(data, GrantEvent):
                grant = household.grants.get(data.grant_id)
                if grant is None:
                    grant = household.grants[data.grant_id] = _new_grant(data, at)
                progress.apply_to_grant(grant, row, data, at)
                if not isinstance(data, GrantRejected):
                    progress.total_money(row, list(household.grants.values()))
            else:
                FOLDED[event.type][1](row, data, at)
            progress.finish(row, data, at, now)
            seen, count = marks.get(data.topic, (at, 0))
            marks[data.topic] = (max(seen, at), count + 1)
        if len(held) > self.limit:
            await self._write(session, len(held) - self.limit + self.written_at_once)

    async def _hold(self, session: AsyncSession, events: Sequence[Any], now: datetime) -> None:
        """Every household ``events`` name in the window: read back, or new."""
        missing: dict[uuid.UUID, FoldedEvent] = {}
        for event in events:
            household_id = event.data.household_id
            if household_id not in self.held and household_id not in missing:
                missing[household_id] = event
        if not missing:
            return
        written = self.written
        maybe = list(missing) if written is None else [h for h in missing if h in written]
        found = await repository.households_if_any(session, maybe) if maybe else {}
        grants: dict[uuid.UUID, dict[uuid.UUID, GrantRow]] = {hid: {} for hid in found}
        if found:
            for grant in await repository.grants_of_households(session, list(found)):
                grants[grant.household_id][grant.grant_id] = grant
        self.read_back += len(found)
        for household_id, event in missing.items():
            row = found.get(household_id)
            if row is None:
                self.held[household_id] = _Held(_new_household(event, now), {})
            else:
                stored = frozenset((household_id, *grants[household_id]))
                self.held[household_id] = _Held(row, grants[household_id], stored)

    async def _write(self, session: AsyncSession, oldest: int) -> None:
        """Write the ``oldest`` households (and their grants) out of the window."""
        leaving = [self.held.popitem(last=False)[1] for _ in range(min(oldest, len(self.held)))]
        if self.written is not None:
            self.written.update(h.row.household_id for h in leaving)
        # Most leave the window for good, never written before: inserted by COPY.
        await insert_rows(
            session,
            HOUSEHOLDS,
            [household_values(h.row) for h in leaving if h.row.household_id not in h.stored],
        )
        await insert_rows(
            session,
            GRANTS,
            [
                grant_values(g)
                for h in leaving
                for g in h.grants.values()
                if g.grant_id not in h.stored
            ],
        )
        await repository.write_households(
            session, [h.row for h in leaving if h.row.household_id in h.stored]
        )
        await repository.write_grants(
            session, [g for h in leaving for g in h.grants.values() if g.grant_id in h.stored]
        )

    async def write_out(self, session: AsyncSession) -> None:
        """Every held household and each stream's mark written (the caller commits)."""
        await self._write(session, len(self.held))
        for stream, (at, count) in sorted(self.marks.items()):
            await repository.record_applied(
                session, projection=HOUSEHOLD_PROGRESS, stream=stream, event_time=at, events=count
            )
        self.marks.clear()

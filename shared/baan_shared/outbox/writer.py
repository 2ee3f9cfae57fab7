"""Writing events into the outbox inside the caller's unit of work.

Services call ``record_event`` (or ``record_events`` for a bulk write such as
a survey import) next to their state change and only flush; the request's
single commit makes both durable together, or neither.
"""

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.db import insert_rows
from baan_shared.events.catalog import EventData
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent
from baan_shared.outbox.table import OutboxMessage


def _row(data: EventData, source: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "aggregatetype": data.aggregate_type,
        "aggregateid": data.aggregate_id(),
        "type": data.event_type,
        "topic": data.topic,
        "source": source,
        "dataschema": data.dataschema(),
        # Compact JSON, Thai as is: the Kafka value the relay sends as stored.
        "payload": data.model_dump_json(),
        "occurred_at": utcnow(),
        "traceparent": current_traceparent(),
        "sent_at": None,
        "attempts": 0,
        "last_error": None,
    }


async def record_event(session: AsyncSession, data: EventData, *, source: str) -> OutboxMessage:
    row = OutboxMessage(**_row(data, source))
    session.add(row)
    await session.flush()
    return row


async def record_events(session: AsyncSession, events: Sequence[EventData], *, source: str) -> None:
    """Many events in one INSERT: a per-row flush made bulk imports ~40x slower."""
    if events:
        await insert_rows(session, OutboxMessage.__table__, [_row(e, source) for e in events])

"""Writing events into the outbox inside the caller's unit of work.

Services call ``record_event`` next to their state change and only ``flush``;
the request's single commit makes both durable together, or neither.
"""

import json

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events.catalog import EventData
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent
from baan_shared.outbox.table import OutboxMessage


async def record_event(session: AsyncSession, data: EventData, *, source: str) -> OutboxMessage:
    row = OutboxMessage(
        id=new_id(),
        aggregatetype=data.aggregate_type,
        aggregateid=data.aggregate_id(),
        type=data.event_type,
        topic=data.topic,
        source=source,
        dataschema=data.dataschema(),
        payload=json.dumps(data.model_dump(mode="json"), ensure_ascii=False),
        traceparent=current_traceparent(),
    )
    session.add(row)
    await session.flush()
    return row

"""Delivering events to a service's app in a test, as its consumer does.

``deliver(app, *events)`` applies each event the one way the Kafka consumer
does: through the service's inbox (``baan_shared.inbox.apply_once``), so the
``processed_events`` row and the handler's effects commit together and an event
the service has already applied changes nothing. The handler is the one the app
runs (``app.state.runtime.subscriptions``: what the service's ``handlers.py``
declares). To check that a handler itself tolerates the same facts twice, deliver
``baan_testkit.events.replay(event)``: a new event id the inbox cannot catch.

The consumer loop itself (polling, batches, retries, dead letters, offsets) is
covered against the real broker in tests/delivery and tests/e2e.
"""

from __future__ import annotations

from fastapi import FastAPI

from baan_shared.events import CloudEvent
from baan_shared.inbox import apply_once
from baan_testkit.events import next_offset, topic_of


async def deliver(app: FastAPI, *events: CloudEvent) -> list[bool]:
    """Apply ``events`` in order, each in its own transaction through the inbox; for
    each, whether it was applied (False: the service had applied it already)."""
    runtime = app.state.runtime
    handlers = runtime.subscriptions.handlers
    applied: list[bool] = []
    for event in events:
        handler = handlers[event.type]
        async with runtime.session_factory() as session:
            fresh = await apply_once(
                session,
                consumer=runtime.name,
                event_id=event.id,
                event_type=event.type,
                topic=topic_of(event),
                partition=0,
                offset=next_offset(),
                apply=lambda s=session, h=handler, e=event: h(s, e),
            )
            if fresh:
                await session.commit()
        applied.append(fresh)
    return applied

"""What a service has recorded for publication: its outbox, read in a test.

Outbox rows stand in for published events in a service's own tests (the relay
that sends them is covered against the real broker in tests/delivery).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlmodel import col, select

from baan_shared.outbox import OutboxMessage


async def outbox_rows(app: FastAPI, event_type: str | None = None) -> list[OutboxMessage]:
    """The app's outbox rows (of ``event_type``, if given), oldest first."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.position))
    if event_type is not None:
        query = query.where(OutboxMessage.type == event_type)
    async with app.state.runtime.session_factory() as session:
        return list((await session.exec(query)).all())


def payload(row: OutboxMessage) -> dict[str, Any]:
    """An outbox row's event data."""
    data: dict[str, Any] = json.loads(row.payload)
    return data


async def outbox_events(app: FastAPI, event_type: str | None = None) -> list[dict[str, Any]]:
    """The recorded events (of ``event_type``, if given), oldest first, each as its
    data with its ``type`` and ``topic``."""
    return [
        {"type": row.type, "topic": row.topic, **payload(row)}
        for row in await outbox_rows(app, event_type)
    ]

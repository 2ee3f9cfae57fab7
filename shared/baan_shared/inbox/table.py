"""The inbox: which events each consumer has already applied.

A handler's effects and its ``processed_events`` row commit in one
transaction, so a redelivered event finds its row and changes nothing.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import BigInteger, Column, Uuid
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.db import (
    NAMING_CONVENTION_APPLIED,  # noqa: F401  (constraint names)
    UTCDateTime,
    insert_rows,
    one_of,
)


class Position(Protocol):
    """Where a delivered event was read (a Kafka record has these): kept with the
    inbox row, so an operator can find the record that applied it."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...


class Identified(Protocol):
    """What the inbox needs of an event: a ``CloudEvent``, or a consumer's own
    decoded form of one (the reporting rebuild's)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def type(self) -> str: ...


E = TypeVar("E", bound=Identified)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_events"

    event_id: uuid.UUID = Field(primary_key=True)
    consumer: str = Field(primary_key=True, max_length=64)
    event_type: str = Field(max_length=128)
    topic: str = Field(max_length=128)
    partition: int
    offset: int = Field(sa_type=BigInteger)
    processed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


async def already_processed(session: AsyncSession, event_id: uuid.UUID, consumer: str) -> bool:
    found = await session.exec(
        select(ProcessedEvent.event_id).where(
            ProcessedEvent.event_id == event_id, ProcessedEvent.consumer == consumer
        )
    )
    return found.first() is not None


async def mark_processed(
    session: AsyncSession,
    *,
    event_id: uuid.UUID,
    consumer: str,
    event_type: str,
    topic: str,
    partition: int,
    offset: int,
) -> None:
    session.add(
        ProcessedEvent(
            event_id=event_id,
            consumer=consumer,
            event_type=event_type,
            topic=topic,
            partition=partition,
            offset=offset,
        )
    )
    await session.flush()


async def apply_once(
    session: AsyncSession,
    *,
    consumer: str,
    event_id: uuid.UUID,
    event_type: str,
    topic: str,
    partition: int,
    offset: int,
    apply: Callable[[], Awaitable[None]],
) -> bool:
    """Record the event in the inbox and apply it, in the caller's transaction.

    Returns False, changing nothing, if ``consumer`` already applied it. The
    caller commits (or flushes, inside a larger transaction).
    """
    if await already_processed(session, event_id, consumer):
        return False
    await mark_processed(
        session,
        event_id=event_id,
        consumer=consumer,
        event_type=event_type,
        topic=topic,
        partition=partition,
        offset=offset,
    )
    await apply()
    return True


async def claim_new_events(
    session: AsyncSession,
    *,
    consumer: str,
    events: Sequence[tuple[E, Position]],
) -> list[E]:
    """Record a batch of events in the inbox, in the caller's transaction; return those
    ``consumer`` has not applied before (in order, each once even if the batch holds a
    redelivered copy). One lookup and one insert for the batch, not one per event."""
    ids = [event.id for event, _ in events]
    seen: set[uuid.UUID] = set()
    # On PostgreSQL one array parameter (an IN list builds and binds one per event).
    for among in await one_of(session, col(ProcessedEvent.event_id), ids, Uuid()):
        seen_query = select(ProcessedEvent.event_id).where(
            ProcessedEvent.consumer == consumer, among
        )
        seen.update((await session.exec(seen_query)).all())
    fresh: list[E] = []
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for event, record in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        fresh.append(event)
        rows.append(
            {
                "event_id": event.id,
                "consumer": consumer,
                "event_type": event.type,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "processed_at": now,
            }
        )
    # Plain rows in one COPY (PostgreSQL; into the table the session's schema_translate_map
    # names, if any) or one Core executemany: an ORM object per event, or one giant
    # VALUES statement, each cost a fifth of a national replay.
    await insert_rows(session, ProcessedEvent.__table__, rows)  # type: ignore[attr-defined]
    return fresh

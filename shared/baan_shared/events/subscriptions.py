"""What a service listens to, declared in one place: event type → handler.

A service's ``handlers.py`` builds one ``Subscriptions`` with ``.on(EventType,
handler)`` for each event it consumes. The handler gets the event's data
already validated as ``EventType`` (and the envelope, for its id and time):

    SUBSCRIPTIONS = Subscriptions().on(HouseholdApproved, on_household_approved)

    async def on_household_approved(
        session: AsyncSession, household: HouseholdApproved, event: CloudEvent
    ) -> None: ...

This is the contract between a service and the bus, apart from any transport:
``baan_shared.bus.consumer`` reads Kafka and calls ``handlers`` (each takes the
raw CloudEvent and decodes it); tests and the reporting rebuild call the same.
Topics follow from the event types (each type names its stream).
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.events.catalog import EVENT_TYPES, EventData
from baan_shared.events.envelope import CloudEvent

E = TypeVar("E", bound=EventData)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
"""What the consumer calls: the session (the unit of work) and the raw event."""
BatchHandler = Callable[[AsyncSession, Sequence[CloudEvent]], Awaitable[None]]


class Subscriptions:
    """Event type → handler, plus an optional set-based ``batch_handler``.

    ``batch_handler``, when given, applies a partition's batch of new events (in
    stream order, duplicates already removed, all of subscribed types) in one
    go, set-based; it must have the same effect as calling ``handlers`` one
    event after another. Without it a batch calls ``handlers`` in turn."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        self._handlers: dict[str, Handler] = dict(handlers or {})
        self.batch_handler = batch_handler

    def on(
        self,
        event: type[E],
        handler: Callable[[AsyncSession, E, CloudEvent], Awaitable[None]],
    ) -> "Subscriptions":
        """Call ``handler`` with each ``event`` (its data validated); returns self, so
        a service's declarations read as one chain."""
        event_type = event.event_type
        if event_type in self._handlers:
            raise ValueError(f"{event_type} is subscribed twice")

        async def handle(session: AsyncSession, raw: CloudEvent) -> None:
            await handler(session, event.model_validate(raw.data), raw)

        name = getattr(handler, "__name__", "handler")
        handle.__name__ = handle.__qualname__ = name
        handle.__doc__ = handler.__doc__
        self._handlers[event_type] = handle
        return self

    def in_batches(self, batch_handler: BatchHandler) -> "Subscriptions":
        """Apply a partition's batch with ``batch_handler`` (see the class docstring)."""
        self.batch_handler = batch_handler
        return self

    @property
    def handlers(self) -> Mapping[str, Handler]:
        return self._handlers

    @property
    def topics(self) -> list[str]:
        return sorted({EVENT_TYPES[event_type].topic for event_type in self._handlers})

"""W3C trace context carried from an HTTP request through the outbox and Kafka.

A request's ``traceparent`` (or a new one) is kept in a context variable; the
outbox stores it with each row, the relay sends it as a header, and a consumer
restores it while it handles the event, so logs of one approval share one
trace id across services. Full OpenTelemetry export builds on the same header.
"""

import secrets
from contextvars import ContextVar

_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span; a malformed parent starts a new trace."""
    parts = (parent or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32 and len(parts[2]) == 16:
        return f"00-{parts[1]}-{secrets.token_hex(8)}-{parts[3]}"
    return new_traceparent()


def current_traceparent() -> str | None:
    return _traceparent.get()


def set_traceparent(value: str | None) -> None:
    _traceparent.set(value)


def trace_id(traceparent: str | None) -> str | None:
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 else None

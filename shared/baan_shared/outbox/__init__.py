"""Transactional outbox: the table, the writer used inside a unit of work, and the relay."""

from baan_shared.outbox.relay import OutboxRelay
from baan_shared.outbox.table import OutboxMessage
from baan_shared.outbox.writer import record_event, record_events

__all__ = ["OutboxMessage", "OutboxRelay", "record_event", "record_events"]

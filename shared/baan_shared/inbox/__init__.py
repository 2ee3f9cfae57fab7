"""Idempotent consumer: the ``processed_events`` table."""

from baan_shared.inbox.table import ProcessedEvent, already_processed, apply_once, mark_processed

__all__ = ["ProcessedEvent", "already_processed", "apply_once", "mark_processed"]

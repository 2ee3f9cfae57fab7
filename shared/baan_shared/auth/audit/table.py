"""``audit_log``: one row per audited act. Rows are only ever inserted.

Add ``AuditRecord`` to the service's ``models.py`` so Alembic migrates it, and
run ``audit.postgres.APPEND_ONLY_UPGRADE`` in that migration so PostgreSQL
itself refuses UPDATE and DELETE on the table.
"""

import uuid
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import (
    NAMING_CONVENTION_APPLIED,  # noqa: F401  (constraint names)
    UTCDateTime,
)
from baan_shared.ids import new_id


class AuditRecord(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_client_id_id", "client_id", "id"),
        Index("ix_audit_log_resource", "resource_type", "resource_id", "id"),
        Index("ix_audit_log_at", "at"),
    )

    # Time-ordered (UUIDv7): the cursor pages through the log in the order it was written.
    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    client_id: str = Field(max_length=255)
    subject: str | None = Field(default=None, max_length=255)
    # What was done: the endpoint's name for writes (``approve_household``), or
    # what was read for personal data (``household.read``).
    action: str = Field(max_length=128)
    method: str = Field(max_length=8)
    path: str = Field(max_length=1024)
    resource_type: str | None = Field(default=None, max_length=64)
    resource_id: str | None = Field(default=None, max_length=128)
    status: int
    pii_read: bool = False
    request_id: str | None = Field(default=None, max_length=128)
    trace_id: str | None = Field(default=None, max_length=32)

"""The ``outbox`` table, one per service database.

Shaped so Debezium's outbox event router could replace the relay in
production: ``id``, ``aggregatetype``, ``aggregateid``, ``type``, ``payload``.
``position`` gives the relay a total order to publish in.
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import (
    NAMING_CONVENTION_APPLIED,  # noqa: F401  (constraint names)
    UTCDateTime,
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
_Position = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "position"),)

    position: int | None = Field(
        default=None, sa_column=Column(_Position, primary_key=True, autoincrement=True)
    )
    id: uuid.UUID = Field(unique=True, description="The CloudEvent id")
    aggregatetype: str = Field(max_length=64)
    aggregateid: str = Field(max_length=64)
    type: str = Field(max_length=128)
    topic: str = Field(max_length=128)
    source: str = Field(max_length=128)
    dataschema: str | None = Field(default=None, max_length=255)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    traceparent: str | None = Field(default=None, max_length=128)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))

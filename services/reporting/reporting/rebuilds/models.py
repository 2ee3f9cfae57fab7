"""One row per rebuild run, written by ``python -m reporting.rebuild`` as it goes."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from baan_shared.db import UTCDateTime
from baan_shared.ids import new_id


class RebuildRun(SQLModel, table=True):
    __tablename__ = "rebuild_runs"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    group_id: str = Field(max_length=128)
    phase: str = Field(max_length=16, description="catching_up, swapping, done or failed")
    events_total: int = Field(default=0, sa_type=BigInteger)
    events_done: int = Field(default=0, sa_type=BigInteger)
    peak_memory_bytes: int = Field(default=0, sa_type=BigInteger)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    error: str | None = Field(default=None, sa_column=Column(Text))

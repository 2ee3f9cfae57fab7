"""What ops read about a rebuild."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class RebuildRunPublic(BaseModel):
    id: uuid.UUID
    group_id: str = Field(description="The Kafka consumer group the rebuild reads in")
    phase: str = Field(description="catching_up, swapping, done or failed")
    events_done: int = Field(description="Events replayed so far")
    events_total: int = Field(
        description="Events in the streams when the rebuild last looked (it looks again "
        "until little is new, so this can grow)"
    )
    percent_done: float | None = Field(description="events_done of events_total, one decimal")
    events_per_second: float | None = Field(description="Since the rebuild started")
    seconds_left: float | None = Field(
        description="At that rate, for the events still to replay; null when finished"
    )
    peak_memory_bytes: int = Field(description="The rebuild process's peak resident memory")
    started_at: datetime
    updated_at: datetime = Field(description="When the rebuild last reported; stale = stalled")
    finished_at: datetime | None
    error: str | None = Field(description="Why a failed rebuild stopped")


class RebuildRunsPublic(BaseModel):
    items: list[RebuildRunPublic]

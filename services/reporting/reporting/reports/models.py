"""The ``report_edits`` table: what the reports read that is not projected from events
but edited through reporting's own API (targets), and how many times it has changed.

A kept answer (``reports.answers``) stands for one version of what it was made of:
the projections' marks for what comes from events, these counts for what is edited.
Each edit adds one in the same transaction as the rows it changes, on any replica.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from baan_shared.db import UTCDateTime

TARGETS = "targets"
"""The targets (``PUT /v1/targets``), read by the targets report and ``/v1/query``."""


class ReportEdit(SQLModel, table=True):
    __tablename__ = "report_edits"

    name: str = Field(primary_key=True, max_length=32)
    edits: int = Field(sa_type=BigInteger)
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

"""``rate_limit_counters``: one row per client per fixed window.

Add ``RateLimitCounter`` to the service's ``models.py`` so Alembic migrates it.
"""

from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from baan_shared.db import NAMING_CONVENTION_APPLIED  # noqa: F401  (constraint names)


class RateLimitCounter(SQLModel, table=True):
    __tablename__ = "rate_limit_counters"

    client_id: str = Field(primary_key=True, max_length=255)
    # Unix seconds at which the window opened: an integer compares exactly on every backend.
    window_start: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    requests: int = Field(sa_column=Column(Integer, nullable=False))

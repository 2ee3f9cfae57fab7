"""Alembic environment for welfare's database."""

from sqlmodel import SQLModel

import welfare.models  # noqa: F401  (registers every table on the metadata)
from baan_shared.migrations import run_env
from welfare.settings import WelfareSettings

run_env(SQLModel.metadata, WelfareSettings().database_url, service="welfare")

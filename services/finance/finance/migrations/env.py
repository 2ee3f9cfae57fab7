"""Alembic environment for finance's database."""

from sqlmodel import SQLModel

import finance.models  # noqa: F401  (registers every table on the metadata)
from baan_shared.migrations import run_env
from finance.settings import FinanceSettings

run_env(SQLModel.metadata, FinanceSettings().database_url, service="finance")

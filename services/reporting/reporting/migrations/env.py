"""Alembic environment for reporting's database."""

from sqlmodel import SQLModel

import reporting.models  # noqa: F401  (registers every table on the metadata)
from baan_shared.migrations import run_env
from reporting.settings import ReportingSettings

run_env(SQLModel.metadata, ReportingSettings().database_url, service="reporting")

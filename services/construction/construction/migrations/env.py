"""Alembic environment for construction's database."""

from sqlmodel import SQLModel

import construction.models  # noqa: F401  (registers every table on the metadata)
from baan_shared.migrations import run_env
from construction.settings import ConstructionSettings

run_env(SQLModel.metadata, ConstructionSettings().database_url, service="construction")

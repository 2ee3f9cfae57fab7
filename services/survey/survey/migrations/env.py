"""Alembic environment for survey's database."""

from baan_shared.migrations import run_env
from sqlmodel import SQLModel

import survey.models  # noqa: F401  (registers every table on the metadata)
from survey.settings import SurveySettings

run_env(SQLModel.metadata, SurveySettings().database_url)

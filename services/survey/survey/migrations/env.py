"""Alembic environment for survey's database."""

from sqlmodel import SQLModel

import survey.models  # noqa: F401  (registers every table on the metadata)
from baan_shared.migrations import run_env
from survey.settings import SurveySettings

run_env(SQLModel.metadata, SurveySettings().database_url, service="survey")

"""Survey's settings: environment variables prefixed ``SURVEY_``."""

from baan_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/survey.db"

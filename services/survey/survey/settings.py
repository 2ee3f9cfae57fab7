"""Survey's settings: environment variables prefixed ``SURVEY_``."""

from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/survey.db"

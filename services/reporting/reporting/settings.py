"""Reporting's settings: environment variables prefixed ``REPORTING_``."""

from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/reporting.db"

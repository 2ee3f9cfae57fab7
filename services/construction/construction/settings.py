"""Construction's settings: environment variables prefixed ``CONSTRUCTION_``."""

from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings


class ConstructionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSTRUCTION_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/construction.db"

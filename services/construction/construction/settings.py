"""Construction's settings: environment variables prefixed ``CONSTRUCTION_``."""

from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings


class ConstructionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSTRUCTION_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/construction.db"
    # Photo evidence on progress updates: where local storage keeps the files,
    # and what it accepts.
    photo_dir: str = "./.data/construction-photos"
    photo_max_bytes: int = 5 * 1024 * 1024

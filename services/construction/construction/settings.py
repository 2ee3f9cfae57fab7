"""Construction's settings: environment variables prefixed ``CONSTRUCTION_``."""

from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings
from baan_shared.storage import StorageSettings


class ConstructionSettings(ServiceSettings, StorageSettings):
    """``CONSTRUCTION_STORAGE_*`` choose where photo evidence is kept (local disk by
    default, ``CONSTRUCTION_STORAGE_BACKEND=s3`` with a bucket in production)."""

    model_config = SettingsConfigDict(env_prefix="CONSTRUCTION_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/construction.db"
    storage_dir: str = "./.data/construction-photos"
    # The largest photo accepted on a progress update.
    photo_max_bytes: int = 5 * 1024 * 1024

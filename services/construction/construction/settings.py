"""Construction's settings: environment variables prefixed ``CONSTRUCTION_``."""

from pydantic import Field
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

    # A write's Idempotency-Key answers retries with the first answer for this long.
    idempotency_ttl_seconds: float = Field(default=24 * 3600.0, ge=0)
    # A key claimed by a request that never answered (its process died mid-way, e.g. a
    # bulk sign-off) is freed after this, so the retry with the same key can run.
    idempotency_stale_after_seconds: float = Field(default=120.0, gt=0)

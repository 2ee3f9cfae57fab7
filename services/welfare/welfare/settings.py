"""Welfare's settings: environment variables prefixed ``WELFARE_``."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings


class WelfareSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WELFARE_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/welfare.db"

    # A write's Idempotency-Key answers retries with the first answer for this long.
    idempotency_ttl_seconds: float = Field(default=24 * 3600.0, ge=0)
    # A key claimed by a request that never answered (its process died) is freed after this.
    idempotency_stale_after_seconds: float = Field(default=120.0, gt=0)

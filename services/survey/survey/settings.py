"""Survey's settings: environment variables prefixed ``SURVEY_``."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings
from baan_shared.storage import StorageSettings


class SurveySettings(ServiceSettings, StorageSettings):
    """``SURVEY_STORAGE_*`` choose where household photos are kept (local disk by default,
    ``SURVEY_STORAGE_BACKEND=s3`` with a bucket in production)."""

    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/survey.db"
    # Uploads of more than this many bytes become background jobs (202) run by the
    # import worker from a copy kept in import_spool_dir; smaller ones import at once (201).
    import_inline_max_bytes: int = 5_000_000
    import_spool_dir: Path = Path(".data/survey-imports")
    storage_dir: str = "./.data/survey-photos"
    # The largest photo of a house or its land accepted.
    photo_max_bytes: int = 5 * 1024 * 1024

"""Survey's settings: environment variables prefixed ``SURVEY_``."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from baan_shared.settings import ServiceSettings
from baan_shared.storage import StorageSettings


class SurveySettings(ServiceSettings, StorageSettings):
    """``SURVEY_STORAGE_*`` choose where household photos are kept (local disk by default,
    ``SURVEY_STORAGE_BACKEND=s3`` with a bucket in production)."""

    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/survey.db"
    # Uploads of more than this many bytes become background jobs (202), kept with their
    # file in the database and run by the import worker of any replica; smaller ones
    # import at once (201).
    import_inline_max_bytes: int = 5_000_000
    # Where a worker copies the upload of the job it runs (removed when the run ends).
    import_spool_dir: Path = Path(".data/survey-imports")
    # A worker's claim on a job, renewed every third of it while the job runs: a replica
    # that dies leaves its job to another after at most this long.
    import_lease_seconds: float = Field(default=60.0, gt=0)
    # How often an idle worker looks for jobs queued through another replica.
    import_poll_seconds: float = Field(default=5.0, gt=0)
    storage_dir: str = "./.data/survey-photos"
    # The largest photo of a house or its land accepted.
    photo_max_bytes: int = 5 * 1024 * 1024

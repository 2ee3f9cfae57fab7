"""Settings every service shares, read from the environment (pydantic-settings).

Each service subclasses ``ServiceSettings`` with its own ``env_prefix`` (e.g.
``SURVEY_``), so one machine can run all four services side by side with
separate databases while sharing ``KAFKA_BOOTSTRAP_SERVERS``. The Kafka
credentials (``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_*``, ``KAFKA_SSL_CAFILE``)
are unprefixed too, but each service process gets its own user's.
"""

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from baan_shared.http.cors import parse_origins


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./.data/service.db"
    # The broker address is shared by all services, so it is read without a prefix.
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    # How this service authenticates to Kafka (its own user; see baan_shared.bus.security).
    # Unprefixed like the broker address: one process is one service.
    kafka_security_protocol: str = Field(
        default="PLAINTEXT",
        validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL", "kafka_security_protocol"),
    )
    kafka_sasl_mechanism: str = Field(
        default="SCRAM-SHA-512",
        validation_alias=AliasChoices("KAFKA_SASL_MECHANISM", "kafka_sasl_mechanism"),
    )
    kafka_sasl_username: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_SASL_USERNAME", "kafka_sasl_username"),
    )
    kafka_sasl_password: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_SASL_PASSWORD", "kafka_sasl_password"),
        repr=False,
    )
    kafka_sasl_password_file: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_SASL_PASSWORD_FILE", "kafka_sasl_password_file"),
    )
    kafka_ssl_cafile: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_SSL_CAFILE", "kafka_ssl_cafile"),
    )
    # Run `alembic upgrade head` at start-up; off in production, where a Job migrates.
    auto_migrate: bool = True
    # Create the topics this service produces and consumes at start-up (local runs).
    create_topics: bool = True
    topic_partitions: int = 6
    topic_replication_factor: int = 1
    consumer_enabled: bool = True
    # Kafka consumer group; defaults to the service name. The inbox is keyed by
    # the service name regardless, so a renamed group never re-applies events.
    consumer_group: str | None = None
    relay_enabled: bool = True
    # Outbox rows per read; the relay keeps two batches in flight (see OutboxRelay).
    relay_batch_size: int = 500
    relay_idle_seconds: float = 0.5
    consumer_max_attempts: int = 3
    consumer_retry_backoff_seconds: float = 0.2
    # Records of one partition applied per transaction, and partitions applied at
    # once (each its own transaction and connection; always 1 on SQLite).
    consumer_max_batch: int = 500
    consumer_concurrent_partitions: int = 4
    # How often expired Idempotency-Key answers are deleted (where the service keeps them).
    idempotency_purge_interval_seconds: float = 3600.0
    # A consumer that has not polled for this long fails readiness.
    consumer_stuck_after_seconds: float = 60.0
    # An outbox whose oldest pending row is older than this fails readiness.
    outbox_stuck_after_seconds: float = 300.0
    log_level: str = "INFO"
    log_json: bool = True
    # The path prefix the service is published under behind a gateway or ingress
    # (e.g. ``/survey``): the OpenAPI ``servers``, the docs' ``openapi.json``, Location
    # headers and the dashboard's API calls carry it. Requests are served with or
    # without it, so a proxy may strip the prefix or keep it, and probes need none.
    root_path: str = ""
    # Browser origins allowed to call the API (CORS; baan_shared.http.cors): unprefixed,
    # comma-separated or a JSON array. None by default: no CORS headers at all.
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("CORS_ALLOWED_ORIGINS", "cors_allowed_origins"),
    )

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _cors_origins(cls, value: object) -> list[str]:
        return parse_origins(value)

    @field_validator("root_path")
    @classmethod
    def _root_path_shape(cls, value: str) -> str:
        value = value.rstrip("/")
        if value and (not value.startswith("/") or "//" in value or "?" in value):
            raise ValueError("root_path must be empty or a path such as /survey")
        return value

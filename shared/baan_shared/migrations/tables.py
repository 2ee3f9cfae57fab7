"""The tables every service has, defined once: what the platform revisions run.

``platform/`` creates the inbox (``processed_events``), the audit log (append-only
on PostgreSQL), rate-limit counters and idempotency keys; ``outbox/`` creates the
outbox of a service that publishes. :func:`adopt` brings a database made before
the platform history existed (when each service created these tables in its own
migrations) to the same schema, creating what it lacks and dropping the outbox
of a service that publishes nothing; on a fresh database it does nothing.
"""

import sqlalchemy as sa
from alembic import op

from baan_shared.auth.audit.postgres import APPEND_ONLY_DOWNGRADE, APPEND_ONLY_UPGRADE

_TIME = sa.DateTime(timezone=True)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_processed_events() -> None:
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("topic", sa.String(length=128), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("processed_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer", name="pk_processed_events"),
    )


def create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=True),
        sa.Column("resource_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("pii_read", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_client_id_id", "audit_log", ["client_id", "id"])
    op.create_index("ix_audit_log_resource", "audit_log", ["resource_type", "resource_id", "id"])
    if _on_postgresql():
        for statement in APPEND_ONLY_UPGRADE:
            op.execute(statement)


def create_rate_limit_counters() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "window_start", name="pk_rate_limit_counters"),
    )


def create_idempotency_keys() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("client_id", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aggregatetype", sa.String(length=64), nullable=False),
        sa.Column("aggregateid", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("topic", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("dataschema", sa.String(length=255), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.Column("traceparent", sa.String(length=128), nullable=True),
        sa.Column("sent_at", _TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("position", name="pk_outbox"),
        sa.UniqueConstraint("id", name="uq_outbox_id"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["sent_at", "position"])


# What the platform revision creates, in order; dropped in reverse.
PLATFORM_TABLES = {
    "processed_events": create_processed_events,
    "audit_log": create_audit_log,
    "rate_limit_counters": create_rate_limit_counters,
    "idempotency_keys": create_idempotency_keys,
}


def create_platform() -> None:
    for create in PLATFORM_TABLES.values():
        create()


def drop_platform() -> None:
    if _on_postgresql():
        for statement in APPEND_ONLY_DOWNGRADE:
            op.execute(statement)
    for name in reversed(PLATFORM_TABLES):
        op.drop_table(name)


def drop_outbox() -> None:
    op.drop_table("outbox")


def adopt(*, publishes: bool) -> None:
    """Bring a database made by a service's older migrations to the platform's schema.

    Those migrations created the platform tables themselves (not always all of
    them: reporting had no idempotency keys, and an outbox it never wrote to).
    Nothing existing is touched but that unused outbox; what is missing is created.
    """
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in PLATFORM_TABLES.items():
        if name not in existing:
            create()
    if publishes and "outbox" not in existing:
        create_outbox()
    if not publishes and "outbox" in existing:
        drop_outbox()

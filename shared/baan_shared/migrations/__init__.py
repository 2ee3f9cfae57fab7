"""Alembic glue shared by every service's ``migrations/env.py``.

A service's migration history has two parts, read as one line by Alembic:

- the **platform history** here in ``baan_shared`` (``platform/``: inbox,
  audit log, rate-limit counters, idempotency keys; ``outbox/``: the outbox,
  only for a service that publishes), written once for every service;
- the service's own ``<service>/migrations/versions``, holding only its domain
  tables, whose first revision follows the platform's last.

Each service's ``alembic.ini`` names the same locations that
:func:`version_locations` derives (a test keeps them equal), so ``alembic
upgrade head`` works the same from the command line, the image and the
service's own start-up in development.
"""

import asyncio
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from baan_shared import registry

PLATFORM_LOCATION = "baan_shared:migrations/platform"
OUTBOX_LOCATION = "baan_shared:migrations/outbox"
# The last revision of each platform history; a service's first revision follows one of them.
PLATFORM_HEAD = "platform_0001"
OUTBOX_HEAD = "outbox_0001"


def publishes(service: str) -> bool:
    """Whether ``service`` owns a topic (``baan_shared.registry``), and so needs an outbox."""
    return bool(registry.service(service).produces)


def version_locations(service: str) -> list[str]:
    """Where ``service``'s revisions live: the platform's, then its own."""
    shared = [PLATFORM_LOCATION, OUTBOX_LOCATION] if publishes(service) else [PLATFORM_LOCATION]
    return [*shared, f"{service}:migrations/versions"]


def alembic_config(service: str, database_url: str, script_location: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location or f"{service}:migrations")
    config.set_main_option("path_separator", "space")
    config.set_main_option("version_locations", " ".join(version_locations(service)))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(service: str, database_url: str, script_location: str | None = None) -> None:
    """``alembic upgrade head``; call it from a thread, env.py runs its own event loop."""
    command.upgrade(alembic_config(service, database_url, script_location), "head")


def run_env(target_metadata: MetaData, default_url: str, *, service: str) -> None:
    """The body of every service's env.py.

    Every service's models share SQLModel's one metadata; a service that
    publishes nothing has no outbox, so autogenerate and ``alembic check``
    leave that table out of its comparison.
    """
    url = context.config.get_main_option("sqlalchemy.url") or default_url
    skipped = set() if publishes(service) else {"outbox"}

    def include_object(_object: Any, name: str | None, type_: str, *_: Any) -> bool:
        return not (type_ == "table" and name in skipped)

    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "render_as_batch": url.startswith("sqlite"),  # SQLite alters tables by copy
        "compare_type": True,
        "include_object": include_object,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def _run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def _online() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(_run)
        await engine.dispose()

    asyncio.run(_online())

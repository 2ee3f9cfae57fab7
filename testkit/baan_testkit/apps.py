"""A service's real app in a test: its own settings on a test database, Kafka off.

    settings = service_settings("survey", tmp_path, storage_dir=str(tmp_path / "photos"))
    async with running_app("survey", settings, auth) as app:
        ...

The service is found in the registry (``baan_shared.registry``): its settings
class, its ``create_app``, its folders (each under ``files``). The consumer, the
relay and topic creation are off: events reach the app through
``baan_testkit.delivery`` and leave it as outbox rows (``baan_testkit.outbox``).

A fresh database (a SQLite file not made yet, an empty PostgreSQL database) starts as a
copy of one the service's migrations built once per test process (``migrated_copy``):
migrating from nothing costs a few hundred milliseconds a test, copying a few. The app's
start-up still runs ``alembic upgrade head``, which finds the copy at the head.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import shutil
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL, make_url

from baan_shared import registry
from baan_shared.auth import AuthSettings
from baan_shared.migrations import upgrade_to_head
from baan_shared.settings import ServiceSettings


def service_settings(name: str, files: Path, **overrides: Any) -> ServiceSettings:
    """``name``'s settings for a test: a SQLite database and its folders under ``files``
    (``database_url`` and any other setting given wins), Kafka off, plain logs."""
    entry = registry.service(name)
    settings_class = getattr(importlib.import_module(entry.settings_module), entry.settings_class)
    options: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{files}/{entry.database}.db",
        "create_topics": False,
        "consumer_enabled": False,
        "relay_enabled": False,
        "log_json": False,
    }
    options |= {setting.lower(): str(files / sub) for setting, sub in entry.folders.items()}
    options |= overrides
    settings: ServiceSettings = settings_class(**options)
    return settings


def build_app(name: str, settings: ServiceSettings, auth: AuthSettings | None = None) -> FastAPI:
    """``name``'s app (its ``create_app``); ``auth`` None: from the environment."""
    create_app = importlib.import_module(f"{registry.service(name).package}.main").create_app
    app: FastAPI = create_app(settings) if auth is None else create_app(settings, auth)
    return app


@asynccontextmanager
async def running_app(
    name: str, settings: ServiceSettings, auth: AuthSettings | None = None
) -> AsyncIterator[FastAPI]:
    """``name``'s app, started (its lifespan: migrations, runtime) and stopped after; a
    fresh database starts as a migrated copy (``migrated_copy``)."""
    if settings.auto_migrate:
        await migrated_copy(name, settings.database_url)
    app = build_app(name, settings, auth)
    async with app.router.lifespan_context(app):
        yield app


ON_BOTH_DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""Params of a fixture that runs its tests on SQLite, then on PostgreSQL."""


def database_url(request: pytest.FixtureRequest, files: Path, name: str) -> str:
    """A fresh database for ``name`` by the fixture's param (``ON_BOTH_DATABASES``): a
    SQLite file under ``files``, or a new PostgreSQL database of the ``baan`` plugin's
    server (the test skipped without the plugin)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{files}/{name}.db"
    return str(postgres_databases(request)(name))


def postgres_databases(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """The ``baan`` plugin's ``make_postgres_database`` (fresh databases on its
    PostgreSQL server, dropped after the test); the test skipped without the plugin."""
    try:
        make_database: Callable[[str], str] = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return make_database


# -- fresh databases as copies of a migrated one ---------------------------------------

_templates: dict[tuple[str, ...], str] = {}
_templates_lock = threading.Lock()
_template_dir: Path | None = None


def _sqlite_template(name: str) -> str:
    """A SQLite file ``name``'s migrations built, once per process (removed at exit)."""
    global _template_dir
    with _templates_lock:
        key = ("sqlite", name)
        if key not in _templates:
            if _template_dir is None:
                _template_dir = Path(tempfile.mkdtemp(prefix="baan-migrated-"))
                atexit.register(shutil.rmtree, _template_dir, ignore_errors=True)
            path = _template_dir / f"{name}.db"
            upgrade_to_head(name, f"sqlite+aiosqlite:///{path}")
            _templates[key] = str(path)
        return _templates[key]


def _postgres_template(name: str, url: URL) -> str:
    """A database on ``url``'s server that ``name``'s migrations built, once per process
    and server; its name."""
    with _templates_lock:
        key = ("postgresql", name, str(url.host), str(url.port))
        if key not in _templates:
            template = f"migrated_{name}_{uuid.uuid4().hex[:8]}"
            asyncio.run(_admin(url, f'CREATE DATABASE "{template}"'))
            upgrade_to_head(name, url.set(database=template).render_as_string(False))
            _templates[key] = template
        return _templates[key]


async def _admin(url: URL, *statements: str) -> None:
    connection = await asyncpg.connect(_dsn(url.set(database="postgres")))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _is_empty(url: URL) -> bool:
    connection = await asyncpg.connect(_dsn(url))
    try:
        tables = await connection.fetchval(
            "SELECT count(*) FROM pg_class JOIN pg_namespace ON pg_namespace.oid = relnamespace "
            "WHERE nspname = 'public'"
        )
    finally:
        await connection.close()
    return int(tables) == 0


def _copy_sqlite(name: str, database: str) -> None:
    if not Path(database).exists():
        template = _sqlite_template(name)
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, database)


async def migrated_copy(name: str, database_url: str) -> None:
    """Make a fresh database of ``name`` a copy of one its migrations built: a SQLite file
    that does not exist yet, or a PostgreSQL database without a table (dropped and made
    again from the template). Any other database, and in-memory SQLite, is left alone."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            await asyncio.to_thread(_copy_sqlite, name, url.database)
    elif url.get_backend_name() == "postgresql" and url.database:
        if not await _is_empty(url):
            return
        source = await asyncio.to_thread(_postgres_template, name, url)
        try:
            await _admin(url, f'DROP DATABASE "{url.database}"')
        except asyncpg.PostgresError:
            return  # in use: the migrations run on it as ever
        try:
            await _admin(url, f'CREATE DATABASE "{url.database}" TEMPLATE "{source}"')
        except asyncpg.PostgresError:
            await _admin(url, f'CREATE DATABASE "{url.database}"')  # migrated as ever

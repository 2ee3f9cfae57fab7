"""A service's real app in a test: its own settings on a test database, Kafka off.

    settings = service_settings("survey", tmp_path, storage_dir=str(tmp_path / "photos"))
    async with running_app("survey", settings, auth) as app:
        ...

The service is found in the registry (``baan_shared.registry``): its settings
class, its ``create_app``, its folders (each under ``files``). The consumer, the
relay and topic creation are off: events reach the app through
``baan_testkit.delivery`` and leave it as outbox rows (``baan_testkit.outbox``).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from baan_shared import registry
from baan_shared.auth import AuthSettings
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
    """``name``'s app, started (its lifespan: migrations, runtime) and stopped after."""
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

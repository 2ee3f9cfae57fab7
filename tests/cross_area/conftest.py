"""Issue 14's cross-area walk: the four services in-process, on SQLite and PostgreSQL.

For each database one ``Stage`` holds each service's app (started lazily, once per
session) and its ``World``: objects of every kind seeded by the national office in
province 57 (elsewhere) and in province 50 (the caller's own). The tests in this
folder call every route as a client bound to province 50.
"""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cross_area.stage import Stage

from baan_local.postgres import LocalPostgres


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def stage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stage]:
    """Every service of one database kind, each seeded once, on first use."""
    root: Path = tmp_path_factory.mktemp(f"cross-area-{request.param}")
    if request.param == "sqlite":

        def database_url(service: str) -> str:
            return f"sqlite+aiosqlite:///{root}/{service}.db"

    else:
        server: LocalPostgres = request.getfixturevalue("postgres_server")

        def database_url(service: str) -> str:
            return server.create_database(f"cross_area_{service}_{uuid.uuid4().hex[:8]}")

    async with Stage(request.param, root, database_url) as running:
        yield running

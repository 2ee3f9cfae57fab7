"""Reporting tests: the real app on a real database, with Kafka switched off.

Events are applied through the real handlers in the consumer's own way (inbox
row + projector effects, one commit each); the consumer loop itself is covered
against the real broker in tests/delivery and tests/e2e.

Every app trusts the session's development issuer (``reporting_auth.ISSUER``, the
``baan`` plugin's ``test_issuer``): its key set is in ``AUTH_*`` for the whole
session, so apps a test builds itself trust it too. The default ``client`` is
national (reads, targets, the audit log); ``client_for`` opens narrower ones (one
province, reads only...).
"""

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import BASE_URL, ISSUER, NATIONAL_SCOPES, national_headers
from reporting_factories import StartApp

from baan_testkit import auth as auth_testing
from baan_testkit.apps import (
    ON_BOTH_DATABASES,
    postgres_databases,
    running_app,
    service_settings,
)
from baan_testkit.auth import ClientFor


@pytest.fixture(scope="session", autouse=True)
def trusts_the_test_issuer(trusts_test_issuer: None) -> None:
    """``AUTH_*`` pointing at the test issuer for every test here (the ``baan`` plugin's
    ``trusts_test_issuer``), so apps a test builds itself trust it too."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test module that sets ``RUN_ON_BOTH_DATABASES = True`` runs each of its tests on
    SQLite, then on PostgreSQL (marked ``postgres``)."""
    on_both = getattr(metafunc.module, "RUN_ON_BOTH_DATABASES", False)
    if on_both and "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", ON_BOTH_DATABASES, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A fresh database per call: SQLite files, or PostgreSQL databases where the module
    runs on both (``RUN_ON_BOTH_DATABASES``; test_postgres.py has its own)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        serial = itertools.count(1)
        return lambda: f"sqlite+aiosqlite:///{tmp_path}/reporting-{next(serial)}.db"
    make_database = postgres_databases(request)
    return lambda: make_database("reporting")


@pytest.fixture
async def start_app(tmp_path: Path, database_url: Callable[[], str]) -> AsyncIterator[StartApp]:
    """Starts as many apps as a test needs, each on its own fresh database."""
    async with AsyncExitStack() as stack:

        async def start() -> FastAPI:
            settings = service_settings("reporting", tmp_path, database_url=database_url())
            return await stack.enter_async_context(running_app("reporting", settings))

        yield start


@pytest.fixture
async def two_replicas(
    tmp_path: Path, database_url: Callable[[], str]
) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    """Two reporting processes' apps on one database, each with its own kept answers."""
    url = database_url()
    async with AsyncExitStack() as stack:
        apps = [
            await stack.enter_async_context(
                running_app(
                    "reporting", service_settings("reporting", tmp_path / name, database_url=url)
                )
            )
            for name in ("a", "b")
        ]
        yield apps[0], apps[1]


@pytest.fixture
async def app(start_app: StartApp) -> FastAPI:
    return await start_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(app, BASE_URL, national_headers()) as http:
        yield http


@pytest.fixture
def client_for(app: FastAPI) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""
    return auth_testing.client_factory(app, BASE_URL, ISSUER)


@pytest.fixture
async def chiang_rai_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """A provincial office: Chiang Rai (57) only, with every reporting scope."""
    async with client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as http:
        yield http

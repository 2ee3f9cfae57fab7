"""Survey API tests: the real app on a real database, with Kafka switched off.

Outbox rows stand in for published events here; the relay and the consumer
are covered against the real broker in tests/delivery and tests/e2e.

Every client sends a token from the session's development issuer (the ``baan``
plugin's ``test_issuer``; tokens and clients from ``baan_testkit.auth``): the
default ``client`` is national (every survey scope, personal data, audit log),
the others are narrower (one province, no personal data).
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from survey_auth import BASE_URL, ClientFor, national_headers

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import SURVEY_READ, SURVEY_WRITE
from baan_testkit import auth as auth_testing
from baan_testkit.apps import (
    ON_BOTH_DATABASES,
    postgres_databases,
    running_app,
    service_settings,
)


@pytest.fixture(scope="session")
def issuer(test_issuer: DevIssuer) -> DevIssuer:
    return test_issuer


@pytest.fixture
def auth_settings(issuer: DevIssuer) -> AuthSettings:
    return auth_testing.auth_settings(issuer)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test module that sets ``RUN_ON_BOTH_DATABASES = True`` runs each of its tests on
    SQLite, then on PostgreSQL (marked ``postgres``)."""
    on_both = getattr(metafunc.module, "RUN_ON_BOTH_DATABASES", False)
    if on_both and "app" in metafunc.fixturenames:
        metafunc.parametrize("app", ON_BOTH_DATABASES, indirect=True)


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, tmp_path: Path, auth_settings: AuthSettings
) -> AsyncIterator[FastAPI]:
    """The app on SQLite, or on PostgreSQL too where the module runs on both."""
    on_postgres = getattr(request, "param", "sqlite") != "sqlite"
    database = {"database_url": postgres_databases(request)("survey")} if on_postgres else {}
    async with _running(tmp_path, auth_settings, **database) as application:
        yield application


@pytest.fixture
async def pg_app(
    request: pytest.FixtureRequest, tmp_path: Path, auth_settings: AuthSettings
) -> AsyncIterator[FastAPI]:
    """The app on PostgreSQL alone: for what only PostgreSQL does (COPY, row locks)."""
    database_url = postgres_databases(request)("survey")
    async with _running(tmp_path, auth_settings, database_url=database_url) as application:
        yield application


def _running(
    tmp_path: Path, auth_settings: AuthSettings, **database: str
) -> AbstractAsyncContextManager[FastAPI]:
    settings = service_settings(
        "survey",
        tmp_path,
        import_spool_dir=str(tmp_path / "imports"),
        storage_dir=str(tmp_path / "photos"),
        **database,
    )
    return running_app("survey", settings, auth_settings)


@pytest.fixture
def client_for(app: FastAPI, issuer: DevIssuer) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""
    return auth_testing.client_factory(app, BASE_URL, issuer)


@pytest.fixture
async def client(app: FastAPI, issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(app, BASE_URL, national_headers(issuer)) as http:
        yield http


@pytest.fixture
def pg_client_for(pg_app: FastAPI, issuer: DevIssuer) -> ClientFor:
    return auth_testing.client_factory(pg_app, BASE_URL, issuer)


@pytest.fixture
async def pg_client(pg_app: FastAPI, issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(pg_app, BASE_URL, national_headers(issuer)) as http:
        yield http


@pytest.fixture
async def bangkok_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """A provincial office: Bangkok (10) only, survey read and write, no personal data."""
    async with client_for("bangkok-office", [SURVEY_READ, SURVEY_WRITE], ["10"]) as http:
        yield http


@pytest.fixture
async def no_pii_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """The whole country, reads only, without personal data."""
    async with client_for("national-reader", [SURVEY_READ], ["*"]) as http:
        yield http

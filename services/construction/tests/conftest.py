"""Construction tests: the real app on a real database, with Kafka switched off.

Events come in by calling the handler (or the consumer's record path) directly;
outbox rows stand in for published events. The relay and the consumer are
covered against the real broker in tests/delivery and tests/e2e.

Every client sends a token from the session's development issuer (the ``baan``
plugin's ``test_issuer``; tokens and clients from ``baan_testkit.auth``): the
default ``client`` is national (construction read and write, audit log); the
others are narrower (one province, reads only).
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from construction_auth import BASE_URL, ClientFor, national_headers
from fastapi import FastAPI

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import ADMIN, CONSTRUCTION_READ, CONSTRUCTION_WRITE
from baan_testkit import auth as auth_testing
from baan_testkit.apps import running_app, service_settings


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite by default; test_postgres.py overrides this to run the same tests on PostgreSQL."""
    return f"sqlite+aiosqlite:///{tmp_path}/construction.db"


@pytest.fixture
def other_database_url(tmp_path: Path) -> str:
    """A second, separate database for tests that compare two runs (PostgreSQL in
    test_postgres.py)."""
    return f"sqlite+aiosqlite:///{tmp_path}/construction-other.db"


@pytest.fixture(scope="session")
def issuer(test_issuer: DevIssuer) -> DevIssuer:
    return test_issuer


@pytest.fixture
def auth_settings(issuer: DevIssuer) -> AuthSettings:
    return auth_testing.auth_settings(issuer)


@pytest.fixture
async def app(
    tmp_path: Path, database_url: str, auth_settings: AuthSettings
) -> AsyncIterator[FastAPI]:
    settings = service_settings(
        "construction",
        tmp_path,
        database_url=database_url,
        storage_dir=str(tmp_path / "photos"),
        photo_max_bytes=64 * 1024,
    )
    async with running_app("construction", settings, auth_settings) as application:
        yield application


@pytest.fixture
def client_for(app: FastAPI, issuer: DevIssuer) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""
    return auth_testing.client_factory(app, BASE_URL, issuer)


@pytest.fixture
async def client(app: FastAPI, issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(app, BASE_URL, national_headers(issuer)) as http:
        yield http


@pytest.fixture
async def bangkok_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """A provincial office: Bangkok (10) only, construction read and write."""
    async with client_for(
        "bangkok-office", [CONSTRUCTION_READ, CONSTRUCTION_WRITE], ["10"]
    ) as http:
        yield http


@pytest.fixture
async def reader_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """The whole country, reads only."""
    async with client_for("national-reader", [CONSTRUCTION_READ], ["*"]) as http:
        yield http


@pytest.fixture
async def admin_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """National administration: may change programme rules such as milestone templates."""
    async with client_for(
        "baan-admin", [CONSTRUCTION_READ, CONSTRUCTION_WRITE, ADMIN], ["*"]
    ) as http:
        yield http

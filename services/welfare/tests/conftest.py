"""Welfare tests: the real app on a real database (SQLite, and PostgreSQL for the
tests that take ``db``'s postgres case), with Kafka switched off; outbox rows stand in
for published events. Every app trusts the session's development issuer."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from welfare_testing import BASE_URL, ISSUER, national_headers

from baan_local import auth_testing
from baan_local.auth_testing import ClientFor
from welfare.main import create_app
from welfare.settings import WelfareSettings


@pytest.fixture(scope="session", autouse=True)
def trusts_the_test_issuer(trusts_test_issuer: None) -> None:
    """``AUTH_*`` pointing at the test issuer for every test here."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/welfare.db"
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return str(make_database("welfare"))


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = WelfareSettings(
        database_url=database_url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(app, BASE_URL, national_headers()) as http:
        yield http


@pytest.fixture
def client_for(app: FastAPI) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""
    return auth_testing.client_factory(app, BASE_URL, ISSUER)

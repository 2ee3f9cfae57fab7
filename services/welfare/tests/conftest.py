"""Welfare tests: the real app on a real database, SQLite then PostgreSQL (the test
kit's ``ON_BOTH_DATABASES``), with Kafka switched off; outbox rows stand in for
published events. Every app trusts the session's development issuer."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from welfare_testing import BASE_URL, ISSUER, national_headers

from baan_testkit import auth as auth_testing
from baan_testkit.apps import ON_BOTH_DATABASES, running_app, service_settings
from baan_testkit.apps import database_url as fresh_database_url
from baan_testkit.auth import ClientFor


@pytest.fixture(scope="session", autouse=True)
def trusts_the_test_issuer(trusts_test_issuer: None) -> None:
    """``AUTH_*`` pointing at the test issuer for every test here."""


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request, tmp_path, "welfare")


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = service_settings("welfare", tmp_path, database_url=database_url)
    async with running_app("welfare", settings) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(app, BASE_URL, national_headers()) as http:
        yield http


@pytest.fixture
def client_for(app: FastAPI) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""
    return auth_testing.client_factory(app, BASE_URL, ISSUER)

"""Finance tests: the real app on a real database, with Kafka switched off.

Events are delivered through the app's own inbox and handlers, one transaction
each, as the consumer applies them (``baan_testkit.delivery``); outbox rows stand
in for published events.
The consumer and relay are covered against the real broker in tests/delivery
and tests/e2e.

Every app trusts the session's development issuer (``finance_auth.ISSUER``, the
``baan`` plugin's ``test_issuer``): its key set is in ``AUTH_*`` for the whole
session, so apps a test builds itself trust it too. The default ``client`` is
national (every finance scope, the audit log); ``client_for`` opens narrower ones
(one province, reads only...).
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import BASE_URL, ISSUER, NATIONAL_SCOPES, national_headers
from finance_factories import fund_nationally

from baan_testkit import auth as auth_testing
from baan_testkit.apps import postgres_databases, running_app, service_settings
from baan_testkit.auth import ClientFor


@pytest.fixture(scope="session", autouse=True)
def trusts_the_test_issuer(trusts_test_issuer: None) -> None:
    """``AUTH_*`` pointing at the test issuer for every test here (the ``baan`` plugin's
    ``trusts_test_issuer``), so apps a test builds itself trust it too."""


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with running_app("finance", service_settings("finance", tmp_path)) as application:
        yield application


@pytest.fixture
async def pg_app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The app on a fresh database of the ``baan`` plugin's PostgreSQL server (the test
    skipped without the plugin)."""
    url = postgres_databases(request)("finance")
    async with running_app(
        "finance", service_settings("finance", tmp_path, database_url=url)
    ) as app:
        yield app


@pytest.fixture
async def funded(app: FastAPI) -> None:
    """A national budget for every programme the tests use, so grants are not rejected."""
    await fund_nationally(app)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(app, BASE_URL, national_headers()) as http:
        yield http


@pytest.fixture
def client_for(app: FastAPI) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""
    return auth_testing.client_factory(app, BASE_URL, ISSUER)


@pytest.fixture
async def bangkok_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """A provincial office: Bangkok (10) only, with every finance scope."""
    async with client_for("bangkok-office", NATIONAL_SCOPES, ["10"]) as http:
        yield http

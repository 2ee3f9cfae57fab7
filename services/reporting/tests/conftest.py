"""Reporting tests: the real app on a real database, with Kafka switched off.

Events are applied through the real handlers in the consumer's own way (inbox
row + projector effects, one commit each); the consumer loop itself is covered
against the real broker in tests/delivery and tests/e2e.

Every app trusts one development issuer (``reporting_auth.ISSUER``): its key
set is in ``AUTH_*`` for the whole session, so apps a test builds itself trust
it too. The default ``client`` is national (reads, targets, the audit log);
``client_for`` opens narrower ones (one province, reads only...).
"""

import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import ISSUER, NATIONAL_SCOPES, national_headers
from reporting_factories import StartApp

from reporting.main import create_app
from reporting.settings import ReportingSettings

ClientFor = Callable[
    [str, Sequence[str], Sequence[str]], AbstractAsyncContextManager[httpx.AsyncClient]
]


@pytest.fixture(scope="session", autouse=True)
def trusts_the_test_issuer() -> Iterator[None]:
    """``AUTH_*`` pointing at the test issuer, restored afterwards."""
    variables = ISSUER.service_environment(embed_jwks=True)
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def database_url(tmp_path: Path) -> Callable[[], str]:
    """A fresh database per call: SQLite files here; PostgreSQL in test_postgres.py."""
    serial = itertools.count(1)
    return lambda: f"sqlite+aiosqlite:///{tmp_path}/reporting-{next(serial)}.db"


@pytest.fixture
async def start_app(database_url: Callable[[], str]) -> AsyncIterator[StartApp]:
    """Starts as many apps as a test needs, each on its own fresh database."""
    async with AsyncExitStack() as stack:

        async def start() -> FastAPI:
            settings = ReportingSettings(
                database_url=database_url(),
                create_topics=False,
                consumer_enabled=False,
                relay_enabled=False,
                log_json=False,
            )
            application = create_app(settings)
            await stack.enter_async_context(application.router.lifespan_context(application))
            return application

        yield start


@pytest.fixture
async def app(start_app: StartApp) -> FastAPI:
    return await start_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        yield http


@pytest.fixture
def client_for(app: FastAPI) -> ClientFor:
    """A client of the app sending a token for ``client_id`` with these scopes and areas."""

    @asynccontextmanager
    async def open_client(
        client_id: str, scopes: Sequence[str], areas: Sequence[str]
    ) -> AsyncIterator[httpx.AsyncClient]:
        token = ISSUER.mint_token(client_id, scopes, areas)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://reporting",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            yield http

    return open_client


@pytest.fixture
async def chiang_rai_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """A provincial office: Chiang Rai (57) only, with every reporting scope."""
    async with client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as http:
        yield http

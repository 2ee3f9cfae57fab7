"""Finance tests: the real app on a real database, with Kafka switched off.

Events are delivered by calling the app's own handlers inside a session and
committing, as the consumer does; outbox rows stand in for published events.
The consumer and relay are covered against the real broker in tests/delivery
and tests/e2e.

Every app trusts one development issuer (``finance_auth.ISSUER``): its key set
is in ``AUTH_*`` for the whole session, so apps a test builds itself trust it
too. The default ``client`` is national (every finance scope, the audit log);
``client_for`` opens narrower ones (one province, reads only...).
"""

import os
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import ISSUER, NATIONAL_SCOPES, national_headers
from finance_factories import fund_nationally

from finance.main import create_app
from finance.settings import FinanceSettings

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
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = FinanceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/finance.db",
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def funded(app: FastAPI) -> None:
    """A national budget for every programme the tests use, so grants are not rejected."""
    await fund_nationally(app)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://finance", headers=national_headers()
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
            base_url="http://finance",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            yield http

    return open_client


@pytest.fixture
async def bangkok_client(client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    """A provincial office: Bangkok (10) only, with every finance scope."""
    async with client_for("bangkok-office", NATIONAL_SCOPES, ["10"]) as http:
        yield http

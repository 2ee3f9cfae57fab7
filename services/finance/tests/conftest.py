"""Finance tests: the real app on a real database, with Kafka switched off.

Events are delivered by calling the app's own handlers inside a session and
committing, as the consumer does; outbox rows stand in for published events.
The consumer and relay are covered against the real broker in tests/delivery
and tests/e2e.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import fund_nationally

from finance.main import create_app
from finance.settings import FinanceSettings


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
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as http:
        yield http

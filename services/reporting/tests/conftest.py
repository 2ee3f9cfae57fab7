"""Reporting tests: the real app on a real database, with Kafka switched off.

Events are applied through the real handlers in the consumer's own way (inbox
row + projector effects, one commit each); the consumer loop itself is covered
against the real broker in tests/delivery and tests/e2e.
"""

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import StartApp

from reporting.main import create_app
from reporting.settings import ReportingSettings


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
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as http:
        yield http

"""Construction tests: the real app on a real database, with Kafka switched off.

Events come in by calling the handler (or the consumer's record path) directly;
outbox rows stand in for published events. The relay and the consumer are
covered against the real broker in tests/delivery and tests/e2e.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from construction.main import create_app
from construction.settings import ConstructionSettings


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite by default; test_postgres.py overrides this to run the same tests on PostgreSQL."""
    return f"sqlite+aiosqlite:///{tmp_path}/construction.db"


@pytest.fixture
async def app(tmp_path: Path, database_url: str) -> AsyncIterator[FastAPI]:
    settings = ConstructionSettings(
        database_url=database_url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        storage_dir=str(tmp_path / "photos"),
        photo_max_bytes=64 * 1024,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://construction") as http:
        yield http

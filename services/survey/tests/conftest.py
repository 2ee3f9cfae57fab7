"""Survey API tests: the real app on a real database, with Kafka switched off.

Outbox rows stand in for published events here; the relay and the consumer
are covered against the real broker in tests/delivery and tests/e2e.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from survey.main import create_app
from survey.settings import SurveySettings


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = SurveySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/survey.db",
        import_spool_dir=tmp_path / "imports",
        storage_dir=str(tmp_path / "photos"),
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
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://survey") as http:
        yield http

"""The service runtime's housekeeping: expired Idempotency-Key answers are deleted on a
schedule, on a real SQLite database (no Kafka: relay and consumer off)."""

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlmodel import SQLModel, col, select

from baan_shared.clock import utcnow
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.service import ServiceRuntime
from baan_shared.settings import ServiceSettings


def _key(key: str, expires_in: timedelta) -> IdempotencyKey:
    now = utcnow()
    return IdempotencyKey(
        client_id="partner-a",
        key=key,
        method="POST",
        path="/v1/things",
        request_digest="f" * 64,
        created_at=now,
        expires_at=now + expires_in,
    )


def _settings(tmp_path: Path) -> ServiceSettings:
    return ServiceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/service.db",
        auto_migrate=False,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        idempotency_purge_interval_seconds=0.05,
    )


async def test_expired_idempotency_keys_are_purged_on_a_schedule(tmp_path: Path) -> None:
    runtime = ServiceRuntime(
        name="tester", settings=_settings(tmp_path), migrations=None, subscriptions=None
    )
    async with runtime.engine.begin() as connection:
        await connection.run_sync(
            SQLModel.metadata.create_all,
            tables=[IdempotencyKey.__table__],
        )
    async with runtime.session_factory() as session:
        session.add_all([_key("old", timedelta(hours=-1)), _key("fresh", timedelta(hours=1))])
        await session.commit()

    await runtime.start()
    try:
        for _ in range(200):  # bounded: 10 s at most
            async with runtime.session_factory() as session:
                keys = (await session.exec(select(col(IdempotencyKey.key)))).all()
            if keys == ["fresh"]:
                break
            await asyncio.sleep(0.05)
    finally:
        await runtime.stop()
    assert keys == ["fresh"]


async def test_a_service_without_idempotency_keys_is_left_alone(tmp_path: Path) -> None:
    runtime = ServiceRuntime(
        name="tester", settings=_settings(tmp_path), migrations=None, subscriptions=None
    )
    await runtime.start()
    try:
        task = runtime._housekeeping_task
        assert task is not None
        for _ in range(200):  # bounded: 10 s at most
            if task.done():
                break
            await asyncio.sleep(0.05)
        # It found no table and stopped, without an error.
        assert task.done() and task.exception() is None
    finally:
        await runtime.stop()

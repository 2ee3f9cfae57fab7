"""The throwaway PostgreSQL server: fresh databases that the services' stack can use."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from baan_local.postgres import LocalPostgres
from baan_testkit.pytest_plugin import MakeDatabase

pytestmark = pytest.mark.postgres


async def test_create_write_read(make_postgres_database: MakeDatabase) -> None:
    url = make_postgres_database("roundtrip")
    assert url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE household (id int PRIMARY KEY, name text)"))
            await connection.execute(text("INSERT INTO household VALUES (1, 'บ้านมั่นคง')"))
        async with engine.connect() as connection:
            name = await connection.scalar(text("SELECT name FROM household WHERE id = 1"))
    finally:
        await engine.dispose()
    assert name == "บ้านมั่นคง"


async def test_databases_are_separate_and_dropped(postgres_server: LocalPostgres) -> None:
    first = postgres_server.create_database("separate_a")
    postgres_server.create_database("separate_b")
    connection = await asyncpg.connect(first.replace("+asyncpg", ""))
    try:
        await connection.execute("CREATE TABLE only_in_a (id int)")
    finally:
        await connection.close()
    other = await asyncpg.connect(postgres_server.url("separate_b", driver=""))
    try:
        assert await other.fetchval("SELECT to_regclass('only_in_a')") is None
    finally:
        await other.close()
    postgres_server.drop_database("separate_a")
    postgres_server.drop_database("separate_b")
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(first.replace("+asyncpg", ""))


def test_rejects_unsafe_names(postgres_server: LocalPostgres) -> None:
    with pytest.raises(ValueError):
        postgres_server.create_database('x"; DROP DATABASE postgres; --')


async def test_settings_reach_the_server() -> None:
    server = LocalPostgres(settings={"shared_buffers": "48MB", "max_wal_size": "2GB"})
    server.start()
    try:
        connection = await asyncpg.connect(server.url("postgres", driver=""))
        try:
            assert await connection.fetchval("SHOW shared_buffers") == "48MB"
            assert await connection.fetchval("SHOW max_wal_size") == "2GB"
            # the defaults the tooling sets for throw-away data still hold
            assert await connection.fetchval("SHOW fsync") == "off"
        finally:
            await connection.close()
    finally:
        server.stop()

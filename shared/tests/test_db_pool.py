"""The connection pool pings only connections that sat idle (issue 17): a busy
service pays no round trip per request, and a connection cut while idle (a
database restart, a failover) is replaced before a request sees it."""

from typing import Any

import pytest
from sqlalchemy import text

from baan_shared import db
from baan_testkit.pytest_plugin import MakeDatabase

pytestmark = pytest.mark.postgres


async def test_a_connection_in_steady_use_is_not_pinged_and_a_cut_idle_one_is_replaced(
    make_postgres_database: MakeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.create_engine(make_postgres_database("pool_ping"), pool_size=1, max_overflow=0)
    pings: list[Any] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    try:
        async with engine.connect() as connection:
            backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        for _ in range(5):
            async with engine.connect() as connection:
                assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
        # A new connection is pinged once; reused moments later, never.
        assert len(pings) == 1

        # The server drops the pooled connection while it sits idle.
        other = db.create_engine(engine.url.render_as_string(hide_password=False))
        async with other.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        await other.dispose()
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with engine.connect() as connection:
            now_backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert now_backend != backend
    finally:
        await engine.dispose()

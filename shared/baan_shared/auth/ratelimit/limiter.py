"""Fixed-window counting with one atomic upsert per request.

``INSERT … ON CONFLICT (client_id, window_start) DO UPDATE SET requests =
requests + 1 RETURNING requests`` is atomic on PostgreSQL and SQLite alike, so
replicas racing on the same client never lose a count. The count commits on
its own, before the request's work: a rejected or failed request still counts.
"""

import math
import time
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelSession

from baan_shared.auth.errors import TooManyRequests
from baan_shared.auth.ratelimit.table import RateLimitCounter
from baan_shared.auth.settings import AuthSettings

_table = RateLimitCounter.__table__


class RateLimiter:
    def __init__(
        self,
        session_factory: async_sessionmaker[SQLModelSession] | async_sessionmaker[AsyncSession],
        *,
        requests: int,
        window_seconds: int,
        overrides: dict[str, int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session_factory = session_factory
        self.requests = requests
        self.window_seconds = window_seconds
        self.overrides = overrides or {}
        self.clock = clock

    @classmethod
    def from_settings(
        cls,
        settings: AuthSettings,
        session_factory: async_sessionmaker[SQLModelSession] | async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], float] = time.time,
    ) -> "RateLimiter":
        return cls(
            session_factory,
            requests=settings.rate_limit_requests,
            window_seconds=settings.rate_limit_window_seconds,
            overrides=settings.rate_limit_overrides,
            clock=clock,
        )

    def limit_for(self, client_id: str) -> int:
        return self.overrides.get(client_id, self.requests)

    async def hit(self, client_id: str) -> None:
        """Count one request; raise ``TooManyRequests`` past the client's allowance."""
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        async with self.session_factory() as session:
            connection = await session.connection()
            count = await self._increment(connection, client_id, window_start)
            if count == 1:
                # The client's first request in this window: its older windows are spent.
                await connection.execute(
                    delete(_table).where(
                        _table.c.client_id == client_id, _table.c.window_start < window_start
                    )
                )
            await session.commit()
        limit = self.limit_for(client_id)
        if count > limit:
            retry_after = max(1, math.ceil(window_start + self.window_seconds - now))
            raise TooManyRequests(
                f"client {client_id!r} made more than {limit} requests in "
                f"{self.window_seconds} s; retry after {retry_after} s",
                retry_after_seconds=retry_after,
                limit=limit,
                window_seconds=self.window_seconds,
            )

    async def _increment(
        self, connection: AsyncConnection, client_id: str, window_start: int
    ) -> int:
        dialect = connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(_table).values(
            client_id=client_id, window_start=window_start, requests=1
        )
        upsert = statement.on_conflict_do_update(
            index_elements=[_table.c.client_id, _table.c.window_start],
            set_={"requests": _table.c.requests + 1},
        ).returning(_table.c.requests)
        result = await connection.execute(upsert)
        return int(result.scalar_one())

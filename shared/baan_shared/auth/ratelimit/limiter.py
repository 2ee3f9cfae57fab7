"""Fixed windows per client, shared by every replica, without a database write
per request.

A replica takes a client's allowance from the database in *leases*: one atomic
``INSERT … ON CONFLICT (client_id, window_start) DO UPDATE SET requests =
requests + n RETURNING requests`` claims up to ``n`` requests of the window,
and the replica then counts them down in memory. ``n`` is a twentieth of the
client's allowance, at most ``lease_max`` (and at least 1), so a client at 600
a minute costs one small write per 30 requests instead of one per request.

What replicas see together stays exact on the side that matters: leases never
add up to more than the allowance, so all replicas together never let a client
through more often than its limit. The price is on the other side: near the
end of a window a client may be refused by one replica while up to ``n - 1``
requests of its allowance sit unused in each other replica's lease (they lapse
with the window). A replica that finds the window spent remembers it until the
window ends and refuses without asking the database again, so a client
hammering past its limit costs no writes either.

Allowances of 20 or less lease one request at a time: exact, as before.
"""

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelSession

from baan_shared.auth.errors import TooManyRequests
from baan_shared.auth.ratelimit.table import RateLimitCounter
from baan_shared.auth.settings import AuthSettings

_table = RateLimitCounter.__table__

# A lease is this fraction of the client's allowance: the most a replica can
# hold unused at a window's end, and how much it saves in writes.
LEASE_FRACTION = 20
DEFAULT_LEASE_MAX = 100


@dataclass
class _Lease:
    """What this replica holds of one client's current window."""

    window_start: int
    left: int = 0
    # The database said the window's allowance is all handed out.
    spent: bool = False


class RateLimiter:
    def __init__(
        self,
        session_factory: async_sessionmaker[SQLModelSession] | async_sessionmaker[AsyncSession],
        *,
        requests: int,
        window_seconds: int,
        overrides: dict[str, int] | None = None,
        lease_max: int = DEFAULT_LEASE_MAX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session_factory = session_factory
        self.requests = requests
        self.window_seconds = window_seconds
        self.overrides = overrides or {}
        self.lease_max = max(1, lease_max)
        self.clock = clock
        self._leases: dict[str, _Lease] = {}
        self._locks: dict[str, asyncio.Lock] = {}

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
            lease_max=settings.rate_limit_lease_max,
            clock=clock,
        )

    def limit_for(self, client_id: str) -> int:
        return self.overrides.get(client_id, self.requests)

    def lease_size(self, client_id: str) -> int:
        return max(1, min(self.lease_max, self.limit_for(client_id) // LEASE_FRACTION))

    async def hit(self, client_id: str) -> None:
        """Count one request; raise ``TooManyRequests`` past the client's allowance."""
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        if not self._take(client_id, window_start):
            # One lease at a time per client in this replica: requests arriving
            # together wait for it rather than each claiming a lease of its own.
            lock = self._locks.setdefault(client_id, asyncio.Lock())
            async with lock:
                if not self._take(client_id, window_start):
                    await self._lease(client_id, window_start)
                    if not self._take(client_id, window_start):
                        self._refuse(client_id, window_start, now)

    def _take(self, client_id: str, window_start: int) -> bool:
        lease = self._leases.get(client_id)
        if lease is None or lease.window_start != window_start:
            return False
        if lease.left > 0:
            lease.left -= 1
            return True
        if lease.spent:
            self._refuse(client_id, window_start, self.clock())
        return False

    async def _lease(self, client_id: str, window_start: int) -> None:
        limit = self.limit_for(client_id)
        size = self.lease_size(client_id)
        async with self.session_factory() as session:
            connection = await session.connection()
            total = await self._claim(connection, client_id, window_start, size)
            if total == size:
                # The client's first lease in this window: its older windows are spent.
                await connection.execute(
                    delete(_table).where(
                        _table.c.client_id == client_id, _table.c.window_start < window_start
                    )
                )
            await session.commit()
        before = total - size
        granted = max(0, min(size, limit - before))
        self._leases[client_id] = _Lease(
            window_start, left=granted, spent=before + granted >= limit
        )

    def _refuse(self, client_id: str, window_start: int, now: float) -> None:
        limit = self.limit_for(client_id)
        retry_after = max(1, math.ceil(window_start + self.window_seconds - now))
        raise TooManyRequests(
            f"client {client_id!r} made more than {limit} requests in "
            f"{self.window_seconds} s; retry after {retry_after} s",
            retry_after_seconds=retry_after,
            limit=limit,
            window_seconds=self.window_seconds,
        )

    async def _claim(
        self, connection: AsyncConnection, client_id: str, window_start: int, size: int
    ) -> int:
        """Add ``size`` to the window's count; the count after it (atomic on both backends)."""
        dialect = connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(_table).values(
            client_id=client_id, window_start=window_start, requests=size
        )
        upsert = statement.on_conflict_do_update(
            index_elements=[_table.c.client_id, _table.c.window_start],
            set_={"requests": _table.c.requests + size},
        ).returning(_table.c.requests)
        result = await connection.execute(upsert)
        return int(result.scalar_one())

"""Where a rebuild writes, and how its tables take the live ones' place.

PostgreSQL: the shadow tables live in schema ``reporting_rebuild``; the swap
moves the live tables into ``reporting_retired`` and the shadow ones into the
live schema (``ALTER TABLE ... SET SCHEMA``: instant, indexes and constraints
move with them), then drops the retired ones. SQLite has no schemas to move
tables between, so the shadow tables live in an attached file beside the
database and the swap copies them into the live tables in one transaction;
readers (WAL) see the old rows until it commits.

SQLAlchemy's ``schema_translate_map`` sends the projectors' unqualified table
names to the shadow namespace, so the live projector code runs unchanged.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Index, Table, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from baan_shared.db import create_engine, is_sqlite
from reporting import models
from reporting.projections import summaries

REBUILT_TABLES: tuple[Table, ...] = tuple(
    SQLModel.metadata.tables[name]
    for name in (
        models.ProjectionState.__tablename__,
        models.HouseholdProgress.__tablename__,
        models.ProgressSummary.__tablename__,
        models.AchievementSummary.__tablename__,
        models.PlaceSummary.__tablename__,
        models.ReachSummary.__tablename__,
        models.GrantProgress.__tablename__,
        models.GrantSummary.__tablename__,
        models.BudgetMoney.__tablename__,
        models.LoanMoney.__tablename__,
        models.FundMoney.__tablename__,
        models.PlannedLine.__tablename__,
        models.TambonCoverage.__tablename__,
        models.WelfareFund.__tablename__,
        models.WelfareFundYear.__tablename__,
        models.WelfareMovement.__tablename__,
        models.WelfareMember.__tablename__,
        models.WelfareBenefit.__tablename__,
        models.ProcessedEvent.__tablename__,
    )
)
"""The projections and the inbox that records which events they hold, in the order
the reports read them (freshness first): the swap locks them in that order too, so
a report in flight finishes before the swap instead of deadlocking with it."""

DEFERRED_INDEXES: tuple[Index, ...] = tuple(
    index
    for table in REBUILT_TABLES
    if table.name
    in (
        models.HouseholdProgress.__tablename__,
        models.ProgressSummary.__tablename__,
        models.AchievementSummary.__tablename__,
        models.PlaceSummary.__tablename__,
        models.ReachSummary.__tablename__,
        models.GrantSummary.__tablename__,
    )
    for index in sorted(table.indexes, key=lambda index: str(index.name))
)
"""The reports' indexes, which the replay never reads by: built once on the replayed
rows (a sort each) instead of kept through every upsert of a household (each of its
three streams' batches writes a new row version, and a changed stage or event time
is a new entry in every index) or summary row."""

_DEFERRED_NAMES = frozenset(index.name for index in DEFERRED_INDEXES)
_SUMMARY_NAMES = frozenset(table.name for table, _key, _values in summaries.SUMMED)

PG_SHADOW, PG_RETIRED = "reporting_rebuild", "reporting_retired"
SORT_MEMORY = "64MB"
"""PostgreSQL's memory for each sort of the recompute's GROUP BYs (twice that for a
hash: ``hash_mem_multiplier``), set in its transactions: the default 4 MB sent a
replay's groups to disk (the reach summary's of 20,000 households hashed 71 MB). Two
chains run side by side, each statement with up to two hashes: 512 MB at most, half
the chart's PostgreSQL memory limit."""
INDEX_MEMORY = "256MB"
"""PostgreSQL's memory for each deferred index build (default 64 MB)."""
INDEX_BUILDS = 2
"""Indexes built side by side: 512 MB of sort memory at most, as the recompute's two
chains."""
SQLITE_SHADOW = "rebuild"
AUTOVACUUM_OFF = "autovacuum_enabled = false"


@dataclass
class Shadow:
    """An engine whose sessions write to the shadow tables, and the swap."""

    database_url: str
    engine: AsyncEngine  # sessions on it write to the shadow tables
    base: AsyncEngine  # the same pool, without the translation

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.database_url)

    @property
    def file(self) -> Path:
        database = make_url(self.database_url).database
        assert database, "a rebuild needs a database file, not :memory:"
        return Path(f"{database}.rebuild")

    async def prepare(self) -> None:
        """Fresh, empty shadow tables, without the ``DEFERRED_INDEXES`` (nor, on
        PostgreSQL, the summary tables' primary keys: the recompute inserts each key
        once, and an index built by one sort afterwards is a fraction of keeping it
        through half a million inserts in random order)."""
        async with self.engine.begin() as conn:
            if not self.sqlite:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SHADOW} CASCADE"))
                await conn.execute(text(f"CREATE SCHEMA {PG_SHADOW}"))
            for table in REBUILT_TABLES:
                await conn.execute(CreateTable(table))
                for index in sorted(table.indexes, key=lambda index: str(index.name)):
                    if index.name not in _DEFERRED_NAMES:
                        await conn.execute(CreateIndex(index))
                if not self.sqlite:
                    # Autovacuum would work through every table as it fills, on the
                    # cores the replay uses, and make the swap wait for its locks.
                    await conn.execute(
                        text(f"ALTER TABLE {PG_SHADOW}.{table.name} SET ({AUTOVACUUM_OFF})")
                    )
                if not self.sqlite and table.name in _SUMMARY_NAMES:
                    key = table.primary_key.name
                    await conn.execute(
                        text(f"ALTER TABLE {PG_SHADOW}.{table.name} DROP CONSTRAINT {key}")
                    )

    async def build_deferred_indexes(self, *, of_summaries: bool) -> None:
        """The ``DEFERRED_INDEXES`` on the replayed rows (before the swap): the summary
        tables' and their primary keys (``of_summaries``, once they are recomputed; the
        projectors' upserts in the swap need the keys), or the others'. On PostgreSQL
        each index on its own connection, ``INDEX_BUILDS`` at a time (a build sorts on
        one core, and builds on one table do not block each other); a primary key is
        its unique index, then made the key."""
        indexes = [
            CreateIndex(index)
            for index in DEFERRED_INDEXES
            if index.table is not None and (index.table.name in _SUMMARY_NAMES) == of_summaries
        ]
        if self.sqlite:
            async with self.engine.begin() as conn:
                for statement in indexes:
                    await conn.execute(statement)
            return
        keys = (
            [table.primary_key for table, _key, _values in summaries.SUMMED] if of_summaries else []
        )
        side_by_side = asyncio.Semaphore(INDEX_BUILDS)

        async def build(statement: Any) -> None:
            async with side_by_side, self.engine.begin() as conn:
                await conn.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'"))
                await conn.execute(statement)

        # In SQL: SQLAlchemy's AddConstraint would mark the metadata's key as added, and
        # later CREATE TABLEs would leave it out.
        unique = [
            text(
                f"CREATE UNIQUE INDEX {key.name} ON {PG_SHADOW}.{key.table.name} "
                f"({', '.join(column.name for column in key.columns)})"
            )
            for key in keys
        ]
        await asyncio.gather(*(build(statement) for statement in [*unique, *indexes]))
        async with self.engine.begin() as conn:
            for key in keys:
                await conn.execute(
                    text(
                        f"ALTER TABLE {PG_SHADOW}.{key.table.name} "
                        f"ADD CONSTRAINT {key.name} PRIMARY KEY USING INDEX {key.name}"
                    )
                )

    async def recompute_summaries(self) -> None:
        """The shadow summary rows summed from the shadow households, set-based."""
        if self.sqlite:
            async with self.engine.begin() as conn:
                households = f"{SQLITE_SHADOW}.household_progress"
                await summaries.recompute(conn, households=households)
            return
        # PostgreSQL runs each statement on one core: the places' two sums side by
        # side, then the reach (summed from the places) beside the other tables'.
        for step in summaries.recompute_steps("postgresql", f"{PG_SHADOW}.household_progress"):
            await asyncio.gather(*(self._run(chain) for chain in step if chain))

    async def _run(self, statements: list[str]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))
            for statement in statements:
                await conn.execute(text(statement))

    async def lock_live_inbox(self, conn: AsyncConnection) -> None:
        """Stop the live consumer from applying events until ``conn`` commits."""
        if self.sqlite:
            # Any write takes SQLite's write lock on the main database; the live
            # consumer's next write waits (busy timeout) or retries.
            await conn.execute(text("DELETE FROM main.processed_events WHERE 1 = 0"))
        else:
            await conn.execute(text("LOCK TABLE processed_events IN ACCESS EXCLUSIVE MODE"))

    async def analyze(self) -> None:
        """Give the planner the replayed tables' statistics and hand them back to
        autovacuum (PostgreSQL; ``prepare`` turned it off): the reports' plans are
        right from the swap on."""
        if self.sqlite:
            return
        async with self.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in REBUILT_TABLES:
                await conn.execute(text(f"ANALYZE {PG_SHADOW}.{table.name}"))
                await conn.execute(
                    text(f"ALTER TABLE {PG_SHADOW}.{table.name} RESET (autovacuum_enabled)")
                )

    async def swap(self, conn: AsyncConnection) -> None:
        """Put the shadow tables in the live ones' place, inside ``conn``'s transaction."""
        if self.sqlite:
            for table in REBUILT_TABLES:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                await conn.execute(text(f"DELETE FROM main.{table.name}"))
                await conn.execute(
                    text(
                        f"INSERT INTO main.{table.name} ({columns}) "
                        f"SELECT {columns} FROM {SQLITE_SHADOW}.{table.name}"
                    )
                )
            return
        live = (await conn.execute(text("SELECT current_schema()"))).scalar_one()
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_RETIRED} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {PG_RETIRED}"))
        names = ", ".join(f'"{live}".{table.name}' for table in REBUILT_TABLES)
        await conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
        for table in REBUILT_TABLES:
            await conn.execute(text(f'ALTER TABLE "{live}".{table.name} SET SCHEMA {PG_RETIRED}'))
            await conn.execute(text(f'ALTER TABLE {PG_SHADOW}.{table.name} SET SCHEMA "{live}"'))

    async def discard(self) -> None:
        """Drop what the rebuild left behind (the retired tables, or the shadow file)."""
        if self.sqlite:
            await self.base.dispose()
            await asyncio.to_thread(_remove, self.file)
            return
        async with self.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_RETIRED} CASCADE"))
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SHADOW} CASCADE"))
        await self.base.dispose()


def _remove(shadow_file: Path) -> None:
    for path in (shadow_file, Path(f"{shadow_file}-journal")):
        path.unlink(missing_ok=True)


def open_shadow(database_url: str) -> Shadow:
    if is_sqlite(database_url):
        shadow_file = Path(f"{make_url(database_url).database}.rebuild")
        _remove(shadow_file)
        engine = create_engine(database_url)

        @event.listens_for(engine.sync_engine, "connect")
        def _attach(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"ATTACH DATABASE '{shadow_file}' AS {SQLITE_SHADOW}")
            cursor.close()

        schema = SQLITE_SHADOW
    else:
        engine = create_engine(database_url, pool_size=2, max_overflow=2)
        schema = PG_SHADOW
    return Shadow(
        database_url=database_url,
        engine=engine.execution_options(schema_translate_map={None: schema}),
        base=engine,
    )

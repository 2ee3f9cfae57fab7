"""Database chassis: engine, sessions and the metadata naming convention.

PostgreSQL (asyncpg) in production; SQLite (aiosqlite) as the embedded
default on one machine. The request-scoped session is the unit of work: it
commits once on success, so a state change and its outbox row land together.
"""

import functools
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Dialect,
    Table,
    TypeDecorator,
    any_,
    bindparam,
    event,
    insert,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# Constraint names that Alembic can diff and drop on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Table modules import this name so the convention is set before they define tables.
NAMING_CONVENTION_APPLIED = True

SessionFactory = async_sessionmaker[AsyncSession]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets the relay read while a request writes; foreign keys are off by default.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # At most 20 connections per process, as before (10 + 10 overflow), but all
    # kept: overflow connections were closed on return and opened again by the
    # next burst (TCP, TLS negotiation, authentication: issue 17's profile).
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_connections_back_from_idle(engine)
    return engine


# A pooled connection unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_connections_back_from_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, but only for connections that sat idle.

    ``pool_pre_ping`` pings on every checkout: a round trip per session, i.e.
    per request, which the profile of issue 17 put at a tenth of the request
    path. A connection checked in moments ago was working then; one idle for a
    while may have been cut (a database restart, a failover, an idle timeout)
    and is pinged, and replaced if the ping fails, before any request uses it.
    A connection that dies between two busy requests fails its request, and
    SQLAlchemy then recycles the whole pool, as with ``pool_pre_ping``.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["baan_checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("baan_checked_in_at")
        if checked_in_at is not None and time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards the connection and hands out a new one.
            raise DisconnectionError("idle connection failed its ping") from exc


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One transaction: commit on success, roll back on any error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def enum_type(enum_class: type[StrEnum]) -> SAEnum:
    """Store a StrEnum by its value as plain VARCHAR: no native PostgreSQL enum to migrate."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite keeps text and hands back naive
    datetimes, which this type marks as the UTC they were written in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC")
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Values per IN (...) list on SQLite, well under its bound-parameter limit.
IN_LIST_CHUNK = 5_000


async def one_of(
    session: AsyncSession,
    column: ColumnElement[Any],
    values: Sequence[Any],
    item_type: TypeEngine[Any],
) -> list[ColumnElement[bool]]:
    """Conditions that, each in its own query, select the rows whose ``column`` is one
    of ``values``: on PostgreSQL one ``= ANY(:array)`` (one statement and one bound
    parameter however many values, so nothing to compile or prepare per count);
    elsewhere IN lists of ``IN_LIST_CHUNK``. No values: no conditions (no query)."""
    if not values:
        return []
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        array = bindparam("one_of", list(values), type_=postgresql.ARRAY(item_type), unique=True)
        return [column == any_(array)]
    return [
        column.in_(values[start : start + IN_LIST_CHUNK])
        for start in range(0, len(values), IN_LIST_CHUNK)
    ]


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Many new rows into ``table`` inside the session's transaction, every row naming
    the same columns: on PostgreSQL one binary COPY (no SQL to parse, no parameter
    bound one by one: SQLAlchemy's per-row parameter building was the largest CPU cost of
    a committee's thousands of rows), elsewhere a multi-row INSERT.

    Each value goes through its column type's bind processing first, as an INSERT
    would (an enum stored by its value, an aware datetime checked). A column the rows
    leave out gets its server default; one with a Python-side default gets it by the
    INSERT instead (COPY knows none)."""
    if not rows:
        return
    connection = await session.connection()
    columns = list(rows[0])
    left_out = [c for c in table.columns if c.name not in rows[0]]
    if connection.dialect.name != "postgresql" or any(c.default is not None for c in left_out):
        await connection.execute(insert(table), list(rows))
        return
    # COPY names its table itself, so the schema is the one SQLAlchemy would write to:
    # through the connection's schema_translate_map if it has one (reporting's rebuild
    # writes its shadow tables so), or the table's own.
    sync = connection.sync_connection
    translate = sync.get_execution_options().get("schema_translate_map") if sync else None
    schema = translate.get(table.schema, table.schema) if translate else table.schema
    dialect = connection.dialect
    records = _records(table, dialect, columns, rows)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if not driver.is_in_transaction():
        # SQLAlchemy begins the driver's transaction at the first statement: COPY
        # before it would commit on its own, outside the caller's unit of work.
        await connection.execute(text("SELECT 1"))
    try:
        await driver.copy_records_to_table(
            table.name, schema_name=schema, columns=columns, records=records
        )
    except Exception as error:
        # As SQLAlchemy's own statements raise it (IntegrityError, OperationalError on a
        # lost connection, ...): callers, the consumer among them, tell errors apart so.
        raise _wrapped(error, f"COPY {table.name}", raw.dbapi_connection, dialect) from error


async def update_rows(
    session: AsyncSession, table: Table, key: str, columns: Sequence[str], rows: Sequence[Any]
) -> None:
    """Existing rows of ``table``, found by their ``key`` column, given new values of
    ``columns`` inside the session's transaction; each of ``rows`` is a tuple of the key
    then the columns, in that order. On PostgreSQL one ``UPDATE ... FROM unnest(...)``
    with one array parameter per column (a committee's thousands of rows as one
    statement, not one UPDATE each), elsewhere one executemany. Values go through their
    column type's bind processing first, as an UPDATE's would."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    names = [key, *columns]
    if dialect.name != "postgresql":
        statement = (
            table.update()
            .where(table.c[key] == bindparam(f"_{key}"))
            .values({name: bindparam(f"_{name}") for name in columns})
        )
        await connection.execute(
            statement, [{f"_{n}": v for n, v in zip(names, row, strict=True)} for row in rows]
        )
        return
    sync = connection.sync_connection
    translate = sync.get_execution_options().get("schema_translate_map") if sync else None
    schema = translate.get(table.schema, table.schema) if translate else table.schema
    name = f'"{schema}"."{table.name}"' if schema else f'"{table.name}"'
    arrays = ", ".join(
        f"${n}::{table.c[c].type.compile(dialect=dialect)}[]" for n, c in enumerate(names, start=1)
    )
    processors = [bind_processor(table.c[c].type, dialect) or _as_is for c in names]
    parameters = tuple(
        [process(value) for value in values]
        for process, values in zip(processors, zip(*rows, strict=True), strict=True)
    )
    quoted = ", ".join(f'"{c}"' for c in names)
    sql = (
        f"UPDATE {name} AS t SET "
        + ", ".join(f'"{c}" = u."{c}"' for c in columns)
        + f' FROM unnest({arrays}) AS u({quoted}) WHERE t."{key}" = u."{key}"'
    )
    await connection.exec_driver_sql(sql, parameters)


def _records(
    table: Table, dialect: Dialect, columns: list[str], rows: Sequence[dict[str, Any]]
) -> list[Any]:
    """Each row's values of ``columns`` in order, through their types' bind processing:
    the values picked in C (``itemgetter``), the processors run for the columns that
    have one (an enum's value, an aware time's check), not a call for every value."""
    processors = [
        (i, process)
        for i, name in enumerate(columns)
        if (process := bind_processor(table.c[name].type, dialect)) is not None
    ]
    pick = itemgetter(*columns)
    if len(columns) == 1:  # itemgetter of one name gives the value, not a tuple
        (name,) = columns
        one = processors[0][1] if processors else _as_is
        return [(one(row[name]),) for row in rows]
    if not processors:
        return [pick(row) for row in rows]
    records = []
    for row in rows:
        values = list(pick(row))
        for i, process in processors:
            values[i] = process(values[i])
        records.append(values)
    return records


@functools.lru_cache(maxsize=4096)
def bind_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Any:
    """What a statement does to a value of ``column_type`` before the driver gets it on
    ``dialect`` (an enum's value, an aware time's check), or None: SQLAlchemy's public
    ``dialect_impl(...).bind_processor(...)``, kept per type and dialect (rows are written
    in batches all day; the types and dialects are the tables' own, a few hundred)."""
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _as_is(value: Any) -> Any:
    return value


def _wrapped(error: Exception, statement: str, adapted: Any, dialect: Dialect) -> Exception:
    """The driver's ``error`` as a SQLAlchemy ``DBAPIError`` subclass."""
    try:
        adapted._handle_exception(error)  # raises the DB-API translation
    except Exception as translated:
        return DBAPIError.instance(
            statement,
            None,
            translated,
            dialect.loaded_dbapi.Error,
            connection_invalidated=dialect.is_disconnect(cast(Any, translated), adapted, None),
            dialect=dialect,
        )
    return error

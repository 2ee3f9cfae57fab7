"""``db.insert_rows`` (binary COPY on PostgreSQL) behaves as the INSERT it replaces: inside
the caller's transaction even as its first statement, and failing with SQLAlchemy's own
errors, which the consumer tells apart (a duplicate is not a lost database)."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from baan_shared.clock import utcnow
from baan_shared.db import create_engine, create_session_factory, insert_rows, unit_of_work
from baan_shared.inbox.table import ProcessedEvent
from baan_testkit import apps
from baan_testkit.apps import ON_BOTH_DATABASES


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return apps.database_url(request, tmp_path, "insert_rows")


def _row(event_id: uuid.UUID) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "consumer": "test",
        "event_type": "household.approved",
        "topic": "survey.households",
        "partition": 0,
        "offset": 7,
        "processed_at": utcnow(),
    }


async def test_rows_are_written_in_the_callers_transaction_and_fail_as_an_insert(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    async with engine.begin() as connection:
        await connection.run_sync(table.create)
    factory = create_session_factory(engine)
    kept = uuid.uuid4()
    try:
        # The first statement of a unit of work that then fails: nothing stays.
        with pytest.raises(RuntimeError):
            async with unit_of_work(factory) as session:
                await insert_rows(session, table, [_row(uuid.uuid4()), _row(uuid.uuid4())])
                raise RuntimeError("the handler failed after writing")
        async with unit_of_work(factory) as session:
            await insert_rows(session, table, [_row(kept)])
        with pytest.raises(IntegrityError):
            async with unit_of_work(factory) as session:
                await insert_rows(session, table, [_row(uuid.uuid4()), _row(kept)])
        async with factory() as session:
            stored = (await session.exec(select(func.count()).select_from(table))).one()
    finally:
        await engine.dispose()
    assert stored == 1


async def test_rows_go_to_the_table_the_schema_translate_map_names(database_url: str) -> None:
    """Reporting's rebuild writes its inbox rows through a schema_translate_map into a
    shadow table of the same name: the rows land there, not in the live table."""
    engine = create_engine(database_url)
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    sqlite = database_url.startswith("sqlite")

    @event.listens_for(engine.sync_engine, "connect")
    def _attach(dbapi_connection: Any, _record: Any) -> None:
        if sqlite:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"ATTACH DATABASE '{database_url.split(':///')[1]}.shadow' AS shadow")
            cursor.close()

    shadow = engine.execution_options(schema_translate_map={None: "shadow"})
    async with engine.begin() as connection:
        if not sqlite:
            await connection.execute(text("CREATE SCHEMA shadow"))
        await connection.run_sync(table.create)
    async with shadow.begin() as connection:
        await connection.run_sync(table.create)
    try:
        async with unit_of_work(create_session_factory(shadow)) as session:
            await insert_rows(session, table, [_row(uuid.uuid4()), _row(uuid.uuid4())])
        async with engine.connect() as connection:
            live = (await connection.execute(text("SELECT count(*) FROM processed_events"))).one()
            kept = (
                await connection.execute(text("SELECT count(*) FROM shadow.processed_events"))
            ).one()
    finally:
        await engine.dispose()
    assert (live[0], kept[0]) == (0, 2)


async def test_rows_of_one_column_and_rows_needing_no_bind_processing(database_url: str) -> None:
    """COPY's records are picked by column (``itemgetter``): a table of one column, and
    one whose types need no bind processing, get every value in its place."""
    metadata = MetaData()
    codes = Table("codes", metadata, Column("code", String(8), primary_key=True))
    plain = Table(
        "plain",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
        Column("size", Integer, nullable=False),
    )
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            await insert_rows(session, codes, [{"code": "10"}, {"code": "1001"}])
            await insert_rows(
                session,
                plain,
                [{"id": 1, "name": "ชุมชนริมคลอง", "size": 7}, {"id": 2, "name": "b", "size": 0}],
            )
        async with engine.connect() as connection:
            stored_codes = sorted((await connection.execute(select(codes.c.code))).scalars())
            stored = sorted(tuple(row) for row in await connection.execute(plain.select()))
    finally:
        await engine.dispose()
    assert stored_codes == ["10", "1001"]
    assert stored == [(1, "ชุมชนริมคลอง", 7), (2, "b", 0)]

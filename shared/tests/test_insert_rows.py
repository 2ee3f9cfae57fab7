"""``db.insert_rows`` (binary COPY on PostgreSQL) behaves as the INSERT it replaces: inside
the caller's transaction even as its first statement, and failing with SQLAlchemy's own
errors, which the consumer tells apart (a duplicate is not a lost database)."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from baan_shared.clock import utcnow
from baan_shared.db import create_engine, create_session_factory, insert_rows, unit_of_work
from baan_shared.inbox.table import ProcessedEvent
from baan_testkit.apps import ON_BOTH_DATABASES
from baan_testkit.pytest_plugin import MakeDatabase


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/rows.db"
    make_database: MakeDatabase = request.getfixturevalue("make_postgres_database")
    return make_database("insert_rows")


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

"""``db.update_rows`` (one ``UPDATE ... FROM unnest`` on PostgreSQL, an executemany
elsewhere) sets exactly the columns it names of exactly the rows it names, each value as
an UPDATE would bind it (an enum by its value, JSON, an aware time, a NULL), inside the
caller's transaction."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Uuid, select

from baan_shared.db import (
    UTCDateTime,
    create_engine,
    create_session_factory,
    enum_type,
    unit_of_work,
    update_rows,
)
from baan_testkit import apps
from baan_testkit.apps import ON_BOTH_DATABASES


class Status(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


CASES = Table(
    "cases",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("status", enum_type(Status), nullable=False),
    Column("checks", JSON, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("note", String(50), nullable=True),
    Column("size", Integer, nullable=False),
)


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return apps.database_url(request, tmp_path, "update_rows")


async def test_the_named_columns_of_the_named_rows_change_and_nothing_else(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(CASES.create)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            CASES.insert(),
            [
                {"id": i, "status": Status.OPEN, "checks": None, "note": "n", "size": n}
                for n, i in enumerate((first, second, third), start=1)
            ],
        )
    factory = create_session_factory(engine)
    columns = ["status", "checks", "decided_at", "note"]
    try:
        # Rolled back with the caller's unit of work: nothing stays.
        with pytest.raises(RuntimeError):
            async with unit_of_work(factory) as session:
                await update_rows(
                    session, CASES, "id", columns, [(first, Status.DECIDED, [], at, None)]
                )
                raise RuntimeError("the request failed after writing")
        async with unit_of_work(factory) as session:
            await update_rows(
                session,
                CASES,
                "id",
                columns,
                [
                    (first, Status.DECIDED, [{"rule": "income", "outcome": "pass"}], at, None),
                    (second, Status.DECIDED, None, at, "ไม่ผ่าน"),
                ],
            )
        async with engine.connect() as connection:
            rows = {
                row.id: row
                for row in await connection.execute(
                    select(CASES.c.id, *(CASES.c[c] for c in [*columns, "size"]))
                )
            }
    finally:
        await engine.dispose()
    assert tuple(rows[first])[1:] == (
        Status.DECIDED,
        [{"rule": "income", "outcome": "pass"}],
        at,
        None,
        1,
    )
    assert tuple(rows[second])[1:] == (Status.DECIDED, None, at, "ไม่ผ่าน", 2)
    assert tuple(rows[third])[1:] == (Status.OPEN, None, None, "n", 3)

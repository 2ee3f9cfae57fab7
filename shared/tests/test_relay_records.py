"""The outbox relay sends each row as exactly the CloudEvent the writer recorded (issue 17:
it builds the record from the row's columns, skipping the envelope model), under a
producer span of the row's trace, on SQLite and on PostgreSQL. The broker is faked
here; tests/delivery runs the relay against the real one."""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import SpanKind
from sqlmodel import col, select

from baan_shared.db import create_engine, create_session_factory, unit_of_work
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import GrantRejected, HouseholdApproved
from baan_shared.observability.tracing import configure_tracing, span_from, trace_id
from baan_shared.outbox import OutboxMessage, OutboxRelay, record_event, record_events
from baan_testkit.apps import ON_BOTH_DATABASES
from baan_testkit.pytest_plugin import MakeDatabase

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class _Producer:
    """What the relay hands aiokafka, kept; every send acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []

    async def send(
        self, topic: str, *, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> "asyncio.Future[None]":
        self.sent.append((topic, key, value, headers))
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/relay.db"
    make_database: MakeDatabase = request.getfixturevalue("make_postgres_database")
    return make_database("relay_records")


def _approved(**overrides: Any) -> HouseholdApproved:
    fields: dict[str, Any] = {
        "household_id": uuid.uuid4(),
        "programme": "CANAL",
        "province_code": "10",
        "district_code": "1005",
        "subdistrict_code": "100502",
        "fiscal_year": 2569,
        "household_size": 5,
        "need": "rebuild",
        "estimated_cost_satang": 50_700_000,
        "approved_at": "2026-01-15T09:00:00+07:00",
        "approved_by": "คณะกรรมการชุมชนริมคลองลาดพร้าว",
    }
    return HouseholdApproved(**(fields | overrides))


async def test_each_row_goes_out_as_the_cloud_event_it_records_under_its_trace(
    database_url: str,
) -> None:
    configure_tracing("relay-test")
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(OutboxMessage.__table__.create)
    factory = create_session_factory(engine)
    async with unit_of_work(factory) as session:
        with span_from(CALLER, "a committee meeting", SpanKind.SERVER):
            await record_events(session, [_approved(), _approved(need="repair")], source="/s")
        await record_event(
            session,
            GrantRejected(
                grant_id=uuid.uuid4(),
                household_id=uuid.uuid4(),
                programme="CANAL",
                province_code="10",
                fiscal_year=2569,
                reason='no budget: "CANAL" 2569, จังหวัด 10',
                amount_satang=14_700_000,
            ),
            source="/services/finance",
        )
    relay = OutboxRelay(
        service="relay-test", engine=engine, session_factory=factory, bootstrap_servers="unused"
    )
    producer = _Producer()
    relay._producer = producer
    try:
        assert await relay.publish_pending() == 3
        async with factory() as session:
            rows = (
                await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.position)))
            ).all()
    finally:
        await engine.dispose()

    assert [r.sent_at is not None for r in rows] == [True] * 3
    assert len(producer.sent) == 3
    for row, (topic, key, value, headers) in zip(rows, producer.sent, strict=True):
        sent_trace = dict(headers).pop("traceparent").decode()
        # What the envelope model makes of the row, with the producer span's traceparent.
        expected = CloudEvent(
            id=row.id,
            source=row.source,
            type=row.type,
            subject=row.aggregateid,
            time=row.occurred_at,
            dataschema=row.dataschema,
            traceparent=sent_trace,
            data=json.loads(row.payload),
        )
        assert (topic, key, value, headers) == (row.topic, *expected.to_kafka())
        # A producer span of its own, in the trace of the request that wrote the row.
        assert sent_trace != row.traceparent
        if row.traceparent is not None:
            assert trace_id(sent_trace) == trace_id(row.traceparent)
    assert trace_id(rows[0].traceparent) == trace_id(CALLER)
    assert json.loads(producer.sent[0][2])["approved_by"] == "คณะกรรมการชุมชนริมคลองลาดพร้าว"

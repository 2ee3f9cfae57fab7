"""A write's audit row commits with the write, in the request's own transaction, on
SQLite and on a real PostgreSQL server.

The app below is shaped like a Baan service (the request-scoped session as the unit
of work, the audit middleware, problem+json errors); a stand-in for the token check
leaves the principal on the request. Each test counts the rows written and the
transactions committed.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response, status
from sqlalchemy import Column, MetaData, String, Table, Uuid, event, func, insert, select
from sqlmodel import col

from baan_shared.auth.audit import (
    AuditRecord,
    AuditWritesMiddleware,
    audit_resource,
    record_pii_reads,
)
from baan_shared.auth.principal import Principal
from baan_shared.db import create_engine, create_session_factory
from baan_shared.errors import Conflict
from baan_shared.http.deps import ReadSessionDep, SessionDep
from baan_shared.http.errors import install_error_handlers
from baan_shared.http.idempotency import IdempotencyKey, idempotent
from baan_shared.ids import new_id
from baan_testkit import apps
from baan_testkit.apps import ON_BOTH_DATABASES

test_metadata = MetaData()
notes = Table(
    "audit_test_notes",
    test_metadata,
    Column("id", Uuid, primary_key=True),
    Column("text", String(64), nullable=False),
)


class Runtime:
    def __init__(self, session_factory: Any) -> None:
        self.session_factory = session_factory
        self.settings = type(
            "Settings",
            (),
            {"idempotency_ttl_seconds": 3600.0, "idempotency_stale_after_seconds": 120.0},
        )()

    def wake_relay(self) -> None:
        pass


def build_app(session_factory: Any) -> FastAPI:
    app = FastAPI()
    app.state.runtime = Runtime(session_factory)
    install_error_handlers(app)

    @app.middleware("http")
    async def fake_auth(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Stands in for baan_shared.auth, which leaves the principal on request.state.
        client = request.headers.get("x-test-client")
        if client:
            request.state.principal = Principal.of(client, scopes=["notes:write"], areas=["*"])
        return await call_next(request)

    # Added last: outermost, as baan_shared.auth adds it around the service.
    app.add_middleware(AuditWritesMiddleware, session_factory=lambda: session_factory)

    async def write(session: Any, text: str) -> uuid.UUID:
        note_id = new_id()
        await session.exec(insert(notes).values(id=note_id, text=text))
        return note_id

    @app.post("/v1/notes", status_code=status.HTTP_201_CREATED)
    @idempotent
    async def add_note(request: Request, session: SessionDep, text: str) -> dict[str, str]:
        if text == "refused":
            raise Conflict("a note cannot say that")
        note_id = await write(session, text)
        audit_resource(request, "notes", note_id)
        return {"id": str(note_id)}

    @app.post("/v1/notes/shown", status_code=status.HTTP_201_CREATED)
    async def add_note_and_show_it(
        request: Request, session: SessionDep, text: str
    ) -> dict[str, str]:
        # A write whose answer reveals personal data, as a registration does.
        note_id = await write(session, text)
        audit_resource(request, "notes", note_id)
        await record_pii_reads(
            session, request, request.state.principal, resource_type="notes", resource_ids=[note_id]
        )
        return {"id": str(note_id)}

    @app.get("/v1/notes/{note_id}")
    async def show_note(note_id: uuid.UUID, request: Request, session: ReadSessionDep) -> Any:
        # One statement, outside a transaction; its audit row group-committed.
        text = (await session.exec(select(notes.c.text).where(notes.c.id == note_id))).scalar()
        await record_pii_reads(
            session, request, request.state.principal, resource_type="notes", resource_ids=[note_id]
        )
        return {"text": text}

    @app.post("/v1/drafts", status_code=status.HTTP_201_CREATED)
    @idempotent
    async def add_draft(session: SessionDep, response: Response, text: str) -> dict[str, str]:
        # Picks its own status, as an import answers 202 for a job.
        response.status_code = status.HTTP_202_ACCEPTED
        return {"id": str(await write(session, text))}

    @app.delete("/v1/notes", status_code=status.HTTP_204_NO_CONTENT)
    async def clear_notes(session: SessionDep) -> Response:
        await session.exec(notes.delete())
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return app


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return apps.database_url(request, tmp_path, "audit_in_transaction")


class Counted:
    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.sessions = create_session_factory(self.engine)
        self.commits = 0
        self.audit_inserts = 0

        def count(_connection: Any) -> None:
            self.commits += 1

        def count_audit_inserts(*args: Any) -> None:
            if args[2].startswith("INSERT INTO audit_log"):
                self.audit_inserts += 1

        event.listen(self.engine.sync_engine, "commit", count)
        event.listen(self.engine.sync_engine, "before_cursor_execute", count_audit_inserts)

    async def audit_rows(self) -> list[AuditRecord]:
        async with self.sessions() as session:
            query = select(AuditRecord).order_by(col(AuditRecord.id))
            return list((await session.exec(query)).scalars().all())

    async def notes(self) -> int:
        async with self.sessions() as session:
            return int((await session.exec(select(func.count()).select_from(notes))).scalar_one())


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Counted]:
    counted = Counted(database_url)
    async with counted.engine.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
        await connection.run_sync(lambda sync: AuditRecord.__table__.create(sync))
        await connection.run_sync(lambda sync: IdempotencyKey.__table__.create(sync))
    counted.commits = 0
    yield counted
    await counted.engine.dispose()


@pytest.fixture
async def client(db: Counted) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(db.sessions))
    headers = {"x-test-client": "bangkok-office"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://service", headers=headers
    ) as http:
        yield http


async def test_a_write_and_its_audit_row_commit_in_one_transaction(
    db: Counted, client: httpx.AsyncClient
) -> None:
    answer = await client.post(
        "/v1/notes",
        params={"text": "hello"},
        headers={"traceparent": f"00-{'a1' * 16}-{'b2' * 8}-01", "x-request-id": "req-1"},
    )

    assert answer.status_code == 201
    assert db.commits == 1  # the write's own: no second transaction for its audit row
    rows = await db.audit_rows()
    assert [(r.action, r.status, r.resource_type, r.resource_id) for r in rows] == [
        ("add_note", 201, "notes", answer.json()["id"])
    ]
    assert rows[0].client_id == "bangkok-office"
    assert rows[0].trace_id == "a1" * 16
    assert rows[0].request_id == "req-1"


async def test_a_write_that_reveals_personal_data_writes_both_rows_in_one_insert(
    db: Counted, client: httpx.AsyncClient
) -> None:
    answer = await client.post("/v1/notes/shown", params={"text": "hello"})

    assert answer.status_code == 201
    assert (db.commits, db.audit_inserts) == (1, 1)
    note_id = answer.json()["id"]
    assert sorted((r.pii_read, r.action, r.resource_id) for r in await db.audit_rows()) == [
        (False, "add_note_and_show_it", note_id),
        (True, "notes.read", note_id),
    ]


async def test_personal_data_reads_rolled_back_are_never_written(db: Counted) -> None:
    request = Request({"type": "http", "method": "GET", "path": "/v1/notes", "headers": []})
    principal = Principal.of("bangkok-office", scopes=["notes:read"], areas=["*"])
    async with db.sessions() as session:
        await record_pii_reads(
            session, request, principal, resource_type="notes", resource_ids=["n-1"]
        )
        await session.rollback()
        await session.commit()  # a later transaction of the same session
        await record_pii_reads(
            session, request, principal, resource_type="notes", resource_ids=["n-2"]
        )
    # closed without a commit: as rolled back

    assert await db.audit_rows() == []
    assert db.audit_inserts == 0


async def test_personal_data_read_without_a_transaction_is_audited_before_the_answer(
    db: Counted, client: httpx.AsyncClient
) -> None:
    note_id = (await client.post("/v1/notes", params={"text": "secret"})).json()["id"]

    shown = await asyncio.gather(*(client.get(f"/v1/notes/{note_id}") for _ in range(4)))

    assert [r.json() for r in shown] == [{"text": "secret"}] * 4
    rows = [r for r in await db.audit_rows() if r.pii_read]
    assert [(r.action, r.resource_id, r.method) for r in rows] == [
        ("notes.read", note_id, "GET")
    ] * 4


async def test_personal_data_is_not_shown_when_its_audit_row_cannot_be_written(
    db: Counted, client: httpx.AsyncClient
) -> None:
    note_id = (await client.post("/v1/notes", params={"text": "secret"})).json()["id"]
    async with db.engine.begin() as connection:
        await connection.run_sync(lambda sync: AuditRecord.__table__.drop(sync))

    shown = await client.get(f"/v1/notes/{note_id}")

    assert shown.status_code == 503
    assert shown.headers["content-type"] == "application/problem+json"
    assert "secret" not in shown.text


async def test_a_refused_write_leaves_its_row_and_nothing_else(
    db: Counted, client: httpx.AsyncClient
) -> None:
    answer = await client.post("/v1/notes", params={"text": "refused"})

    assert answer.status_code == 409
    assert await db.notes() == 0
    assert [(r.action, r.status) for r in await db.audit_rows()] == [("add_note", 409)]


async def test_the_row_records_the_status_the_client_got(
    db: Counted, client: httpx.AsyncClient
) -> None:
    # an endpoint that sets its own status, and one that returns its own response
    draft = await client.post("/v1/drafts", params={"text": "later"})
    cleared = await client.delete("/v1/notes")

    assert (draft.status_code, cleared.status_code) == (202, 204)
    assert [(r.action, r.status) for r in await db.audit_rows()] == [
        ("add_draft", 202),
        ("clear_notes", 204),
    ]
    assert db.commits == 2


async def test_a_replayed_write_is_audited_once_more_with_the_status_it_replays(
    db: Counted, client: httpx.AsyncClient
) -> None:
    headers = {"Idempotency-Key": "draft-1"}
    first = await client.post("/v1/drafts", params={"text": "later"}, headers=headers)
    again = await client.post("/v1/drafts", params={"text": "later"}, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    assert await db.notes() == 1
    assert [(r.action, r.status) for r in await db.audit_rows()] == [
        ("add_draft", 202),
        ("add_draft", 202),
    ]


async def test_a_write_without_a_client_leaves_no_row(db: Counted) -> None:
    transport = httpx.ASGITransport(app=build_app(db.sessions))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as anonymous:
        answer = await anonymous.post("/v1/notes", params={"text": "hello"})

    assert answer.status_code == 201  # no token check in this app: only no one to name
    assert await db.audit_rows() == []

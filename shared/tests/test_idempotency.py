"""Idempotency-Key on a tiny service, on SQLite and on a real PostgreSQL server.

The app below is shaped like a Baan service (request-scoped session as the
unit of work, problem+json errors) with one write, "record a payment", whose
effect is a row: each test counts the rows to see how many times it ran.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Form, Request, Response, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Column, MetaData, String, Table, Uuid, func, insert, select

from baan_shared.db import create_engine, create_session_factory
from baan_shared.errors import Conflict
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import install_error_handlers
from baan_shared.http.idempotency import IdempotencyKey, idempotent, purge_expired
from baan_shared.ids import new_id
from baan_testkit import apps
from baan_testkit.apps import ON_BOTH_DATABASES

# The test's own table: a separate MetaData keeps it out of the services' schema.
test_metadata = MetaData()
payments = Table(
    "idempotency_test_payments",
    test_metadata,
    Column("id", Uuid, primary_key=True),
    Column("reference", String(64), nullable=False),
    Column("amount_satang", BigInteger, nullable=False),
)


class PaymentCreate(BaseModel):
    reference: str
    amount_satang: int = Field(gt=0)


class PaymentPublic(BaseModel):
    id: uuid.UUID
    reference: str
    amount_satang: int


@dataclass
class Settings:
    idempotency_ttl_seconds: float = 3600.0
    idempotency_stale_after_seconds: float = 120.0


@dataclass
class Runtime:
    """What ``SessionDep`` and the idempotency helper read from ``app.state.runtime``."""

    session_factory: Any
    settings: Settings = field(default_factory=Settings)

    def wake_relay(self) -> None:
        pass


@dataclass
class Hooks:
    """Lets a test hold a request mid-flight or make it fail once."""

    hold: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    fail_next: bool = False


def build_app(session_factory: Any, settings: Settings, hooks: Hooks) -> FastAPI:
    app = FastAPI()
    app.state.runtime = Runtime(session_factory, settings)
    install_error_handlers(app)

    @app.middleware("http")
    async def fake_auth(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Stands in for baan_shared.auth, which leaves the principal on request.state.
        client = request.headers.get("x-test-client")
        if client:
            request.state.principal = type("Principal", (), {"client_id": client})()
        return await call_next(request)

    @app.post("/v1/payments", response_model=PaymentPublic, status_code=status.HTTP_201_CREATED)
    @idempotent
    async def record_payment(body: PaymentCreate, session: SessionDep) -> PaymentPublic:
        hooks.started.set()
        if hooks.hold is not None:
            await hooks.hold.wait()
        payment = PaymentPublic(id=new_id(), **body.model_dump())
        await session.exec(insert(payments).values(**payment.model_dump()))
        if hooks.fail_next:
            # Fails after writing: the write is rolled back and the key freed.
            hooks.fail_next = False
            raise Conflict("the bank is closed")
        return payment

    @app.post("/v1/confirmations", response_model=PaymentPublic, status_code=201)
    @idempotent
    async def confirm_payment(
        body: PaymentCreate, session: SessionDep, response: Response
    ) -> PaymentPublic:
        # An endpoint that picks its own status: the replay must give the same one.
        response.status_code = status.HTTP_202_ACCEPTED
        payment = PaymentPublic(id=new_id(), **body.model_dump())
        await session.exec(insert(payments).values(**payment.model_dump()))
        return payment

    @app.post("/v1/receipts", status_code=201)
    @idempotent
    async def upload_receipt(
        session: SessionDep, file: UploadFile, reference: Annotated[str, Form()]
    ) -> dict[str, Any]:
        # A form upload: FastAPI has consumed the stream; the file is read here after us.
        content = await file.read()
        payment = PaymentPublic(id=new_id(), reference=reference, amount_satang=len(content))
        await session.exec(insert(payments).values(**payment.model_dump()))
        return {"id": str(payment.id), "bytes": len(content)}

    return app


async def _count(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        result = await session.exec(select(func.count()).select_from(payments))
        return int(result.scalar_one())


@pytest.fixture(params=ON_BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return apps.database_url(request, tmp_path, "idempotency")


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[Any]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
        await connection.run_sync(lambda sync: IdempotencyKey.__table__.create(sync))
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
async def app(session_factory: Any, settings: Settings, hooks: Hooks) -> FastAPI:
    return build_app(session_factory, settings, hooks)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        yield http


BODY = {"reference": "BANK-0001", "amount_satang": 150_000}


class TestSameKeySameRequest:
    async def test_a_retry_gets_the_first_answer_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "pay-1"}
        first = await client.post("/v1/payments", json=BODY, headers=headers)
        again = await client.post("/v1/payments", json=BODY, headers=headers)

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert await _count(app) == 1

    async def test_the_status_the_endpoint_chose_is_replayed_too(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "confirm-1"}
        first = await client.post("/v1/confirmations", json=BODY, headers=headers)
        again = await client.post("/v1/confirmations", json=BODY, headers=headers)
        assert (first.status_code, again.status_code) == (202, 202)
        assert again.json() == first.json()
        assert await _count(app) == 1

    async def test_one_key_on_two_endpoints_is_two_requests(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "pay-or-confirm"}
        await client.post("/v1/payments", json=BODY, headers=headers)
        other = await client.post("/v1/confirmations", json=BODY, headers=headers)
        assert other.status_code == 422
        assert await _count(app) == 1

    async def test_the_same_json_spaced_or_ordered_otherwise_is_the_same_request(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "pay-2", "content-type": "application/json"}
        first = await client.post("/v1/payments", json=BODY, headers=headers)
        reordered = '{ "amount_satang": 150000,  "reference": "BANK-0001" }'
        again = await client.post("/v1/payments", content=reordered, headers=headers)
        assert again.json() == first.json()
        assert await _count(app) == 1

    async def test_without_a_key_every_request_runs(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await client.post("/v1/payments", json=BODY)
        await client.post("/v1/payments", json=BODY)
        assert await _count(app) == 2


class TestInvalidRequest:
    async def test_a_request_refused_as_invalid_leaves_its_key_free(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # FastAPI claims the key (a dependency) before it validates the body: the 422
        # must free it again, or every retry gets 409 "still being processed".
        headers = {"Idempotency-Key": "pay-invalid"}
        invalid = {**BODY, "amount_satang": 0}
        first = await client.post("/v1/payments", json=invalid, headers=headers)
        again = await client.post("/v1/payments", json=invalid, headers=headers)
        assert (first.status_code, again.status_code) == (422, 422), again.text
        corrected = await client.post("/v1/payments", json=BODY, headers=headers)
        assert corrected.status_code == 201, corrected.text
        assert await _count(app) == 1


class TestSameKeyAnotherRequest:
    async def test_another_body_is_a_422_naming_the_header(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "pay-3"}
        await client.post("/v1/payments", json=BODY, headers=headers)
        other = await client.post(
            "/v1/payments", json={**BODY, "amount_satang": 1}, headers=headers
        )

        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["errors"][0]["field"] == "header.idempotency-key"
        assert "Idempotency-Key" in other.json()["detail"]
        assert await _count(app) == 1


class TestRetryWhileRunning:
    async def test_a_retry_while_the_first_runs_is_a_409_and_the_first_still_answers(
        self, app: FastAPI, client: httpx.AsyncClient, hooks: Hooks
    ) -> None:
        hooks.hold = asyncio.Event()
        headers = {"Idempotency-Key": "pay-4"}
        first = asyncio.create_task(client.post("/v1/payments", json=BODY, headers=headers))
        await hooks.started.wait()

        retry = await client.post("/v1/payments", json=BODY, headers=headers)
        hooks.hold.set()
        answered = await first

        assert retry.status_code == 409
        assert retry.headers["content-type"] == "application/problem+json"
        assert "still being processed" in retry.json()["detail"]
        assert answered.status_code == 201
        later = await client.post("/v1/payments", json=BODY, headers=headers)
        assert later.json() == answered.json()
        assert await _count(app) == 1

    async def test_a_request_that_failed_can_be_retried_with_its_key(
        self, app: FastAPI, client: httpx.AsyncClient, hooks: Hooks
    ) -> None:
        hooks.fail_next = True
        headers = {"Idempotency-Key": "pay-5"}
        failed = await client.post("/v1/payments", json=BODY, headers=headers)
        retried = await client.post("/v1/payments", json=BODY, headers=headers)
        assert failed.status_code == 409
        assert retried.status_code == 201
        assert await _count(app) == 1


class TestScopeAndExpiry:
    async def test_keys_belong_to_one_client(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        first = await client.post(
            "/v1/payments",
            json=BODY,
            headers={"Idempotency-Key": "pay-6", "x-test-client": "bangkok-district-office"},
        )
        other_client = await client.post(
            "/v1/payments",
            json=BODY,
            headers={"Idempotency-Key": "pay-6", "x-test-client": "chiang-mai-university"},
        )
        assert other_client.status_code == 201
        assert other_client.json()["id"] != first.json()["id"]
        assert await _count(app) == 2

    async def test_an_expired_key_runs_the_request_again(
        self, app: FastAPI, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        settings.idempotency_ttl_seconds = 0
        headers = {"Idempotency-Key": "pay-7"}
        first = await client.post("/v1/payments", json=BODY, headers=headers)
        again = await client.post("/v1/payments", json=BODY, headers=headers)
        assert again.status_code == 201
        assert again.json()["id"] != first.json()["id"]
        assert await _count(app) == 2


async def test_purging_removes_only_expired_keys(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    settings.idempotency_ttl_seconds = 0
    await client.post("/v1/payments", json=BODY, headers={"Idempotency-Key": "old"})
    settings.idempotency_ttl_seconds = 3600
    await client.post("/v1/payments", json=BODY, headers={"Idempotency-Key": "fresh"})

    async with app.state.runtime.session_factory() as session:
        assert await purge_expired(session) == 1
        await session.commit()

    again = await client.post("/v1/payments", json=BODY, headers={"Idempotency-Key": "fresh"})
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(app) == 2


async def test_concurrent_retries_run_once_and_never_fail(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = {"Idempotency-Key": "pay-race"}
    answers = await asyncio.gather(
        *(client.post("/v1/payments", json=BODY, headers=headers) for _ in range(8))
    )

    codes = sorted(answer.status_code for answer in answers)
    assert set(codes) <= {201, 409}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert await _count(app) == 1


class TestFormUploads:
    async def test_a_retried_upload_gets_the_first_answer_whatever_its_boundary(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "receipt-1"}
        sheet = {"file": ("receipt.csv", b"a,b\n1,2\n", "text/csv")}
        # httpx picks a new multipart boundary for each request, as any client would.
        first = await client.post(
            "/v1/receipts", files=sheet, data={"reference": "R-1"}, headers=headers
        )
        again = await client.post(
            "/v1/receipts", files=sheet, data={"reference": "R-1"}, headers=headers
        )
        assert first.status_code == again.status_code == 201, first.text
        assert again.json() == first.json() == {"id": first.json()["id"], "bytes": 8}
        assert again.headers["idempotent-replayed"] == "true"
        assert await _count(app) == 1

    async def test_another_file_under_the_same_key_is_refused(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "receipt-2"}
        await client.post(
            "/v1/receipts",
            files={"file": ("r.csv", b"one", "text/csv")},
            data={"reference": "R-2"},
            headers=headers,
        )
        other = await client.post(
            "/v1/receipts",
            files={"file": ("r.csv", b"two", "text/csv")},
            data={"reference": "R-2"},
            headers=headers,
        )
        assert other.status_code == 422
        assert await _count(app) == 1

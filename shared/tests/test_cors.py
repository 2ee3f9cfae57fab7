"""CORS on the service chassis: off by default; with ``CORS_ALLOWED_ORIGINS`` a
preflight from an allowed origin is answered (no token, no rate-limit count, no
audit row), another origin gets no CORS headers, and the answers a browser
script must read (data, 401, 429 with Retry-After, Location) carry them.

Headless Chromium calling a real service from another origin: tests/e2e/test_cors_chromium.py.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response, Security, status
from pydantic import ValidationError
from sqlmodel import SQLModel, func, select

from baan_shared.auth import Principal, install_partner_access, require_scopes
from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.cors import ALLOW_HEADERS, ALLOW_METHODS, EXPOSE_HEADERS, parse_origins
from baan_shared.service import create_service_app
from baan_shared.settings import ServiceSettings
from baan_testkit.auth import auth_settings, session_issuer, token_headers

ALLOWED = "https://partner.example.org"
OTHER = "https://evil.example.net"
BASE_URL = "http://survey.baan.test"


def _chassis_app(tmp_path: Path, origins: list[str], *, requests_per_window: int = 600) -> FastAPI:
    router = APIRouter()

    @router.get("/v1/households")
    async def list_households(
        _principal: Annotated[Principal, Security(require_scopes("survey:read"))],
    ) -> dict[str, Any]:
        return {"items": [{"id": "h-1"}], "next_cursor": None}

    @router.post("/v1/households", status_code=status.HTTP_201_CREATED)
    async def register_household(
        response: Response,
        _principal: Annotated[Principal, Security(require_scopes("survey:write"))],
    ) -> dict[str, str]:
        response.headers["location"] = "/v1/households/h-2"
        return {"id": "h-2"}

    settings = ServiceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/service.db",
        auto_migrate=False,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        cors_allowed_origins=origins,
    )
    app = create_service_app(
        name="tester",
        title="Tester",
        description="",
        version="0",
        settings=settings,
        routers=[router],
        migrations=None,
    )
    install_partner_access(
        app,
        auth_settings(session_issuer(), rate_limit_requests=requests_per_window),
        environment="test",
    )
    return app


async def _client(app: FastAPI) -> httpx.AsyncClient:
    runtime = app.state.runtime
    async with runtime.engine.begin() as connection:
        await connection.run_sync(
            SQLModel.metadata.create_all,
            tables=[AuditRecord.__table__, RateLimitCounter.__table__],
        )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


@pytest.fixture
async def cors_app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = _chassis_app(tmp_path, [ALLOWED, "http://localhost:5173"])
    yield app
    await app.state.runtime.engine.dispose()


@pytest.fixture
async def http(cors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(cors_app) as client:
        yield client


def _token(*scopes: str) -> dict[str, str]:
    return token_headers(session_issuer(), "partner-web", scopes, ["*"])


def _preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }


async def _rows(app: FastAPI, table: type[SQLModel]) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(table))).one())


async def test_a_preflight_from_an_allowed_origin_is_answered_without_a_token(
    cors_app: FastAPI, http: httpx.AsyncClient
) -> None:
    response = await http.options("/v1/households", headers=_preflight(ALLOWED))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert set(ALLOW_METHODS) <= methods
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "idempotency-key"):
        assert header in allowed_headers
    assert "access-control-allow-credentials" not in response.headers
    assert int(response.headers["access-control-max-age"]) > 0
    # Answered before routing: no token asked for, nothing counted, nothing audited.
    assert await _rows(cors_app, AuditRecord) == 0
    assert await _rows(cors_app, RateLimitCounter) == 0


async def test_a_preflight_from_another_origin_gets_no_cors_headers(
    http: httpx.AsyncClient,
) -> None:
    response = await http.options("/v1/households", headers=_preflight(OTHER))

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_preflight_for_a_header_not_allowed_is_refused(http: httpx.AsyncClient) -> None:
    headers = {**_preflight(ALLOWED), "Access-Control-Request-Headers": "x-not-ours"}
    response = await http.options("/v1/households", headers=headers)

    assert response.status_code == 400


async def test_an_allowed_origin_reads_the_answer_and_its_headers(
    http: httpx.AsyncClient,
) -> None:
    listed = await http.get("/v1/households", headers={"Origin": ALLOWED, **_token("survey:read")})
    assert listed.status_code == 200
    assert listed.json()["items"] == [{"id": "h-1"}]
    assert listed.headers["access-control-allow-origin"] == ALLOWED
    exposed = {
        h.strip().lower() for h in listed.headers["access-control-expose-headers"].split(",")
    }
    assert {h.lower() for h in EXPOSE_HEADERS} <= exposed
    assert {"location", "retry-after", "traceparent"} <= exposed

    created = await http.post(
        "/v1/households",
        json={},
        headers={"Origin": ALLOWED, "Idempotency-Key": "k-1", **_token("survey:write")},
    )
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == ALLOWED
    assert created.headers["location"] == "/v1/households/h-2"


async def test_another_origin_gets_the_answer_without_cors_headers(
    http: httpx.AsyncClient,
) -> None:
    """The server still answers (CORS is enforced by the browser, not the server):
    without Access-Control-Allow-Origin the browser keeps it from the page."""
    response = await http.get("/v1/households", headers={"Origin": OTHER, **_token("survey:read")})
    assert "access-control-allow-origin" not in response.headers


async def test_a_refusal_carries_the_cors_headers_so_the_page_can_read_it(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/v1/households", headers={"Origin": ALLOWED})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED


async def test_a_rate_limited_answer_exposes_retry_after(tmp_path: Path) -> None:
    app = _chassis_app(tmp_path, [ALLOWED], requests_per_window=1)
    headers = {"Origin": ALLOWED, **_token("survey:read")}
    try:
        async with await _client(app) as http:
            assert (await http.get("/v1/households", headers=headers)).status_code == 200
            limited = await http.get("/v1/households", headers=headers)
    finally:
        await app.state.runtime.engine.dispose()
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == ALLOWED
    assert int(limited.headers["retry-after"]) >= 1
    assert "retry-after" in limited.headers["access-control-expose-headers"].lower()


async def test_without_allowed_origins_no_cors_headers_at_all(tmp_path: Path) -> None:
    app = _chassis_app(tmp_path, [])
    try:
        async with await _client(app) as http:
            preflight = await http.options("/v1/households", headers=_preflight(ALLOWED))
            listed = await http.get(
                "/v1/households", headers={"Origin": ALLOWED, **_token("survey:read")}
            )
    finally:
        await app.state.runtime.engine.dispose()
    assert preflight.status_code == 405
    assert not any(h.startswith("access-control-") for h in preflight.headers)
    assert listed.status_code == 200
    assert not any(h.startswith("access-control-") for h in listed.headers)


def test_allowed_origins_are_read_unprefixed_as_a_list_or_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ServiceSettings().cors_allowed_origins == []
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", " https://a.example.org/, http://localhost:5173 ")
    assert ServiceSettings().cors_allowed_origins == [
        "https://a.example.org",
        "http://localhost:5173",
    ]
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", '["https://a.example.org"]')
    assert ServiceSettings().cors_allowed_origins == ["https://a.example.org"]
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "")
    assert ServiceSettings().cors_allowed_origins == []


@pytest.mark.parametrize(
    "wrong", ["*", "partner.example.org", "https://partner.example.org/app", "ftp://x.example"]
)
def test_an_origin_that_is_not_scheme_host_port_is_refused(wrong: str) -> None:
    with pytest.raises(ValueError, match="CORS"):
        parse_origins(wrong)
    with pytest.raises(ValidationError):
        ServiceSettings(cors_allowed_origins=[wrong])


def test_the_allowed_request_headers_are_what_a_partner_sends() -> None:
    assert {"Authorization", "Content-Type", "Idempotency-Key"} <= set(ALLOW_HEADERS)

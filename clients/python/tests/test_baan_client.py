"""The partner client against a scripted transport (httpx.MockTransport): tokens,
Idempotency-Key, retries and pages, each behaviour on its own. Waits are recorded,
never slept. Against the running platform: tests/e2e/test_client_library.py."""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs

import httpx
import pytest

from baan_client import (
    IDEMPOTENCY_HEADER,
    ApiError,
    BaanClient,
    ClientCredentials,
    RetryPolicy,
    TokenError,
    retry_after_seconds,
)

TOKEN_URL = "https://id.baan.test/oauth/token"
SURVEY = "https://api.baan.test/survey"


@dataclass
class Script:
    """Answers the token endpoint with numbered tokens and the API from ``answers``
    (one per request, the last repeated); records every API request."""

    answers: list[Callable[[httpx.Request], httpx.Response]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[httpx.Request] = field(default_factory=list)
    expires_in: int = 3600

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.token_requests.append(request)
            return httpx.Response(
                200,
                json={
                    "access_token": f"token-{len(self.token_requests)}",
                    "token_type": "Bearer",
                    "expires_in": self.expires_in,
                },
            )
        self.requests.append(request)
        index = min(len(self.requests), len(self.answers)) - 1
        return self.answers[index](request)


def ok(body: object = None, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(status, json=body if body is not None else {})


def problem(
    status: int, detail: str = "", headers: dict[str, str] | None = None, code: str = "x"
) -> Callable[[httpx.Request], httpx.Response]:
    body = {"type": "about:blank", "title": "t", "status": status, "detail": detail, "code": code}
    return lambda _request: httpx.Response(
        status, json=body, headers={"content-type": "application/problem+json", **(headers or {})}
    )


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


class Waits(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(script: Script, waits: Waits, retry: RetryPolicy | None = None) -> BaanClient:
    return BaanClient(
        token_url=TOKEN_URL,
        client_id="bangkok-office",
        client_secret="s3cret",
        base_urls={"survey": SURVEY},
        retry=retry,
        transport=httpx.MockTransport(script),
        sleep=waits,
        rng=lambda: 1.0,  # the backoff's ceiling, so the waits are exact
    )


async def test_a_token_is_fetched_with_the_client_credentials_and_reused() -> None:
    script, waits = Script(answers=[ok({"id": "h"})]), Waits()
    async with client(script, waits) as baan:
        await baan.survey.get("/v1/households/h")
        await baan.survey.get("/v1/households/h")

    (token_request,) = script.token_requests
    assert token_request.method == "POST"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    basic = base64.b64decode(token_request.headers["authorization"].split()[1]).decode()
    assert basic == "bangkok-office:s3cret"
    assert [r.headers["authorization"] for r in script.requests] == ["Bearer token-1"] * 2
    assert str(script.requests[0].url) == f"{SURVEY}/v1/households/h"


async def test_a_token_is_refreshed_before_it_expires() -> None:
    script = Script(expires_in=300)
    now = [1000.0]
    async with httpx.AsyncClient(transport=httpx.MockTransport(script)) as http:
        tokens = ClientCredentials(
            TOKEN_URL, "c", "s", http=http, refresh_margin_seconds=60, clock=lambda: now[0]
        )
        assert await tokens.access_token() == "token-1"
        now[0] += 239  # 61 s left: still good
        assert await tokens.access_token() == "token-1"
        now[0] += 2  # 59 s left: within the margin
        assert await tokens.access_token() == "token-2"
    assert tokens.fetched == 2
    assert "s3cret" not in repr(tokens) and "'s'" not in repr(tokens)


async def test_a_refused_token_is_replaced_and_the_request_sent_again_once() -> None:
    script, waits = Script(answers=[problem(401), ok({"items": []})]), Waits()
    async with client(script, waits) as baan:
        assert await baan.survey.get("/v1/households") == {"items": []}
    assert [r.headers["authorization"] for r in script.requests] == [
        "Bearer token-1",
        "Bearer token-2",
    ]
    assert waits == []

    script, waits = Script(answers=[problem(401, "expired")]), Waits()
    async with client(script, waits) as baan:
        with pytest.raises(ApiError) as refused:
            await baan.survey.get("/v1/households")
    assert refused.value.status_code == 401
    assert len(script.requests) == 2  # one new token, not a loop


async def test_a_token_endpoint_refusal_is_a_token_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"error": "invalid_client", "error_description": "wrong secret"}
        )

    async with BaanClient(
        token_url=TOKEN_URL,
        client_id="c",
        client_secret="wrong",
        base_urls={"survey": SURVEY},
        transport=httpx.MockTransport(refuse),
    ) as baan:
        with pytest.raises(TokenError, match="invalid_client") as error:
            await baan.survey.get("/v1/households")
    assert error.value.status_code == 401


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_every_write_carries_an_idempotency_key(method: str) -> None:
    script, waits = Script(answers=[ok({"id": "h"}, 200)]), Waits()
    async with client(script, waits) as baan:
        await baan.survey.send(method, "/v1/households", json={"a": 1})
        await baan.survey.send(method, "/v1/households", json={"a": 1})
        await baan.survey.send(method, "/v1/households", idempotency_key="mine-1")
        await baan.survey.get("/v1/households")
    keys = [r.headers.get(IDEMPOTENCY_HEADER) for r in script.requests]
    assert keys[0] and keys[1] and keys[0] != keys[1]  # a new key per write
    assert keys[2] == "mine-1"
    assert keys[3] is None  # reads carry none


async def test_a_rate_limited_write_waits_retry_after_and_keeps_its_key() -> None:
    script = Script(
        answers=[
            problem(429, "too many", {"Retry-After": "7"}),
            problem(503, "busy"),
            ok({"id": "h"}, 201),
        ]
    )
    waits = Waits()
    async with client(script, waits) as baan:
        created = await baan.survey.post("/v1/households", {"head_name": "x"})
    assert created == {"id": "h"}
    assert waits == [7.0, 1.0]  # Retry-After, then the backoff of the 2nd attempt (0.5 * 2)
    keys = {r.headers[IDEMPOTENCY_HEADER] for r in script.requests}
    assert len(keys) == 1 and len(script.requests) == 3
    assert {json.loads(r.content)["head_name"] for r in script.requests} == {"x"}


async def test_retry_after_is_capped_and_read_as_a_date() -> None:
    script = Script(answers=[problem(429, headers={"Retry-After": "86400"}), ok()])
    waits = Waits()
    async with client(script, waits, RetryPolicy(retry_after_max_seconds=30)) as baan:
        await baan.survey.get("/v1/households")
    assert waits == [30.0]

    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    dated = httpx.Response(
        429, headers={"Retry-After": format_datetime(now + timedelta(seconds=12), usegmt=True)}
    )
    assert retry_after_seconds(dated, lambda: now) == 12.0
    assert retry_after_seconds(httpx.Response(429), lambda: now) is None


async def test_backoff_grows_exponentially_and_stops_after_max_attempts() -> None:
    script, waits = Script(answers=[problem(503, "down", code="unavailable")]), Waits()
    retry = RetryPolicy(max_attempts=4, backoff_base_seconds=0.5, backoff_max_seconds=1.5)
    async with client(script, waits, retry) as baan:
        with pytest.raises(ApiError) as failed:
            await baan.survey.get("/v1/households")
    assert len(script.requests) == 4
    assert waits == [0.5, 1.0, 1.5]  # doubling, capped
    assert failed.value.status_code == 503
    assert failed.value.code == "unavailable"
    assert failed.value.detail == "down"


def test_backoff_is_jittered_below_its_ceiling() -> None:
    policy = RetryPolicy(backoff_base_seconds=1.0)
    assert policy.backoff(3, rng=lambda: 0.25) == 1.0
    assert policy.backoff(3, rng=lambda: 0.0) == 0.0


async def test_connection_errors_are_retried_with_the_same_key() -> None:
    script, waits = Script(answers=[unreachable, unreachable, ok({"id": "h"}, 201)]), Waits()
    async with client(script, waits) as baan:
        assert await baan.survey.post("/v1/households", {}) == {"id": "h"}
    assert len({r.headers[IDEMPOTENCY_HEADER] for r in script.requests}) == 1
    assert waits == [0.5, 1.0]

    script, waits = Script(answers=[unreachable]), Waits()
    async with client(script, waits, RetryPolicy(max_attempts=2)) as baan:
        with pytest.raises(httpx.ConnectError):
            await baan.survey.get("/v1/households")
    assert len(script.requests) == 2


async def test_a_write_still_running_under_its_key_is_retried_a_business_conflict_is_not() -> None:
    running = problem(409, "a request with Idempotency-Key 'k' is still being processed; retry")
    script, waits = Script(answers=[running, ok({"id": "h"}, 201)]), Waits()
    async with client(script, waits) as baan:
        assert await baan.survey.post("/v1/households", {}) == {"id": "h"}
    assert len(script.requests) == 2

    script, waits = Script(answers=[problem(409, "household is already approved")]), Waits()
    async with client(script, waits) as baan:
        with pytest.raises(ApiError) as conflict:
            await baan.survey.post("/v1/households/h/approve", {})
    assert conflict.value.status_code == 409
    assert len(script.requests) == 1 and waits == []


async def test_a_client_error_is_not_retried() -> None:
    script, waits = Script(answers=[problem(422, "bad", code="validation")]), Waits()
    async with client(script, waits) as baan:
        with pytest.raises(ApiError) as invalid:
            await baan.survey.post("/v1/households", {})
    assert invalid.value.status_code == 422 and invalid.value.code == "validation"
    assert len(script.requests) == 1 and waits == []


async def test_pages_follow_next_cursor_with_the_same_parameters() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        following = {None: ("c1", [1, 2]), "c1": ("c2", [3, 4]), "c2": (None, [5])}
        next_cursor, items = following[cursor]
        return httpx.Response(200, json={"items": items, "next_cursor": next_cursor})

    script, waits = Script(answers=[page]), Waits()
    async with client(script, waits) as baan:
        pages = [p async for p in baan.survey.pages("/v1/households", params={"limit": 2})]
        items = [i async for i in baan.survey.items("/v1/households", params={"limit": 2})]
        first = [p async for p in baan.survey.pages("/v1/households", max_pages=1)]
    assert [p["items"] for p in pages] == [[1, 2], [3, 4], [5]]
    assert items == [1, 2, 3, 4, 5]
    assert len(first) == 1
    assert [r.url.params.get("cursor") for r in script.requests[:3]] == [None, "c1", "c2"]
    assert {r.url.params.get("limit") for r in script.requests[:6]} == {"2"}


async def test_a_service_without_a_base_url_is_named() -> None:
    async with client(Script(), Waits()) as baan:
        with pytest.raises(LookupError, match="finance"):
            _ = baan.finance
    with pytest.raises(ValueError, match="unknown services"):
        BaanClient(token_url=TOKEN_URL, client_id="c", client_secret="s", base_urls={"x": "y"})

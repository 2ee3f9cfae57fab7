"""The client: one ``ServiceClient`` per Baan service, sharing the partner's token.

Every request carries the bearer token (fetched and refreshed by
``ClientCredentials``; a 401 fetches a new one and sends again, once). Every write
(POST, PUT, PATCH, DELETE) carries an ``Idempotency-Key`` (a new UUID unless the
caller gives one), the same on every retry, so a retried write never acts twice.
Requests are retried with exponential backoff and full jitter on 429 (waiting
``Retry-After`` when the service says, capped), 502/503/504, a 409 about a
still-running request with the same key, and connection errors and timeouts,
up to ``RetryPolicy.max_attempts``. Lists are read page by page, following
``next_cursor`` (``pages``), or item by item (``items``).
"""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx

from baan_client.errors import ApiError
from baan_client.tokens import ClientCredentials

IDEMPOTENCY_HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SERVICES = ("survey", "construction", "finance", "reporting")

Params = Mapping[str, str | int | float | bool | None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before sending a request again."""

    max_attempts: int = 5
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    # A Retry-After longer than this is cut to it (then the request is sent again).
    retry_after_max_seconds: float = 120.0
    retry_statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 502, 503, 504}))

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**(attempt-1))]."""
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        return ceiling * rng()


def retry_after_seconds(response: httpx.Response, now: Callable[[], datetime]) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


def _still_running(response: httpx.Response) -> bool:
    """The service's 409 for a retry whose first request (same key) has not answered yet."""
    if response.status_code != 409:
        return False
    try:
        detail = response.json().get("detail") or ""
    except (ValueError, AttributeError):
        return False
    return IDEMPOTENCY_HEADER in str(detail)


class ServiceClient:
    """One service's API at ``base_url`` (e.g. ``https://api.example.org/survey``)."""

    def __init__(
        self,
        base_url: str,
        tokens: ClientCredentials,
        *,
        http: httpx.AsyncClient,
        retry: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.http = http
        self.retry = retry
        self._sleep = sleep
        self._rng = rng
        self._now = now

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send with retries; the last answer, whatever its status (``send`` raises)."""
        method = method.upper()
        sent_headers = dict(headers or {})
        if method in WRITE_METHODS:
            key = idempotency_key or sent_headers.get(IDEMPOTENCY_HEADER) or str(uuid.uuid4())
            sent_headers[IDEMPOTENCY_HEADER] = key
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            token = await self.tokens.access_token()
            try:
                response = await self.http.request(
                    method,
                    url,
                    params=query,
                    json=json,
                    headers={**sent_headers, "Authorization": f"Bearer {token}"},
                )
            except (httpx.TransportError, httpx.TimeoutException):
                if attempt >= self.retry.max_attempts:
                    raise
                await self._sleep(self.retry.backoff(attempt, self._rng))
                continue
            if response.status_code == 401 and not refreshed:
                # Expired early, revoked, or the issuer rotated its key: a new token, once.
                refreshed = True
                self.tokens.invalidate(token)
                attempt -= 1
                continue
            retryable = response.status_code in self.retry.retry_statuses or (
                IDEMPOTENCY_HEADER in sent_headers and _still_running(response)
            )
            if not retryable or attempt >= self.retry.max_attempts:
                return response
            wait = retry_after_seconds(response, self._now)
            if wait is None:
                wait = self.retry.backoff(attempt, self._rng)
            await self._sleep(min(wait, self.retry.retry_after_max_seconds))

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """The answer's JSON body (None when empty); ``ApiError`` for 4xx/5xx."""
        response = await self.request(
            method,
            path,
            params=params,
            json=json,
            headers=headers,
            idempotency_key=idempotency_key,
        )
        if response.status_code >= 400:
            raise ApiError(response)
        if not response.content:
            return None
        content_type = response.headers.get("content-type", "")
        return response.json() if "json" in content_type else response.text

    async def get(self, path: str, *, params: Params | None = None) -> Any:
        return await self.send("GET", path, params=params)

    async def post(self, path: str, json: Any = None, *, idempotency_key: str | None = None) -> Any:
        return await self.send("POST", path, json=json, idempotency_key=idempotency_key)

    async def put(self, path: str, json: Any = None, *, idempotency_key: str | None = None) -> Any:
        return await self.send("PUT", path, json=json, idempotency_key=idempotency_key)

    async def patch(
        self, path: str, json: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        return await self.send("PATCH", path, json=json, idempotency_key=idempotency_key)

    async def delete(self, path: str, *, idempotency_key: str | None = None) -> Any:
        return await self.send("DELETE", path, idempotency_key=idempotency_key)

    async def pages(
        self, path: str, *, params: Params | None = None, max_pages: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Each page of a list (``{"items": [...], "next_cursor": ...}``), following
        ``next_cursor`` as ``?cursor=`` with the same other parameters."""
        query: dict[str, str | int | float | bool | None] = dict(params or {})
        query.pop("cursor", None)
        cursor = (params or {}).get("cursor")
        seen = 0
        while True:
            page = await self.get(path, params={**query, "cursor": cursor})
            if not isinstance(page, dict):
                raise TypeError(f"{path} did not answer a page (an object with items)")
            yield page
            seen += 1
            cursor = page.get("next_cursor")
            if not cursor or (max_pages is not None and seen >= max_pages):
                return

    async def items(self, path: str, *, params: Params | None = None) -> AsyncIterator[Any]:
        """Every item of a list, across its pages."""
        async for page in self.pages(path, params=params):
            for item in page.get("items") or []:
                yield item


def _query_value(value: str | int | float | bool | None) -> str | int | float:
    if isinstance(value, bool):
        return "true" if value else "false"
    assert value is not None
    return value


class BaanClient:
    """The partner's client of the Baan services::

        async with BaanClient(
            token_url="https://id.example.org/realms/baan/protocol/openid-connect/token",
            client_id="bangkok-office",
            client_secret=os.environ["BAAN_CLIENT_SECRET"],
            base_urls={"survey": "https://api.example.org/survey"},
        ) as baan:
            created = await baan.survey.post("/v1/households", {...})
            async for household in baan.survey.items("/v1/households", params={"limit": 100}):
                ...

    ``base_urls`` names each service's URL (any of survey, construction, finance,
    reporting); a service without one raises when used.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        base_urls: Mapping[str, str],
        scope: str | None = None,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        unknown = set(base_urls) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}; known: {list(SERVICES)}")
        self.http = httpx.AsyncClient(timeout=timeout_seconds, transport=transport)
        self.tokens = ClientCredentials(
            token_url, client_id, client_secret, scope=scope, http=self.http
        )
        self.retry = retry or RetryPolicy()
        self._services = {
            name: ServiceClient(
                url, self.tokens, http=self.http, retry=self.retry, sleep=sleep, rng=rng
            )
            for name, url in base_urls.items()
        }

    def service(self, name: str) -> ServiceClient:
        try:
            return self._services[name]
        except KeyError:
            raise LookupError(f"no base URL given for the {name} service") from None

    @property
    def survey(self) -> ServiceClient:
        return self.service("survey")

    @property
    def construction(self) -> ServiceClient:
        return self.service("construction")

    @property
    def finance(self) -> ServiceClient:
        return self.service("finance")

    @property
    def reporting(self) -> ServiceClient:
        return self.service("reporting")

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

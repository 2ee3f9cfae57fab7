"""Partner access in tests: one development issuer, tokens, clients, and route walks.

Every service's tests reach their app the way a partner does, with a bearer token.
The pieces they share live here, in one importable module: tests run with
``--import-mode=importlib`` and every service's test folder on the path, so
same-named helper modules in two services would shadow each other.

- ``session_issuer()``: the one ``DevIssuer`` of this test process (also the
  ``test_issuer`` fixture of the ``baan`` plugin). Module-level helpers that
  open clients of their own use it outside any fixture.
- ``auth_settings(issuer, **overrides)``: ``AuthSettings`` trusting that issuer's
  key set, handed over without HTTP.
- ``token_headers(issuer, client_id, scopes, areas)``: the ``Authorization`` header.
- ``client_factory(app, base_url, issuer)``: a ``ClientFor``, opening ASGI clients
  of the app that send a token for a client id, scopes and areas.
- ``answers_past_the_limit(app, base_url, headers, path, requests)``: one client's
  answers to GETs sent one after another, for rate-limit tests.
- ``served_operations(app)``: every (method, path) the app answers, OpenAPI or not.
- ``refusal_without(client_for, method, url, needed)``: how an operation answers
  a client holding every scope but the ones it needs.
- ``integers_in_requests(app)`` / ``unbounded_integers(app)``: every integer a
  request carries, and those without an upper bound.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, NamedTuple

import httpx
from fastapi import FastAPI

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import ADMIN, SCOPES

ClientFor = Callable[
    [str, Sequence[str], Sequence[str]], AbstractAsyncContextManager[httpx.AsyncClient]
]
"""Opens a client sending a token for ``(client_id, scopes, areas)``."""


@functools.cache
def session_issuer() -> DevIssuer:
    """The test process's one issuer: generating an RSA key per test would be slow,
    and apps built outside fixtures must trust the same key as the fixtures' clients."""
    return DevIssuer()


def auth_settings(issuer: DevIssuer, **overrides: Any) -> AuthSettings:
    """The service trusts the test issuer's key set, handed over without HTTP."""
    return AuthSettings(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks_json=json.dumps(issuer.jwks()),
        **overrides,
    )


def token_headers(
    issuer: DevIssuer, client_id: str, scopes: Sequence[str], areas: Sequence[str]
) -> dict[str, str]:
    """The ``Authorization`` header of a partner holding these scopes in these areas."""
    return {"Authorization": f"Bearer {issuer.mint_token(client_id, scopes, areas)}"}


def asgi_client(
    app: FastAPI, base_url: str, headers: dict[str, str] | None = None
) -> httpx.AsyncClient:
    """A client calling the app in-process (no server); without headers, anonymous."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=base_url, headers=headers
    )


def client_factory(app: FastAPI, base_url: str, issuer: DevIssuer) -> ClientFor:
    """A ``ClientFor`` of the app: each client sends a token for ``client_id`` with
    these scopes and areas."""

    @asynccontextmanager
    async def open_client(
        client_id: str, scopes: Sequence[str], areas: Sequence[str]
    ) -> AsyncIterator[httpx.AsyncClient]:
        headers = token_headers(issuer, client_id, scopes, areas)
        async with asgi_client(app, base_url, headers) as http:
            yield http

    return open_client


async def answers_past_the_limit(
    app: FastAPI, base_url: str, headers: dict[str, str], path: str, requests: int
) -> list[httpx.Response]:
    """Starts the app (its lifespan, as a server would) and sends ``requests`` GETs to
    ``path`` as one client, in order, so a test sees where its rate limit begins."""
    async with app.router.lifespan_context(app), asgi_client(app, base_url, headers) as http:
        return [await http.get(path) for _ in range(requests)]


def served_operations(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route the app answers, walked from ``app.routes`` so that
    a route left out of the OpenAPI document is not left out here."""
    found = []
    for route in app.routes:
        # FastAPI 0.16x keeps each included router as one route whose contexts are its
        # endpoints (with the prefix in their path); older versions list the routes flat.
        contexts = getattr(route, "effective_route_contexts", lambda r=route: [r])()
        for context in contexts:
            original = getattr(context, "original_route", context)
            for method in getattr(original, "methods", None) or ():
                if method != "HEAD":
                    found.append((method, context.path))
    return sorted(found)


class Refusal(NamedTuple):
    """What an operation answered a client lacking its scopes."""

    status: int
    content_type: str
    missing_scopes: list[str]


async def refusal_without(
    client_for: ClientFor, method: str, url: str, needed: Sequence[str], **request: Any
) -> Refusal:
    """Calls the operation as a client holding every scope in the catalogue but
    ``needed`` (and ``admin``, which widens areas), in all areas. A route that
    enforces its scopes answers ``Refusal(403, "application/problem+json", needed)``
    before reading or validating anything, so ``url`` may carry made-up ids."""
    others = [scope for scope in SCOPES if scope not in needed and scope != ADMIN]
    async with client_for("everything-else", others, ["*"]) as partner:
        response = await partner.request(method, url, **request)
    body = response.json() if response.content else {}
    missing = body.get("missing_scopes", []) if isinstance(body, dict) else []
    return Refusal(response.status_code, response.headers.get("content-type", ""), missing)


def integers_in_requests(app: FastAPI) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every integer a request carries: parameters and bodies, nested
    objects and lists included, e.g. ``PUT /v1/... body.milestones.N.percent``."""
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str]) -> Iterator[Any]:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                yield from walk(components[name], where, seen | {name})
            return
        for combinator in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(combinator, []):
                yield from walk(option, where, seen)
        if schema.get("type") == "integer":
            yield where, schema
        for name, child in schema.get("properties", {}).items():
            yield from walk(child, f"{where}.{name}", seen)
        if isinstance(schema.get("items"), dict):
            yield from walk(schema["items"], f"{where}.N", seen)
        if isinstance(schema.get("additionalProperties"), dict):
            yield from walk(schema["additionalProperties"], f"{where}.*", seen)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation_name = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{operation_name} {parameter['in']}.{parameter['name']}"
                yield from walk(parameter.get("schema", {}), where, frozenset())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield from walk(media.get("schema", {}), f"{operation_name} body", frozenset())


def unbounded_integers(app: FastAPI) -> list[str]:
    """Where a request carries an integer with no upper bound: a number too large to
    store would reach the database (a 500) instead of being a 422 naming the field."""
    return [
        where
        for where, schema in integers_in_requests(app)
        if "maximum" not in schema and "exclusiveMaximum" not in schema
    ]

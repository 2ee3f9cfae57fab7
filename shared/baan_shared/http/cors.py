"""CORS for browser clients on other origins (a partner's web app, an internal frontend).

Off unless ``CORS_ALLOWED_ORIGINS`` names origins (unprefixed, like the Kafka
address: one list for the whole platform), as a comma-separated list or a JSON
array, e.g. ``CORS_ALLOWED_ORIGINS=https://app.example.org,http://localhost:5173``.
With none, the services send no CORS headers at all and browsers refuse every
cross-origin call, as before.

Browsers authenticate with ``Authorization: Bearer`` (no cookies), so
credentials are not allowed: a token is sent only by a script that holds it.
A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered by
the middleware itself, before routing: it needs no token, is not rate-limited
(the limiter counts authenticated clients) and is not audited (not a write).
"""

import json
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

ALLOW_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# What a browser script may send: the token, JSON bodies, the idempotency key,
# and the caller's trace context and request id.
ALLOW_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "traceparent")
# What a browser script may read besides the CORS-safelisted response headers.
EXPOSE_HEADERS = (
    "Location",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "traceparent",
    "Idempotent-Replayed",
    "WWW-Authenticate",
    "Server-Timing",
)
# How long a browser may cache a preflight's answer.
MAX_AGE_SECONDS = 600


def parse_origins(value: object) -> list[str]:
    """``CORS_ALLOWED_ORIGINS`` as a list: a JSON array or comma-separated origins,
    each ``scheme://host[:port]`` (a trailing slash is dropped; a path is refused)."""
    if value is None:
        return []
    items: Iterable[object]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            loaded = json.loads(text)
            if not isinstance(loaded, list):
                raise ValueError("CORS_ALLOWED_ORIGINS must be a JSON array or comma-separated")
            items = loaded
        else:
            items = text.split(",")
    elif isinstance(value, Iterable):
        items = value
    else:
        raise ValueError("CORS_ALLOWED_ORIGINS must be a list of origins")
    origins: list[str] = []
    for item in items:
        origin = str(item).strip().rstrip("/")
        if not origin:
            continue
        if origin == "*":
            raise ValueError(
                "CORS_ALLOWED_ORIGINS='*' is refused: name the origins that may call the API"
            )
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ValueError(
                f"CORS origin {origin!r} is not scheme://host[:port] (e.g. https://app.example.org)"
            )
        if origin not in origins:
            origins.append(origin)
    return origins


def install_cors(app: FastAPI, allowed_origins: Sequence[str]) -> None:
    """Answer preflights and add the CORS headers for ``allowed_origins``; none: nothing.

    Call it after the app's other middleware is added, so it wraps them (their
    answers, including errors, carry the headers too)."""
    if not allowed_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(allowed_origins),
        allow_methods=list(ALLOW_METHODS),
        allow_headers=list(ALLOW_HEADERS),
        expose_headers=list(EXPOSE_HEADERS),
        allow_credentials=False,
        max_age=MAX_AGE_SECONDS,
    )

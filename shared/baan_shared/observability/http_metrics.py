"""HTTP metrics: requests answered and their duration, per route template.

The ``handler`` label is the route FastAPI matched (``/v1/households/{household_id}``),
read from the request's scope once routing is done; ``none`` when no route matched.
prometheus-fastapi-instrumentator, used before, matched every request against the
app's routes a second time to name it and built a response object per request: a
few per cent of a short request's CPU (issue 17's profile). Same metric names and
labels, so the alerts and the dashboard read them unchanged.
"""

import time

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by route template and status class (2xx, 4xx, 5xx)",
    ["method", "handler", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer",
    ["method", "handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

UNMATCHED = "none"
"""The handler label of a request no route matched (a 404 for an unknown path)."""

NOT_MEASURED = ("/metrics", "/health/")
"""Scrapes and probes: frequent, and not what the service is for."""


class HttpMetrics:
    """Counts each answered request and observes its duration (plain ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NOT_MEASURED):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            # Routing put the matched route in this same scope.
            handler = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"]
            HTTP_REQUESTS.labels(method, handler, f"{status // 100}xx").inc()
            HTTP_REQUEST_DURATION.labels(method, handler).observe(time.perf_counter() - started)


async def metrics_endpoint(_request: Request) -> Response:
    """``GET /metrics``: every metric of the process, in Prometheus' text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

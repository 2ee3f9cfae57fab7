"""The service chassis: one call assembles a Baan service's FastAPI app.

``create_service_app`` wires what every service shares: settings, the
database, migrations in development, the outbox relay, the event consumer,
problem+json errors, health, metrics, trace context and JSON logs. A
service's own ``main.py`` only names its routers and subscriptions.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from prometheus_client import Gauge
from sqlalchemy import inspect, text
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baan_shared.bus.access import SERVICE_ACCESS
from baan_shared.bus.admin import ensure_topics
from baan_shared.bus.consumer import AfterCommitHook, EventConsumer
from baan_shared.bus.security import KafkaSecurity
from baan_shared.collector import freeze_start_up_objects
from baan_shared.db import create_engine, create_session_factory
from baan_shared.events.subscriptions import Subscriptions
from baan_shared.events.topics import dead_letter_topic
from baan_shared.http import health
from baan_shared.http.cors import install_cors
from baan_shared.http.errors import document_validation_errors_as_problems, install_error_handlers
from baan_shared.http.idempotency import IdempotencyKey, purge_expired
from baan_shared.migrations import upgrade_to_head
from baan_shared.observability.http_metrics import HttpMetrics, metrics_endpoint
from baan_shared.observability.logging import configure_logging
from baan_shared.observability.tracing import (
    configure_tracing,
    current_traceparent,
    shutdown_tracing,
)
from baan_shared.outbox.relay import OutboxRelay
from baan_shared.settings import ServiceSettings

log = logging.getLogger(__name__)

# Each readiness check's last answer (the probe asks every few seconds): the
# BaanServiceNotReady alert names the failing check.
READINESS_CHECK = Gauge(
    "baan_readiness_check_ok",
    "1 when the readiness check passed at the last probe, 0 when it failed",
    ["service", "check"],
)


class ServiceRuntime:
    """What runs inside one service process beside the HTTP API."""

    def __init__(
        self,
        *,
        name: str,
        settings: ServiceSettings,
        migrations: str | None,
        subscriptions: Subscriptions | None,
        after_db_commit: AfterCommitHook | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.migrations = migrations
        self.subscriptions = subscriptions
        # What the service publishes is what it owns by the Kafka ACLs (one table,
        # baan_shared.bus.access), never a second list that could drift from it.
        access = SERVICE_ACCESS.get(name)
        self.produces: tuple[str, ...] = access.produces if access is not None else ()
        self.engine = create_engine(settings.database_url)
        self.session_factory = create_session_factory(self.engine)
        # The same pool in autocommit, for one-statement reads (http.deps.ReadSessionDep).
        self.read_session_factory = create_session_factory(
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        # The service's own Kafka user, for every client it opens.
        self.kafka_security = KafkaSecurity.from_settings(settings)
        # A service that publishes nothing (reporting) has no outbox to drain.
        self.relay: OutboxRelay | None = None
        if self.produces:
            self.relay = OutboxRelay(
                service=name,
                engine=self.engine,
                session_factory=self.session_factory,
                bootstrap_servers=settings.kafka_bootstrap_servers,
                batch_size=settings.relay_batch_size,
                idle_seconds=settings.relay_idle_seconds,
                security=self.kafka_security,
            )
        self.consumer: EventConsumer | None = None
        if subscriptions is not None and subscriptions.handlers:
            self.consumer = EventConsumer(
                name=name,
                bootstrap_servers=settings.kafka_bootstrap_servers,
                subscriptions=subscriptions,
                session_factory=self.session_factory,
                max_attempts=settings.consumer_max_attempts,
                retry_backoff_seconds=settings.consumer_retry_backoff_seconds,
                after_db_commit=after_db_commit,
                wrote=self.wake_relay,
                group_id=settings.consumer_group,
                max_batch=settings.consumer_max_batch,
                concurrent_partitions=(
                    1
                    if self.engine.dialect.name == "sqlite"
                    else settings.consumer_concurrent_partitions
                ),
                security=self.kafka_security,
            )
        self._topics_task: asyncio.Task[None] | None = None
        self._housekeeping_task: asyncio.Task[None] | None = None

    def topics(self) -> list[str]:
        # Only a stream's owner may create it, so the owner must.
        names = set(self.produces)
        if self.subscriptions is not None:
            for topic in self.subscriptions.topics:
                names.add(topic)
                names.add(dead_letter_topic(topic, self.name))
        return sorted(names)

    async def start(self) -> None:
        if self.migrations and self.settings.auto_migrate:
            await asyncio.to_thread(
                upgrade_to_head, self.name, self.settings.database_url, self.migrations
            )
        if self.settings.create_topics:
            # In the background: the API must serve (and the outbox fill) while Kafka is away.
            self._topics_task = asyncio.create_task(self._create_topics_then_consume())
        elif self.consumer and self.settings.consumer_enabled:
            self.consumer.start()
        if self.relay is not None and self.settings.relay_enabled:
            self.relay.start()
        self._housekeeping_task = asyncio.create_task(self._housekeeping())

    async def _housekeeping(self) -> None:
        """Reclaim the space of expired Idempotency-Key answers, hourly by default (they
        are already ignored when a key is used again; this keeps the table small). Every
        replica does it; deleting what another replica deleted is harmless."""
        while True:
            await asyncio.sleep(self.settings.idempotency_purge_interval_seconds)
            try:
                async with self.session_factory() as session:
                    connection = await session.connection()
                    if not await connection.run_sync(
                        lambda c: inspect(c).has_table(IdempotencyKey.__tablename__)
                    ):
                        return  # a service without idempotent writes (no such table)
                    purged = await purge_expired(session)
                    await session.commit()
                if purged:
                    log.info("expired idempotency keys purged", extra={"keys": purged})
            except Exception as exc:  # the database away: try again next time
                log.warning("idempotency purge failed", extra={"error": str(exc)})

    async def _create_topics_then_consume(self) -> None:
        delay = 0.5
        while True:
            try:
                await ensure_topics(
                    self.settings.kafka_bootstrap_servers,
                    self.topics(),
                    self.settings.topic_partitions,
                    replication_factor=self.settings.topic_replication_factor,
                    security=self.kafka_security,
                )
                break
            except Exception as exc:
                log.warning("cannot create topics yet", extra={"error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        if self.consumer and self.settings.consumer_enabled:
            self.consumer.start()

    async def stop(self) -> None:
        if self._housekeeping_task is not None:
            self._housekeeping_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._housekeeping_task
        if self._topics_task is not None:
            self._topics_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._topics_task
        if self.consumer is not None:
            await self.consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.engine.dispose()

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def readiness(self) -> dict[str, dict[str, Any]]:
        checks: dict[str, dict[str, Any]] = {}
        try:
            async with self.engine.connect() as connection:
                await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=5)
            checks["database"] = {"ok": True}
        except Exception as exc:
            checks["database"] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
            READINESS_CHECK.labels(self.name, "database").set(0)
            return checks
        if self.relay is not None and self.settings.relay_enabled:
            pending, oldest = await self.relay.backlog()
            stuck = oldest > self.settings.outbox_stuck_after_seconds
            checks["outbox"] = {
                "ok": not stuck,
                "pending": pending,
                "oldest_pending_seconds": round(oldest, 1),
                "detail": self.relay.last_error,
            }
        if self.consumer is not None and self.settings.consumer_enabled:
            ok, detail = self.consumer.health(self.settings.consumer_stuck_after_seconds)
            checks["consumer"] = {"ok": ok, "detail": detail}
        for check, result in checks.items():
            READINESS_CHECK.labels(self.name, check).set(1 if result["ok"] else 0)
        return checks


class RootPath:
    """Serve under the path prefix the service is published under (``root_path``):
    the OpenAPI ``servers`` and the docs carry it, and routing accepts paths with or
    without it (Starlette strips a leading root_path), so the gateway may keep the
    prefix or strip it and probes need none. (FastAPI's own ``root_path`` argument is
    deprecated in favour of the server's; this keeps it in the service's settings.)"""

    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["root_path"] = self.root_path
        await self.app(scope, receive, send)


def _prefix_location(root_path: str, headers: MutableHeaders) -> None:
    """A Location the service wrote as an absolute path (``/v1/...``) gets the path
    prefix the service is published under, so a client behind the gateway can follow it."""
    location = headers.get("location")
    if (
        root_path
        and location
        and location.startswith("/")
        and not location.startswith("//")
        and not location.startswith(root_path + "/")
    ):
        headers["location"] = root_path + location


class TraceContext:
    """Every answer carries its ``traceparent`` (callers learn the trace id to quote),
    ``Server-Timing`` and a Location with the path prefix.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware
    runs the app in a task group and streams its body through a memory channel, which
    cost more than everything else this middleware does (issue 17's profile).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Runs inside OpenTelemetry's server span.
        traceparent = current_traceparent()
        started = time.perf_counter()

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if traceparent:
                    headers["traceparent"] = traceparent
                _prefix_location(scope.get("root_path", ""), headers)
                headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            await send(message)

        await self.app(scope, receive, send_with_context)


def _not_traced(scope: Scope) -> bool:
    """Probes and scrapes: frequent, and not what a trace reader looks for."""
    path: str = scope.get("path", "")
    return "/health/" in path or path.endswith("/metrics")


# One server span per request, named "<METHOD> <route template>" once routing has
# chosen the route, by FastAPI's own OpenTelemetry support. It replaced
# opentelemetry-instrumentation-fastapi, which matched every request against every
# route a second time to name its span, and wrapped the app in three more layers
# (issue 17's profile). No spans per dependency, endpoint and serialisation, as
# before; HTTP metrics are Prometheus' (observability.http_metrics), and logs go
# through the logging module, so FastAPI's OpenTelemetry metrics and logs stay off.
TELEMETRY: TelemetryConfig = {
    "tracing": True,
    "operation_spans": False,
    "metrics": False,
    "logs": False,
    "auto_configure": False,
    "exclude": _not_traced,
}


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    version: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    migrations: str | None,
    subscriptions: Subscriptions | None = None,
    after_db_commit: AfterCommitHook | None = None,
) -> FastAPI:
    configure_logging(name, settings.log_level, settings.log_json)
    configure_tracing(name)
    runtime = ServiceRuntime(
        name=name,
        settings=settings,
        migrations=migrations,
        subscriptions=subscriptions,
        after_db_commit=after_db_commit,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        freeze_start_up_objects()
        log.info("service started", extra={"database": runtime.engine.url.render_as_string()})
        try:
            yield
        finally:
            await runtime.stop()
            shutdown_tracing()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        telemetry=TELEMETRY,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    document_validation_errors_as_problems(app)

    app.add_middleware(TraceContext)

    app.include_router(health.router)
    for router in routers:
        app.include_router(router)
    # Outside the chassis' middleware: preflights are answered before routing and auth.
    install_cors(app, settings.cors_allowed_origins)
    app.add_middleware(HttpMetrics)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    if settings.root_path:
        # Outermost (added last), so the metrics' handler labels see the prefix stripped.
        app.add_middleware(RootPath, root_path=settings.root_path)
    return app

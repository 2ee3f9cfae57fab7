"""Every write (POST/PUT/PATCH/DELETE) by an authenticated client leaves an
audit row, whatever its outcome: a refused write (403, 404, 409, 422) is as
much worth knowing as an accepted one.

The row is committed before the response starts, after the request's unit of
work has committed (``SessionDep`` commits before the response), so a client
never holds an answer that has no audit row. Rows are committed in batches
(group commit): the writes that finish while one batch is being written wait
for the next one, so under load one transaction carries many requests' rows
instead of one each, and an idle service writes a lone row at once.
Requests without a valid token (401) are not audited: they name no client,
and logging them would let anyone fill the table; they go to the app log.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.principal import Principal
from baan_shared.clock import utcnow
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent, trace_id

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RESOURCE_KEY = "audit_resource"


def audit_resource(request: Request, resource_type: str, resource_id: object) -> None:
    """Name the record a write acted on, when the path does not (e.g. a POST
    that creates one: call it with the new id)."""
    request.state.audit_resource = (resource_type, str(resource_id))


def _resource_from_route(scope: Scope) -> tuple[str | None, str | None]:
    """``/v1/households/{household_id}/approve`` → ("households", <household_id>)."""
    route = scope.get("route")
    template: str = getattr(route, "path", None) or scope.get("path", "")
    segments = [s for s in template.split("/") if s]
    if segments and segments[0].startswith("v") and segments[0][1:].isdigit():
        segments = segments[1:]
    resource_type = segments[0] if segments and not segments[0].startswith("{") else None
    path_params: dict[str, Any] = scope.get("path_params") or {}
    resource_id = next(
        (str(value) for name, value in path_params.items() if name == "id" or name.endswith("_id")),
        None,
    )
    return resource_type, resource_id


class AuditWritesMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        session_factory: Callable[[], async_sessionmaker[AsyncSession]],
    ) -> None:
        self.app = app
        # A callable, so the middleware can be added before the service's
        # runtime (and its session factory) exists.
        self.session_factory = session_factory
        # Rows waiting for the next batch, each with the future its request awaits.
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        audited = False

        async def send_after_audit(message: Message) -> None:
            nonlocal audited
            if message["type"] == "http.response.start" and not audited:
                audited = True
                await self._audit(scope, message["status"], message.get("headers") or [])
            await send(message)

        try:
            await self.app(scope, receive, send_after_audit)
        except BaseException:
            if not audited:
                audited = True
                await self._audit(scope, 500, [])
            raise

    async def _audit(
        self, scope: Scope, status: int, response_headers: list[tuple[bytes, bytes]]
    ) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        principal = state.get("principal")
        if not isinstance(principal, Principal):
            return
        resource_type, resource_id = state.get(_RESOURCE_KEY) or _resource_from_route(scope)
        route = scope.get("route")
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:128] or None
        # The service's trace middleware may run inside this one, where its
        # context is out of reach; the traceparent it put on the response is not.
        traceparent = (
            dict(response_headers).get(b"traceparent", b"").decode("latin-1")
            or headers.get(b"traceparent", b"").decode("latin-1")
            or current_traceparent()
        )
        row = {
            "id": new_id(),
            "at": utcnow(),
            "client_id": principal.client_id,
            "subject": principal.subject,
            "action": str(getattr(route, "name", None) or f"{scope['method']} {scope['path']}")[
                :128
            ],
            "method": scope["method"],
            "path": scope["path"][:1024],
            "resource_type": resource_type[:64] if resource_type else None,
            "resource_id": resource_id[:128] if resource_id else None,
            "status": status,
            "pii_read": False,
            "request_id": request_id,
            "trace_id": trace_id(traceparent),
        }
        loop = asyncio.get_running_loop()
        written = loop.create_future()
        writer = self._writer
        if writer is not None and writer.get_loop() is not loop:
            # The app moved to another event loop (tests do): what waited on the old one is gone.
            self._pending = [(r, f) for r, f in self._pending if f.get_loop() is loop]
            writer = None
        self._pending.append((row, written))
        if writer is None or writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        # Shielded: a client that hangs up does not take its row out of the batch.
        await asyncio.shield(written)

    async def _write_pending(self) -> None:
        """Commit every waiting row, batch after batch, until none is left."""
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self.session_factory()() as session:
                    connection = await session.connection()
                    await connection.execute(insert(AuditRecord.__table__), [r for r, _ in batch])
                    await session.commit()
            except Exception:
                # The writes themselves have committed; losing their audit rows is
                # serious but must not turn the clients' successes into errors they
                # would retry.
                log.exception(
                    "audit rows not written",
                    extra={
                        "rows": len(batch),
                        "client_ids": sorted({r["client_id"] for r, _ in batch}),
                        "paths": sorted({r["path"] for r, _ in batch})[:20],
                    },
                )
            for _, written in batch:
                if not written.done():
                    written.set_result(None)

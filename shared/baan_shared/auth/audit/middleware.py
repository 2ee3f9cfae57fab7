"""Every write (POST/PUT/PATCH/DELETE) by an authenticated client leaves an
audit row, whatever its outcome: a refused write (403, 404, 409, 422) is as
much worth knowing as an accepted one.

The row is written in its own transaction just before the response starts,
after the request's unit of work has committed (``SessionDep`` commits before
the response), so a client never holds an answer that has no audit row.
Requests without a valid token (401) are not audited: they name no client,
and logging them would let anyone fill the table; they go to the app log.
"""

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.principal import Principal
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
        record = AuditRecord(
            client_id=principal.client_id,
            subject=principal.subject,
            action=str(getattr(route, "name", None) or f"{scope['method']} {scope['path']}")[:128],
            method=scope["method"],
            path=scope["path"][:1024],
            resource_type=resource_type[:64] if resource_type else None,
            resource_id=resource_id[:128] if resource_id else None,
            status=status,
            pii_read=False,
            request_id=request_id,
            trace_id=trace_id(traceparent),
        )
        try:
            async with self.session_factory()() as session:
                session.add(record)
                await session.commit()
        except Exception:
            # The write itself has committed; losing its audit row is serious but
            # must not turn the client's success into an error it would retry.
            log.exception(
                "audit row not written",
                extra={"client_id": principal.client_id, "path": scope["path"]},
            )

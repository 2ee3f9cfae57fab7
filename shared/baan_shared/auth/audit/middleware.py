"""Every write (POST/PUT/PATCH/DELETE) by an authenticated client leaves an
audit row, whatever its outcome: a refused write (403, 404, 409, 422) is as
much worth knowing as an accepted one.

A write that succeeds through the request's unit of work (``SessionDep``) has
its row inserted in that same transaction, just before it commits
(``audit_in_transaction``): the change and its audit row stand or fall together,
and no second transaction is spent on the row. Every other outcome (a refused
write, an error, a write without ``SessionDep``) has its row committed by this
middleware before the response starts, in batches (group commit): the rows that
come while one batch is being written wait for the next one, so under load one
transaction carries many requests' rows, and an idle service writes a lone row at
once. Either way a client never holds an answer that has no audit row.
Requests without a valid token (401) are not audited: they name no client,
and logging them would let anyone fill the table; they go to the app log.
"""

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baan_shared.auth.audit.writer import AuditBatch, add_rows_at_commit
from baan_shared.auth.principal import Principal
from baan_shared.clock import utcnow
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent, trace_id

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RESOURCE_KEY = "audit_resource"
# Set by the middleware on the writes it audits: the unit of work may write the row.
_AUDITED_KEY = "audit_writes"
# Set by the unit of work once its transaction, audit row included, has committed.
_COMMITTED_KEY = "audit_committed"


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


def audit_row(scope: Scope, status: int, traceparent: str = "") -> dict[str, Any] | None:
    """The audit row of a write that answered ``status``, or None when no client is
    known (a request without a valid token)."""
    state: dict[str, Any] = scope.get("state") or {}
    principal = state.get("principal")
    if not isinstance(principal, Principal):
        return None
    resource_type, resource_id = state.get(_RESOURCE_KEY) or _resource_from_route(scope)
    route = scope.get("route")
    headers = dict(scope.get("headers") or [])
    request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:128] or None
    traceparent = (
        traceparent or headers.get(b"traceparent", b"").decode("latin-1") or current_traceparent()
    )
    return {
        "id": new_id(),
        "at": utcnow(),
        "client_id": principal.client_id,
        "subject": principal.subject,
        "action": str(getattr(route, "name", None) or f"{scope['method']} {scope['path']}")[:128],
        "method": scope["method"],
        "path": scope["path"][:1024],
        "resource_type": resource_type[:64] if resource_type else None,
        "resource_id": resource_id[:128] if resource_id else None,
        "status": status,
        "pii_read": False,
        "request_id": request_id,
        "trace_id": trace_id(traceparent),
    }


async def audit_in_transaction(
    session: AsyncSession, request: Request, response: Response
) -> Callable[[], None] | None:
    """Before a write's unit of work commits: its audit row, in its transaction, with
    the status it is about to answer (the one the endpoint set, else its route's).
    Returns what to call once the commit succeeded (the middleware then writes no
    row); None when the middleware does not audit this request."""
    scope = request.scope
    state: dict[str, Any] = scope.get("state") or {}
    if not state.get(_AUDITED_KEY) or state.get(_COMMITTED_KEY) is not None:
        return None
    status = response.status_code or getattr(scope.get("route"), "status_code", None) or 200
    row = audit_row(scope, status)
    if row is None:
        return None
    # In the commit's own INSERT, with any personal-data reads of the request.
    await add_rows_at_commit(session, [row])

    def committed() -> None:
        state[_COMMITTED_KEY] = (row["id"], status)

    return committed


class AuditWritesMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        session_factory: Callable[[], async_sessionmaker[AsyncSession]],
        batch: AuditBatch | None = None,
    ) -> None:
        self.app = app
        # Group-committed rows: shared with the app's reads of personal data outside
        # a transaction when install_partner_access made one (``app.state.audit_batch``).
        self.batch = batch or AuditBatch(session_factory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[_AUDITED_KEY] = True
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
        committed: tuple[Any, int] | None = state.get(_COMMITTED_KEY)
        if committed is not None and committed[1] == status:
            return  # its row committed with the write
        # Otherwise (no row yet, or the answer sent is not the one the committed row
        # says, e.g. an error after the commit): a row for what the client got. The
        # table is append-only, so a committed row is never corrected, only followed.
        # The service's trace middleware may run inside this one, where its
        # context is out of reach; the traceparent it put on the response is not.
        traceparent = dict(response_headers).get(b"traceparent", b"").decode("latin-1")
        row = audit_row(scope, status, traceparent)
        if row is None:
            return
        await self.batch.write([row], must_succeed=False)

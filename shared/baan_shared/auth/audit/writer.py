"""Writing audit rows: by the middleware for writes, by an explicit call for
reads of personal data.

Rows written in a request's own transaction (a read of personal data, a write's
row from ``audit_in_transaction``) wait on the session until it commits and go in
with one INSERT just before the commit: a registration that reveals the ID it
registered writes its two rows in one statement, not two. They stand or fall with
the transaction as before: a rollback drops them, and a session closed without a
commit never writes them (before, they were inserted and then rolled back).
"""

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import Request
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.principal import Principal
from baan_shared.clock import utcnow
from baan_shared.errors import AppError
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent, trace_id

log = logging.getLogger(__name__)

_PENDING = "baan_audit_rows"


class AuditUnavailable(AppError):
    """Audit rows that had to be written before the answer could not be: the answer
    (personal data) is not given; the client may retry."""

    status = 503
    code = "audit-unavailable"
    title = "Service unavailable"


class AuditBatch:
    """Audit rows committed in batches of their own (group commit): the rows that come
    while one batch is being written wait for the next, so under load one transaction
    carries many requests' rows and an idle service writes a lone row at once. Each
    caller waits until its rows are committed.

    ``must_succeed`` rows (personal data about to be shown) fail their caller when
    they cannot be written; the others (a write that already committed) are logged
    and their callers go on: losing a row is serious, but turning a committed
    success into an error the client would retry is worse.
    """

    def __init__(self, session_factory: Callable[[], async_sessionmaker[AsyncSession]]) -> None:
        # A callable, so the batch can be made before the service's runtime (and its
        # session factory) exists.
        self.session_factory = session_factory
        self._pending: list[tuple[list[dict[str, Any]], asyncio.Future[None], bool]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, rows: list[dict[str, Any]], *, must_succeed: bool) -> None:
        if not rows:
            return
        loop = asyncio.get_running_loop()
        written = loop.create_future()
        writer = self._writer
        if writer is not None and writer.get_loop() is not loop:
            # The app moved to another event loop (tests do): what waited on the old one is gone.
            self._pending = [p for p in self._pending if p[1].get_loop() is loop]
            writer = None
        self._pending.append((rows, written, must_succeed))
        if writer is None or writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        # Shielded: a client that hangs up does not take its rows out of the batch.
        await asyncio.shield(written)

    async def _write_pending(self) -> None:
        """Commit every waiting row, batch after batch, until none is left."""
        while self._pending:
            batch, self._pending = self._pending, []
            rows = [row for rows, _, _ in batch for row in rows]
            error: Exception | None = None
            try:
                async with self.session_factory()() as session:
                    # One multi-row INSERT is atomic by itself: no BEGIN and COMMIT
                    # round trips around it.
                    connection = await session.connection(
                        execution_options={"isolation_level": "AUTOCOMMIT"}
                    )
                    await connection.execute(insert(AuditRecord.__table__), rows)
            except Exception as exc:
                error = exc
                log.exception(
                    "audit rows not written",
                    extra={
                        "rows": len(rows),
                        "client_ids": sorted({r["client_id"] for r in rows}),
                        "paths": sorted({r["path"] for r in rows})[:20],
                    },
                )
            for _, written, must_succeed in batch:
                if written.done():
                    continue
                if error is not None and must_succeed:
                    written.set_exception(
                        AuditUnavailable("the audit log cannot be written now; retry")
                    )
                else:
                    written.set_result(None)


def pending_rows(session: AsyncSession) -> list[dict[str, Any]]:
    """The audit rows waiting on ``session`` for its commit, taken off it."""
    rows: list[dict[str, Any]] = session.info.pop(_PENDING, None) or []
    return rows


async def add_rows_at_commit(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Audit rows for ``session``'s transaction, inserted just before it commits."""
    if rows:
        # In a transaction (begun here if none is yet), so its end decides their fate.
        await session.connection()
        session.info.setdefault(_PENDING, []).extend(rows)


@event.listens_for(Session, "before_commit")
def _insert_pending_rows(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        # Sync inside AsyncSession.commit's greenlet, like the flush that follows.
        session.connection().execute(insert(AuditRecord.__table__), rows)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_rows(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # Rolled back or closed without a commit: the rows go with the transaction.
        session.info.pop(_PENDING, None)


def request_id_of(request: Request) -> str | None:
    value = request.headers.get("x-request-id")
    return value[:128] if value else None


async def record_audit(session: AsyncSession, record: AuditRecord) -> AuditRecord:
    session.add(record)
    await session.flush()
    return record


async def record_pii_reads(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    *,
    resource_type: str,
    resource_ids: Iterable[object],
    action: str | None = None,
) -> None:
    """Log that ``principal`` saw personal data of these records, in the request's
    transaction (the read and its audit rows stand or fall together): one row
    per record, so an auditor can ask who saw a given household's ID.

    Call it only when the response carries unmasked data, i.e. the principal
    has ``pii:read``; ``pii.reveals_personal_data`` decides and calls it.
    """
    common = {
        "at": utcnow(),
        "client_id": principal.client_id,
        "subject": principal.subject,
        "action": (action or f"{resource_type}.read")[:128],
        "method": request.method,
        "path": request.url.path[:1024],
        "resource_type": resource_type[:64],
        "status": 200,
        "pii_read": True,
        "request_id": request_id_of(request),
        "trace_id": trace_id(current_traceparent()),
    }
    rows = [
        {"id": new_id(), "resource_id": str(resource_id)[:128], **common}
        for resource_id in resource_ids
    ]
    # Plain rows, no ORM objects to build (this runs on every read of personal data),
    # inserted with the transaction's other audit rows when it commits.
    await add_rows_at_commit(session, rows)


async def record_pii_read(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    *,
    resource_type: str,
    resource_id: object,
    action: str | None = None,
) -> None:
    """``record_pii_reads`` for one record."""
    await record_pii_reads(
        session,
        request,
        principal,
        resource_type=resource_type,
        resource_ids=[resource_id],
        action=action,
    )

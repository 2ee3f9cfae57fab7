"""Writing audit rows: by the middleware for writes, by an explicit call for
reads of personal data.

Rows written in a request's own transaction (a read of personal data, a write's
row from ``audit_in_transaction``) wait on the session until it commits and go in
with one INSERT just before the commit: a registration that reveals the ID it
registered writes its two rows in one statement, not two. They stand or fall with
the transaction as before: a rollback drops them, and a session closed without a
commit never writes them (before, they were inserted and then rolled back).
"""

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from sqlalchemy import event, insert
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.principal import Principal
from baan_shared.clock import utcnow
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent, trace_id

_PENDING = "baan_audit_rows"


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

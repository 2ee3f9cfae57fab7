"""Writing audit rows: by the middleware for writes, by an explicit call for
reads of personal data."""

from collections.abc import Iterable

from fastapi import Request
from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.principal import Principal
from baan_shared.clock import utcnow
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent, trace_id


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
    if rows:
        # Plain rows on the session's connection: one INSERT, no ORM objects to build
        # (this runs on every read of personal data).
        connection = await session.connection()
        await connection.execute(insert(AuditRecord.__table__), rows)


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

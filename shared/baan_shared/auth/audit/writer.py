"""Writing audit rows: by the middleware for writes, by an explicit call for
reads of personal data."""

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.principal import Principal
from baan_shared.observability.tracing import current_traceparent, trace_id


def request_id_of(request: Request) -> str | None:
    value = request.headers.get("x-request-id")
    return value[:128] if value else None


async def record_audit(session: AsyncSession, record: AuditRecord) -> AuditRecord:
    session.add(record)
    await session.flush()
    return record


async def record_pii_read(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    *,
    resource_type: str,
    resource_id: object,
    action: str | None = None,
) -> None:
    """Log that ``principal`` saw personal data of one record, in the request's
    transaction (the read and its audit row stand or fall together).

    Call it only when the response carries unmasked data, i.e. the principal
    has ``pii:read``; use ``pii.reveals_personal_data`` to do both at once.
    """
    await record_audit(
        session,
        AuditRecord(
            client_id=principal.client_id,
            subject=principal.subject,
            action=action or f"{resource_type}.read",
            method=request.method,
            path=request.url.path[:1024],
            resource_type=resource_type[:64],
            resource_id=str(resource_id)[:128],
            status=200,
            pii_read=True,
            request_id=request_id_of(request),
            trace_id=trace_id(current_traceparent()),
        ),
    )

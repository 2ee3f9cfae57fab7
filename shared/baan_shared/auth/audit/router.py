"""``GET /v1/audit-log`` for auditors (scope ``audit:read``, national clients only).

The audit log records every write and every reading of personal data, national
ones included, with paths and resource ids; its rows carry no area. A client
bound to areas holding ``audit:read`` is refused (403 ``national-only``) rather
than shown a filtered log: filtering by path would have to know every
resource's area in every service, and a gap there would leak another area's ids.
Area auditors reconcile through the area-filtered records themselves
(docs/adr/0003-partner-access.md).
"""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Security
from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.dependencies import require_scopes
from baan_shared.auth.principal import Principal
from baan_shared.auth.scopes import AUDIT_READ
from baan_shared.errors import Forbidden, Unprocessable, field_error
from baan_shared.http.errors import problem_responses
from baan_shared.http.pagination import decode_cursor, encode_cursor


class AuditRecordPublic(BaseModel):
    id: uuid.UUID
    at: datetime
    client_id: str
    subject: str | None
    action: str
    method: str
    path: str
    resource_type: str | None
    resource_id: str | None
    status: int
    pii_read: bool
    request_id: str | None
    trace_id: str | None


class AuditRecordsPublic(BaseModel):
    items: list[AuditRecordPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


def audit_log_router(
    session_dependency: Callable[..., AsyncIterator[AsyncSession]],
) -> APIRouter:
    """The auditors' router; pass the service's request-session dependency
    (``baan_shared.http.deps.get_session``)."""
    router = APIRouter(prefix="/v1/audit-log", tags=["audit"])

    @router.get(
        "",
        summary="Who did what, when, from which client (oldest first)",
        responses=problem_responses({422: "A filter or the cursor is not valid"}),
        description="National auditors only: a client bound to areas gets 403 `national-only`.",
    )
    async def list_audit_records(
        auditor: Annotated[Principal, Security(require_scopes(AUDIT_READ))],
        session: Annotated[AsyncSession, Depends(session_dependency, scope="function")],
        client_id: Annotated[str | None, Query(max_length=255)] = None,
        resource_type: Annotated[str | None, Query(max_length=64)] = None,
        resource_id: Annotated[str | None, Query(max_length=128)] = None,
        pii_read: bool | None = None,
        at_from: Annotated[
            datetime | None, Query(alias="from", description="At or after (ISO 8601)")
        ] = None,
        at_to: Annotated[
            datetime | None, Query(alias="to", description="Before (ISO 8601)")
        ] = None,
        cursor: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> AuditRecordsPublic:
        if not auditor.all_areas:
            raise Forbidden(
                f"client {auditor.client_id!r} is bound to areas; the audit log records "
                "every area's writes and is for national auditors only",
                errors=[
                    field_error(
                        "header.Authorization",
                        "the audit log is national: the token must cover every "
                        "area (baan_areas '*')",
                        "national-only",
                    )
                ],
            )
        for name, moment in (("from", at_from), ("to", at_to)):
            if moment is not None and moment.tzinfo is None:
                raise Unprocessable(
                    f"{name} needs a time zone, e.g. 2026-01-31T00:00:00Z",
                    errors=[field_error(f"query.{name}", "no time zone", "tz")],
                )
        if at_from is not None and at_to is not None and at_to <= at_from:
            raise Unprocessable(
                "to must be after from",
                errors=[field_error("query.to", "not after from", "range")],
            )
        after = decode_cursor(cursor)
        query: Any = select(AuditRecord).order_by(col(AuditRecord.id)).limit(limit + 1)
        if after is not None:
            query = query.where(col(AuditRecord.id) > after)
        if client_id is not None:
            query = query.where(AuditRecord.client_id == client_id)
        if resource_type is not None:
            query = query.where(AuditRecord.resource_type == resource_type)
        if resource_id is not None:
            query = query.where(AuditRecord.resource_id == resource_id)
        if pii_read is not None:
            query = query.where(AuditRecord.pii_read == pii_read)
        if at_from is not None:
            query = query.where(col(AuditRecord.at) >= at_from)
        if at_to is not None:
            query = query.where(col(AuditRecord.at) < at_to)
        rows = list((await session.exec(query)).all())
        items, more = rows[:limit], len(rows) > limit
        return AuditRecordsPublic(
            items=[AuditRecordPublic.model_validate(r, from_attributes=True) for r in items],
            next_cursor=encode_cursor(items[-1].id) if more else None,
        )

    return router

"""The append-only audit log: every write and every read of personal data,
who made it, when, on what, and from which client."""

from baan_shared.auth.audit.middleware import AuditWritesMiddleware, audit_resource
from baan_shared.auth.audit.router import audit_log_router
from baan_shared.auth.audit.table import AuditRecord
from baan_shared.auth.audit.writer import record_audit, record_pii_read, record_pii_reads

__all__ = [
    "AuditRecord",
    "AuditWritesMiddleware",
    "audit_log_router",
    "audit_resource",
    "record_audit",
    "record_pii_read",
    "record_pii_reads",
]

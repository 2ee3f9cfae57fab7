"""Who may call what (docs/adr/0003-partner-access.md): every report, query,
export and dashboard data endpoint needs ``reports:read``; setting targets needs
``reports:write``; the audit log needs ``audit:read`` (its own router)."""

from typing import Annotated

from fastapi import Depends, Security

from baan_shared.auth import Principal, require_scopes
from baan_shared.auth.scopes import REPORTS_READ, REPORTS_WRITE
from reporting.query_parameters import reject_unknown_query_parameters

Reader = Annotated[Principal, Security(require_scopes(REPORTS_READ))]
Writer = Annotated[Principal, Security(require_scopes(REPORTS_WRITE))]
READS = [Security(require_scopes(REPORTS_READ))]
"""For routers whose every operation is a read: ``APIRouter(dependencies=READS)``."""
REPORT_READS = [*READS, Depends(reject_unknown_query_parameters)]
"""For report routers: reads that refuse query parameters they do not take (422)."""

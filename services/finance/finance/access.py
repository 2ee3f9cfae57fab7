"""Who may call what (docs/adr/0003-partner-access.md): reads need ``finance:read``;
allocating budgets, approving and rescheduling loans and running funds need
``finance:write``; moving money out or booking it in (loan disbursements,
repayments and their reversals) needs ``finance:disburse``."""

from typing import Annotated

from fastapi import Security

from baan_shared.auth import Principal, require_scopes
from baan_shared.auth.scopes import FINANCE_DISBURSE, FINANCE_READ, FINANCE_WRITE

Reader = Annotated[Principal, Security(require_scopes(FINANCE_READ))]
Writer = Annotated[Principal, Security(require_scopes(FINANCE_WRITE))]
Disburser = Annotated[Principal, Security(require_scopes(FINANCE_DISBURSE))]

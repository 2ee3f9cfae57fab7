"""Every table in reporting's database, imported in one place for Alembic."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.inbox import ProcessedEvent
from reporting.projections.models import (
    BudgetMoney,
    FundMoney,
    GrantProgress,
    HouseholdProgress,
    LoanMoney,
    ProjectionState,
)
from reporting.targets.models import Target

__all__ = [
    "AuditRecord",
    "BudgetMoney",
    "FundMoney",
    "GrantProgress",
    "HouseholdProgress",
    "IdempotencyKey",
    "LoanMoney",
    "ProcessedEvent",
    "ProjectionState",
    "RateLimitCounter",
    "Target",
]

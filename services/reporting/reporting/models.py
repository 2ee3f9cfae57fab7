"""Every table in reporting's database, imported in one place for Alembic."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from reporting.cumulative.models import HistoricalAchievement
from reporting.plans.models import PlannedLine
from reporting.projections.models import (
    BudgetMoney,
    FundMoney,
    GrantProgress,
    HouseholdProgress,
    LoanMoney,
    ProjectionState,
)
from reporting.survey_coverage.models import TambonCoverage
from reporting.targets.models import Target

__all__ = [
    "AuditRecord",
    "BudgetMoney",
    "FundMoney",
    "GrantProgress",
    "HistoricalAchievement",
    "HouseholdProgress",
    "LoanMoney",
    "OutboxMessage",
    "PlannedLine",
    "ProcessedEvent",
    "ProjectionState",
    "RateLimitCounter",
    "TambonCoverage",
    "Target",
]

"""Every table in reporting's database, imported in one place for Alembic."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.inbox import ProcessedEvent
from reporting.cumulative.models import HistoricalAchievement
from reporting.long_term_targets.models import LongTermTarget
from reporting.plans.models import PlannedLine
from reporting.projections.models import (
    AchievementSummary,
    BudgetMoney,
    FundMoney,
    GrantProgress,
    GrantSummary,
    HouseholdProgress,
    LoanMoney,
    PlaceSummary,
    ProgressSummary,
    ProjectionState,
    ReachSummary,
)
from reporting.rebuilds.models import RebuildRun
from reporting.reports.models import ReportEdit
from reporting.survey_coverage.models import TambonCoverage
from reporting.targets.models import Target
from reporting.welfare.models import (
    WelfareBenefit,
    WelfareFund,
    WelfareFundYear,
    WelfareMember,
    WelfareMovement,
)

__all__ = [
    "AchievementSummary",
    "AuditRecord",
    "BudgetMoney",
    "FundMoney",
    "GrantProgress",
    "GrantSummary",
    "HistoricalAchievement",
    "HouseholdProgress",
    "IdempotencyKey",
    "LoanMoney",
    "LongTermTarget",
    "PlaceSummary",
    "PlannedLine",
    "ProcessedEvent",
    "ProgressSummary",
    "ProjectionState",
    "RateLimitCounter",
    "ReachSummary",
    "RebuildRun",
    "ReportEdit",
    "TambonCoverage",
    "Target",
    "WelfareBenefit",
    "WelfareFund",
    "WelfareFundYear",
    "WelfareMember",
    "WelfareMovement",
]

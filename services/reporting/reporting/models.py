"""Every table in reporting's database, imported in one place for Alembic."""

from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from reporting.projections.models import GrantProgress, HouseholdProgress, ProjectionState
from reporting.targets.models import Target

__all__ = [
    "GrantProgress",
    "HouseholdProgress",
    "OutboxMessage",
    "ProcessedEvent",
    "ProjectionState",
    "Target",
]

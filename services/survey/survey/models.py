"""Every table in survey's database, imported in one place for Alembic."""

from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from survey.households.models import Household, HouseholdMember, HouseholdTransition
from survey.programmes.models import ProgrammeRules

__all__ = [
    "Household",
    "HouseholdMember",
    "HouseholdTransition",
    "OutboxMessage",
    "ProcessedEvent",
    "ProgrammeRules",
]

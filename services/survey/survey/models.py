"""Every table in survey's database, imported in one place for Alembic."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from survey.administrations.models import LocalAdministration
from survey.communities.models import Community
from survey.households.models import (
    Household,
    HouseholdEdit,
    HouseholdMember,
    HouseholdTransition,
)
from survey.imports.models import HouseholdImport, HouseholdImportError
from survey.photos.models import HouseholdPhoto
from survey.plans.models import TambonPlan, TambonPlanLine
from survey.programmes.models import ProgrammeRules
from survey.rounds.models import SurveyRound

__all__ = [
    "AuditRecord",
    "Community",
    "Household",
    "HouseholdEdit",
    "HouseholdImport",
    "HouseholdImportError",
    "HouseholdMember",
    "HouseholdPhoto",
    "HouseholdTransition",
    "IdempotencyKey",
    "LocalAdministration",
    "OutboxMessage",
    "ProcessedEvent",
    "ProgrammeRules",
    "RateLimitCounter",
    "SurveyRound",
    "TambonPlan",
    "TambonPlanLine",
]

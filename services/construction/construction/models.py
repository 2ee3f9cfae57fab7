"""Every table in construction's database, imported in one place for Alembic."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from construction.house_works.models import (
    HouseWork,
    HouseWorkTransition,
    PendingGrantRejection,
    ProgressUpdate,
)
from construction.labour.models import LabourEntry
from construction.materials.models import Allocation, Delivery, PurchaseOrder
from construction.milestones.models import HouseMilestone, MilestoneTemplate
from construction.photos.models import Photo
from construction.projects.models import Project

__all__ = [
    "Allocation",
    "AuditRecord",
    "Delivery",
    "HouseMilestone",
    "HouseWork",
    "HouseWorkTransition",
    "IdempotencyKey",
    "LabourEntry",
    "MilestoneTemplate",
    "OutboxMessage",
    "PendingGrantRejection",
    "Photo",
    "ProcessedEvent",
    "ProgressUpdate",
    "Project",
    "PurchaseOrder",
    "RateLimitCounter",
]

"""Every table in construction's database, imported in one place for Alembic."""

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
    "Delivery",
    "HouseMilestone",
    "HouseWork",
    "HouseWorkTransition",
    "LabourEntry",
    "MilestoneTemplate",
    "OutboxMessage",
    "PendingGrantRejection",
    "Photo",
    "ProcessedEvent",
    "ProgressUpdate",
    "Project",
    "PurchaseOrder",
]

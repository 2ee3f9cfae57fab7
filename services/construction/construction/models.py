"""Every table in construction's database, imported in one place for Alembic."""

from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from construction.house_works.models import HouseWork, HouseWorkTransition, ProgressUpdate
from construction.photos.models import Photo
from construction.projects.models import Project

__all__ = [
    "HouseWork",
    "HouseWorkTransition",
    "OutboxMessage",
    "Photo",
    "ProcessedEvent",
    "ProgressUpdate",
    "Project",
]

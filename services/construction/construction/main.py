"""Assembles the construction service: ``uvicorn --factory construction.main:create_app``."""

from fastapi import FastAPI

from baan_shared.auth import AuthSettings, install_partner_access
from baan_shared.auth.audit import audit_log_router
from baan_shared.http.deps import get_session
from baan_shared.service import create_service_app
from baan_shared.storage import storage_from_settings
from construction import SERVICE_NAME
from construction.handlers import SUBSCRIPTIONS
from construction.house_works.router import bulk_router as house_works_bulk_router
from construction.house_works.router import router as house_works_router
from construction.labour.router import router as labour_router
from construction.materials.router import router as materials_router
from construction.milestones.router import router as milestones_router
from construction.photos.router import router as photos_router
from construction.projects.router import router as projects_router
from construction.settings import ConstructionSettings


def create_app(
    settings: ConstructionSettings | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    """``auth`` defaults to the shared ``AUTH_*`` variables (tests pass their own issuer's)."""
    settings = settings or ConstructionSettings()
    app = create_service_app(
        name=SERVICE_NAME,
        title="Baan construction",
        description="House works: from an approved household's plan to a completed house.",
        version="0.1.0",
        settings=settings,
        routers=[
            house_works_router,
            house_works_bulk_router,
            projects_router,
            milestones_router,
            photos_router,
            materials_router,
            labour_router,
            audit_log_router(get_session),
        ],
        migrations="construction:migrations",
        subscriptions=SUBSCRIPTIONS,
    )
    install_partner_access(app, auth, environment=settings.environment)
    app.state.photo_storage = storage_from_settings(settings)
    return app

"""Assembles the survey service: ``uvicorn --factory survey.main:create_app``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from baan_shared.auth import AuthSettings, install_partner_access
from baan_shared.auth.audit import audit_log_router
from baan_shared.http.deps import get_session
from baan_shared.service import create_service_app
from baan_shared.storage import storage_from_settings
from survey import SERVICE_NAME
from survey.administrations.router import router as administrations_router
from survey.areas.router import router as areas_router
from survey.communities.router import router as communities_router
from survey.coverage.router import router as coverage_router
from survey.handlers import SUBSCRIPTIONS
from survey.households.router import decisions_router
from survey.households.router import router as households_router
from survey.imports.router import router as imports_router
from survey.imports.worker import ImportWorker
from survey.photos.router import router as photos_router
from survey.plans.router import router as plans_router
from survey.programmes.router import router as programmes_router
from survey.rounds.router import router as rounds_router
from survey.settings import SurveySettings


def create_app(settings: SurveySettings | None = None, auth: AuthSettings | None = None) -> FastAPI:
    """``auth`` defaults to the shared ``AUTH_*`` variables (tests pass their own issuer's)."""
    settings = settings or SurveySettings()
    app = create_service_app(
        name=SERVICE_NAME,
        title="Baan survey",
        description="Households in need and their land: survey, screening and selection.",
        version="0.1.0",
        settings=settings,
        routers=[
            areas_router,
            programmes_router,
            communities_router,
            rounds_router,
            households_router,
            decisions_router,
            imports_router,
            photos_router,
            administrations_router,
            plans_router,
            coverage_router,
            audit_log_router(get_session),
        ],
        migrations="survey:migrations",
        subscriptions=SUBSCRIPTIONS,
    )
    install_partner_access(app, auth, environment=settings.environment)
    app.state.import_worker = ImportWorker(
        app.state.runtime.session_factory,
        settings.import_spool_dir,
        lease_seconds=settings.import_lease_seconds,
        poll_seconds=settings.import_poll_seconds,
    )
    app.state.photo_storage = storage_from_settings(settings)
    shared_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        # The worker starts once migrations ran, and stops before the engine is disposed.
        async with shared_lifespan(application):
            application.state.import_worker.start()
            try:
                yield
            finally:
                await application.state.import_worker.stop()

    app.router.lifespan_context = lifespan
    return app

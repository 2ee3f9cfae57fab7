"""Assembles the welfare service: ``uvicorn --factory welfare.main:create_app``."""

from fastapi import FastAPI

from baan_shared.auth import AuthSettings, install_partner_access
from baan_shared.auth.audit import audit_log_router
from baan_shared.http.deps import get_session
from baan_shared.service import create_service_app
from welfare import SERVICE_NAME
from welfare.benefits.router import router as benefits_router
from welfare.books.router import router as books_router
from welfare.contributions.router import router as contributions_router
from welfare.funds.router import router as funds_router
from welfare.handlers import SUBSCRIPTIONS
from welfare.matching.router import router as matching_router
from welfare.members.router import router as members_router
from welfare.settings import WelfareSettings


def create_app(
    settings: WelfareSettings | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    """``auth`` defaults to the shared ``AUTH_*`` variables (tests pass their own issuer's)."""
    settings = settings or WelfareSettings()
    app = create_service_app(
        name=SERVICE_NAME,
        title="Baan welfare",
        description="Community welfare funds: rules, members, contributions, benefits, "
        "matches and each fund's books.",
        version="0.1.0",
        settings=settings,
        routers=[
            funds_router,
            members_router,
            contributions_router,
            benefits_router,
            matching_router,
            books_router,
            audit_log_router(get_session),
        ],
        migrations="welfare:migrations",
        subscriptions=SUBSCRIPTIONS,
    )
    install_partner_access(app, auth, environment=settings.environment)
    return app

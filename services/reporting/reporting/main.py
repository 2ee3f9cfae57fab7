"""Assembles the reporting service: ``uvicorn --factory reporting.main:create_app``."""

from fastapi import FastAPI

from baan_shared.auth import AuthSettings, install_partner_access
from baan_shared.auth.audit import audit_log_router
from baan_shared.http.deps import get_session
from baan_shared.service import create_service_app
from reporting import SERVICE_NAME
from reporting.achievements.router import router as achievements_router
from reporting.cumulative.router import router as cumulative_router
from reporting.dashboard.router import router as dashboard_router
from reporting.drilldown.router import router as drilldown_router
from reporting.handlers import SUBSCRIPTIONS
from reporting.long_term_targets.router import router as long_term_targets_router
from reporting.money.router import router as money_router
from reporting.plans.router import router as plans_router
from reporting.query.router import router as query_router
from reporting.rebuilds.router import router as rebuilds_router
from reporting.reports.router import router as reports_router
from reporting.settings import ReportingSettings
from reporting.survey_coverage.router import router as survey_coverage_router
from reporting.targets.router import router as targets_router
from reporting.welfare.router import router as welfare_router


def create_app(
    settings: ReportingSettings | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    """``auth`` defaults to the shared ``AUTH_*`` variables (tests pass their own issuer's)."""
    settings = settings or ReportingSettings()
    app = create_service_app(
        name=SERVICE_NAME,
        title="Baan reporting",
        description=(
            "Read models over every service's events: the household funnel by programme "
            "and area, money granted and paid, and how fresh each report is."
        ),
        version="0.1.0",
        settings=settings,
        routers=[
            reports_router,
            achievements_router,
            drilldown_router,
            money_router,
            query_router,
            targets_router,
            plans_router,
            cumulative_router,
            long_term_targets_router,
            survey_coverage_router,
            welfare_router,
            rebuilds_router,
            dashboard_router,
            audit_log_router(get_session),
        ],
        migrations="reporting:migrations",
        subscriptions=SUBSCRIPTIONS,
    )
    install_partner_access(app, auth, environment=settings.environment)
    return app

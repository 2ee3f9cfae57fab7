"""Assembles the finance service: ``uvicorn --factory finance.main:create_app``."""

from fastapi import FastAPI

from baan_shared.auth import AuthSettings, install_partner_access
from baan_shared.auth.audit import audit_log_router
from baan_shared.http.deps import get_session
from baan_shared.service import create_service_app
from finance import SERVICE_NAME
from finance.bank_statements.router import router as bank_statements_router
from finance.budgets.router import router as budgets_router
from finance.grants.policy import GrantPolicy
from finance.grants.router import router as grants_router
from finance.handlers import subscriptions
from finance.ledger.router import router as ledger_router
from finance.loans.router import router as loans_router
from finance.reconciliation.router import router as reconciliation_router
from finance.revolving_funds.router import router as funds_router
from finance.settings import FinanceSettings
from finance.welfare_matches.router import router as welfare_matches_router


def create_app(
    settings: FinanceSettings | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    """``auth`` defaults to the shared ``AUTH_*`` variables (tests pass their own issuer's)."""
    settings = settings or FinanceSettings()
    app = create_service_app(
        name=SERVICE_NAME,
        title="Baan finance",
        description="Budgets, grants in tranches, loans and repayments, on a double-entry ledger.",
        version="0.1.0",
        settings=settings,
        routers=[
            budgets_router,
            grants_router,
            loans_router,
            bank_statements_router,
            funds_router,
            ledger_router,
            reconciliation_router,
            welfare_matches_router,
            audit_log_router(get_session),
        ],
        migrations="finance:migrations",
        subscriptions=subscriptions(GrantPolicy.from_settings(settings)),
    )
    install_partner_access(app, auth, environment=settings.environment)
    return app

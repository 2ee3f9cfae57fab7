"""Tokens for the reporting tests: the national office's scopes and the base URL; the
issuer, tokens and clients come from ``baan_testkit.auth``.

``ISSUER`` is the session's issuer at module level (not only the ``test_issuer``
fixture) because tests that open clients of their own (the dashboard, PostgreSQL,
report helpers) send ``national_headers()`` too.
"""

from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import AUDIT_READ, REPORTS_READ, REPORTS_WRITE
from baan_testkit import auth as auth_testing
from baan_testkit.auth import session_issuer

ISSUER = session_issuer()

BASE_URL = "http://reporting"

NATIONAL_SCOPES = (REPORTS_READ, REPORTS_WRITE, AUDIT_READ)


def auth_settings(**overrides: object) -> AuthSettings:
    """The service trusts the session's issuer (``overrides``: rate limits...)."""
    return auth_testing.auth_settings(ISSUER, **overrides)


def national_token() -> str:
    return ISSUER.mint_token("baan-national", NATIONAL_SCOPES, ["*"])


def national_headers() -> dict[str, str]:
    """The national office: reads, targets and the audit log, all areas."""
    return {"Authorization": f"Bearer {national_token()}"}

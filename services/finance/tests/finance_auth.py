"""Tokens for the finance tests: the national office's scopes and the base URL; the
issuer, tokens and clients come from ``baan_testkit.auth``.

``ISSUER`` is the session's issuer at module level (not only the ``test_issuer``
fixture) because helpers such as ``finance_factories.allocate`` and the tests that
build their own apps open clients of their own; they all send ``national_headers()``.
"""

from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import AUDIT_READ, FINANCE_DISBURSE, FINANCE_READ, FINANCE_WRITE
from baan_testkit import auth as auth_testing
from baan_testkit.auth import session_issuer, token_headers

ISSUER = session_issuer()

BASE_URL = "http://finance"

NATIONAL_SCOPES = (FINANCE_READ, FINANCE_WRITE, FINANCE_DISBURSE, AUDIT_READ)


def auth_settings(**overrides: object) -> AuthSettings:
    """The service trusts the session's issuer (``overrides``: rate limits...)."""
    return auth_testing.auth_settings(ISSUER, **overrides)


def national_headers() -> dict[str, str]:
    """The national finance office: every finance scope and the audit log, all areas."""
    return token_headers(ISSUER, "baan-national", NATIONAL_SCOPES, ["*"])

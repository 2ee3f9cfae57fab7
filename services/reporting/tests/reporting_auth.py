"""Tokens for the reporting tests: one development issuer for the whole session.

The issuer lives at module level (not only in a fixture) because tests that
open clients of their own (the dashboard, PostgreSQL, report helpers) send
``national_headers()`` too.
"""

import json
from collections.abc import Sequence

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import AUDIT_READ, REPORTS_READ, REPORTS_WRITE

ISSUER = DevIssuer()

NATIONAL_SCOPES = (REPORTS_READ, REPORTS_WRITE, AUDIT_READ)


def auth_settings(**overrides: object) -> AuthSettings:
    """The service trusts the test issuer's key set, handed over without HTTP."""
    return AuthSettings(
        issuer=ISSUER.issuer,
        audience=ISSUER.audience,
        jwks_json=json.dumps(ISSUER.jwks()),
        **overrides,
    )


def national_token() -> str:
    return ISSUER.mint_token("baan-national", NATIONAL_SCOPES, ["*"])


def headers_for(client_id: str, scopes: Sequence[str], areas: Sequence[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.mint_token(client_id, scopes, areas)}"}


def national_headers() -> dict[str, str]:
    """The national office: reads, targets and the audit log, all areas."""
    return headers_for("baan-national", NATIONAL_SCOPES, ["*"])

"""Tokens for the finance tests: one development issuer for the whole session.

The issuer lives at module level (not only in a fixture) because helpers such as
``finance_factories.allocate`` and the tests that build their own apps open
clients of their own; they all send ``national_headers()``.
"""

import json
from collections.abc import Sequence

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import AUDIT_READ, FINANCE_DISBURSE, FINANCE_READ, FINANCE_WRITE

ISSUER = DevIssuer()

NATIONAL_SCOPES = (FINANCE_READ, FINANCE_WRITE, FINANCE_DISBURSE, AUDIT_READ)


def auth_settings(**overrides: object) -> AuthSettings:
    """The service trusts the test issuer's key set, handed over without HTTP."""
    return AuthSettings(
        issuer=ISSUER.issuer,
        audience=ISSUER.audience,
        jwks_json=json.dumps(ISSUER.jwks()),
        **overrides,
    )


def headers_for(client_id: str, scopes: Sequence[str], areas: Sequence[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.mint_token(client_id, scopes, areas)}"}


def national_headers() -> dict[str, str]:
    """The national finance office: every finance scope and the audit log, all areas."""
    return headers_for("baan-national", NATIONAL_SCOPES, ["*"])

"""Tokens for the construction tests: one development issuer per session, clients
by scope and area."""

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

import httpx

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from baan_shared.auth.scopes import AUDIT_READ, CONSTRUCTION_READ, CONSTRUCTION_WRITE

NATIONAL_SCOPES = (CONSTRUCTION_READ, CONSTRUCTION_WRITE, AUDIT_READ)

ClientFor = Callable[
    [str, Sequence[str], Sequence[str]], AbstractAsyncContextManager[httpx.AsyncClient]
]


def auth_settings_for(issuer: DevIssuer, **overrides: object) -> AuthSettings:
    """The service trusts the test issuer's key set, handed over without HTTP."""
    return AuthSettings(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks_json=json.dumps(issuer.jwks()),
        **overrides,
    )


def national_headers(issuer: DevIssuer) -> dict[str, str]:
    token = issuer.mint_token("baan-national", NATIONAL_SCOPES, ["*"])
    return {"Authorization": f"Bearer {token}"}

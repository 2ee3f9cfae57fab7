"""Tokens for the construction tests: the national office's scopes and the base URL;
the issuer, tokens and clients come from ``baan_testkit.auth``."""

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth.scopes import AUDIT_READ, CONSTRUCTION_READ, CONSTRUCTION_WRITE
from baan_testkit.auth import ClientFor, token_headers

__all__ = ["BASE_URL", "NATIONAL_SCOPES", "ClientFor", "national_headers"]

BASE_URL = "http://construction"

NATIONAL_SCOPES = (CONSTRUCTION_READ, CONSTRUCTION_WRITE, AUDIT_READ)


def national_headers(issuer: DevIssuer) -> dict[str, str]:
    """The national office: construction read and write and the audit log, all areas."""
    return token_headers(issuer, "baan-national", NATIONAL_SCOPES, ["*"])

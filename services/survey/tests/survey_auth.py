"""Tokens for the survey tests: the national office's scopes and the base URL; the
issuer, tokens and clients come from ``baan_testkit.auth``."""

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth.scopes import (
    AUDIT_READ,
    PII_READ,
    SURVEY_APPROVE,
    SURVEY_READ,
    SURVEY_WRITE,
)
from baan_testkit.auth import ClientFor, token_headers
from baan_testkit.auth import auth_settings as auth_settings_for

__all__ = ["BASE_URL", "NATIONAL_SCOPES", "ClientFor", "auth_settings_for", "national_headers"]

BASE_URL = "http://survey"

NATIONAL_SCOPES = (SURVEY_READ, SURVEY_WRITE, SURVEY_APPROVE, PII_READ, AUDIT_READ)


def national_headers(issuer: DevIssuer) -> dict[str, str]:
    """The national office: every survey scope, personal data and the audit log."""
    return token_headers(issuer, "baan-national", NATIONAL_SCOPES, ["*"])

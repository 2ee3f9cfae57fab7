"""Partner-access settings, read from ``AUTH_*`` environment variables.

Production points ``AUTH_ISSUER``/``AUTH_JWKS_URL`` at the OIDC provider (e.g.
Keycloak's realm); local runs and tests use the development issuer in
``baan_local.dev_issuer``, or a static JWKS so that tests need no HTTP server.
"""

from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Asymmetric only: with a public key, HS256 would let anyone holding the key
# (i.e. everyone) sign tokens, and "none" signs nothing.
ALLOWED_ALGORITHMS = ("RS256", "ES256")
# Where ``baan-dev-issuer`` listens; refused as the issuer in production.
DEV_ISSUER = "http://127.0.0.1:8090"


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", env_file=None, extra="ignore")

    # Off only for a developer poking at one service by hand; refused in production.
    enabled: bool = True
    issuer: str = DEV_ISSUER
    # Defaults to ``<issuer>/jwks.json`` (the dev issuer); Keycloak:
    # ``<issuer>/protocol/openid-connect/certs``.
    jwks_url: str | None = None
    # A JWKS given inline (JSON) or as a file, instead of fetching ``jwks_url``.
    jwks_json: str | None = None
    jwks_file: Path | None = None
    # Shown in OpenAPI as the client-credentials token URL; defaults to
    # ``<issuer>/oauth/token`` (the dev issuer). Keycloak:
    # ``<issuer>/protocol/openid-connect/token``.
    token_url: str | None = None
    audience: str = "baan"
    algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS
    leeway_seconds: float = 30.0
    jwks_cache_seconds: int = 300
    jwks_timeout_seconds: float = 5.0
    # A token with an unknown ``kid`` refetches the JWKS (the provider rotated
    # its key), at most once per this many seconds: tokens with made-up kids
    # must not turn every request into a fetch from the issuer.
    jwks_refetch_cooldown_seconds: float = Field(default=10.0, ge=0)
    # ``scope`` (a space-separated string, RFC 6749/8693) or ``scp`` (a list);
    # either shape is read from whichever claim is named here.
    scopes_claim: str = "scope"
    # The client's areas: province (2 digits), district (4) or sub-district (6)
    # codes, as a list or a space-separated string. ``*`` means the whole country.
    areas_claim: str = "baan_areas"
    # The first of these claims present names the client (RFC 9068 ``client_id``,
    # Keycloak's ``azp``, else ``sub``).
    client_id_claims: tuple[str, ...] = ("client_id", "azp", "sub")

    # Rate limit per client, shared by every replica through the service's database:
    # each replica leases a twentieth of a client's allowance at a time (at most
    # ``rate_limit_lease_max`` requests) and counts it down in memory
    # (baan_shared.auth.ratelimit.limiter).
    rate_limit_enabled: bool = True
    rate_limit_requests: int = Field(default=600, ge=1)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    # Per-client allowances, e.g. AUTH_RATE_LIMIT_OVERRIDES='{"bulk-importer": 6000}'.
    rate_limit_overrides: dict[str, int] = Field(default_factory=dict)
    rate_limit_lease_max: int = Field(default=100, ge=1)

    @model_validator(mode="after")
    def _only_asymmetric_algorithms(self) -> "AuthSettings":
        unsafe = [a for a in self.algorithms if a not in ALLOWED_ALGORITHMS]
        if unsafe:
            raise ValueError(f"algorithms {unsafe} are not allowed; use {list(ALLOWED_ALGORITHMS)}")
        return self

    @property
    def effective_jwks_url(self) -> str:
        return self.jwks_url or self.issuer.rstrip("/") + "/jwks.json"

    @property
    def effective_token_url(self) -> str:
        return self.token_url or self.issuer.rstrip("/") + "/oauth/token"

    def static_jwks(self) -> dict[str, Any] | None:
        """The JWKS given inline or as a file, if any (tests, air-gapped sites)."""
        import json

        if self.jwks_json:
            loaded: dict[str, Any] = json.loads(self.jwks_json)
            return loaded
        if self.jwks_file:
            loaded = json.loads(self.jwks_file.read_text())
            return loaded
        return None

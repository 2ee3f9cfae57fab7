"""Bearer-token validation against the issuer's JWKS (any OIDC provider).

Keys come from ``jwks_url`` (cached; an unknown ``kid`` triggers one refetch,
so a provider's key rotation needs no restart) or from a static JWKS. Only
RS256/ES256 are accepted, and ``exp``, ``iss`` and ``aud`` are required.

A token that verified is remembered until it expires (``exp`` plus the
leeway, when the signature check would start refusing it), so a partner
sending the same token a thousand times pays for one signature check. Only
successes are remembered: a bad token is checked again each time (and costs
what it costs). A key removed from the issuer's JWKS does not revoke tokens
already remembered; they lapse at their ``exp`` like tokens in flight anyway.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from baan_shared.auth.principal import Principal
from baan_shared.auth.settings import AuthSettings


class InvalidToken(Exception):
    """The token cannot be trusted; ``reason`` is safe to show the caller."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class KeysUnavailable(Exception):
    """The issuer's JWKS cannot be fetched: our problem, not the caller's."""


class TokenValidator:
    def __init__(
        self,
        settings: AuthSettings,
        *,
        clock: Callable[[], float] = time.time,
        cache_size: int = 10_000,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.cache_size = cache_size
        # token → (principal, unix time after which the token no longer verifies)
        self._verified: dict[str, tuple[Principal, float]] = {}
        static = settings.static_jwks()
        self._static_keys: PyJWKSet | None = PyJWKSet.from_dict(static) if static else None
        self._jwks_client: PyJWKClient | None = None
        if self._static_keys is None:
            self._jwks_client = PyJWKClient(
                settings.effective_jwks_url,
                cache_jwk_set=True,
                lifespan=settings.jwks_cache_seconds,
                timeout=settings.jwks_timeout_seconds,
                cooldown_duration=settings.jwks_refetch_cooldown_seconds,
            )

    async def principal(self, token: str) -> Principal:
        now = self.clock()
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, good_until = remembered
            if now <= good_until:
                return principal
            del self._verified[token]
        claims = await self.claims(token)
        principal = self.principal_from(claims)
        self._remember(token, principal, float(claims["exp"]) + self.settings.leeway_seconds, now)
        return principal

    def _remember(self, token: str, principal: Principal, good_until: float, now: float) -> None:
        if len(self._verified) >= self.cache_size:
            # Full: drop what has expired, and if that is not enough the oldest half.
            for key in [k for k, (_, until) in self._verified.items() if until < now]:
                del self._verified[key]
            if len(self._verified) >= self.cache_size:
                for key in list(self._verified)[: self.cache_size // 2 + 1]:
                    del self._verified[key]
        self._verified[token] = (principal, good_until)

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not a well-formed JWT", "malformed") from exc
        algorithm = header.get("alg")
        if algorithm not in self.settings.algorithms:
            raise InvalidToken(
                f"tokens signed with {algorithm!r} are not accepted; "
                f"use one of {list(self.settings.algorithms)}",
                "algorithm-not-allowed",
            )
        kid = header.get("kid")
        if kid is not None and (not isinstance(kid, str) or len(kid) > 256):
            raise InvalidToken("the token's kid is not a short string", "malformed")
        key = await self._signing_key(kid)
        if key.algorithm_name != algorithm:
            # An RSA key cannot verify an ES256 signature: the header lies about the key.
            raise InvalidToken(
                f"the token says {algorithm!r} but its key is for {key.algorithm_name!r}",
                "bad-signature",
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired", "expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise InvalidToken("the token is not valid yet (nbf/iat)", "not-yet-valid") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken(
                f"the token is not for this audience (expected {self.settings.audience!r})",
                "wrong-audience",
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken(
                f"the token was not issued by {self.settings.issuer!r}", "wrong-issuer"
            ) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token has no {exc.claim!r} claim", "missing-claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("the token's signature does not verify", "bad-signature") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid: {exc}", "invalid") from exc
        return claims

    async def _signing_key(self, kid: str | None) -> PyJWK:
        if self._static_keys is not None:
            for key in self._static_keys.keys:
                if kid is None or key.key_id == kid:
                    return key
            raise InvalidToken(f"no signing key with kid {kid!r}", "unknown-key")
        assert self._jwks_client is not None
        client = self._jwks_client
        try:
            if kid is None:
                keys = await asyncio.to_thread(client.get_signing_keys)
                return keys[0]
            # PyJWKClient refetches the set once when the kid is not in its cache.
            return await asyncio.to_thread(client.get_signing_key, kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise KeysUnavailable(str(exc)) from exc
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(f"no signing key with kid {kid!r}", "unknown-key") from exc

    def principal_from(self, claims: dict[str, Any]) -> Principal:
        client_id = next(
            (str(claims[c]) for c in self.settings.client_id_claims if claims.get(c)), None
        )
        if client_id is None:
            raise InvalidToken(
                f"the token names no client (one of {list(self.settings.client_id_claims)})",
                "missing-claim",
            )
        if len(client_id) > 255:
            raise InvalidToken("the token's client id is longer than 255 characters", "bad-claim")
        subject = claims.get("sub")
        scopes = _words(claims.get(self.settings.scopes_claim), self.settings.scopes_claim)
        areas = _words(claims.get(self.settings.areas_claim), self.settings.areas_claim)
        try:
            return Principal.of(
                client_id,
                scopes=scopes,
                areas=areas,
                subject=str(subject)[:255] if subject is not None else None,
            )
        except ValueError as exc:
            raise InvalidToken(
                f"claim {self.settings.areas_claim!r}: {exc}", "bad-areas-claim"
            ) from exc


def _words(value: object, claim: str) -> list[str]:
    """A claim that is a space-separated string or a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise InvalidToken(f"claim {claim!r} must be a string or a list of strings", "bad-claim")

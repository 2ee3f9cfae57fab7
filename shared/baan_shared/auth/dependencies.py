"""FastAPI wiring: ``install_partner_access`` once per app, then
``Security(require_scopes(...))`` on every operation.

``require_scopes`` validates the bearer token (once per request), counts the
request against the client's rate limit, checks the scopes and returns the
``Principal``. Because the OAuth2 scheme is a ``Security`` sub-dependency,
OpenAPI shows the client-credentials flow and each operation's scopes.
"""

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import HTTPConnection

from baan_shared.auth.errors import (
    IssuerUnavailable,
    Unauthenticated,
    install_auth_error_handlers,
)
from baan_shared.auth.principal import Principal
from baan_shared.auth.scopes import SCOPES
from baan_shared.auth.settings import DEV_ISSUER, AuthSettings
from baan_shared.auth.tokens import InvalidToken, KeysUnavailable, TokenValidator
from baan_shared.errors import Forbidden, field_error
from baan_shared.http.errors import PROBLEM_JSON

log = logging.getLogger(__name__)

SCHEME_NAME = "partner"


class OAuth2ClientCredentialsBearer(OAuth2):
    """The bearer token of an OAuth2 client-credentials flow, or None if absent
    (``authenticate`` answers that with its own 401 problem+json)."""

    def __init__(self, token_url: str, scopes: dict[str, str]) -> None:
        flows = OAuthFlows(
            clientCredentials=OAuthFlowClientCredentials(tokenUrl=token_url, scopes=scopes)
        )
        super().__init__(flows=flows, scheme_name=SCHEME_NAME, auto_error=False)

    async def __call__(self, request: HTTPConnection) -> str | None:
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "bearer" or not token:
            return None
        return token


# The token URL here is a placeholder: install_partner_access puts the
# configured one into the app's OpenAPI document.
oauth2_scheme = OAuth2ClientCredentialsBearer("/oauth/token", SCOPES)


class RequestCounter(Protocol):
    async def hit(self, client_id: str) -> None:
        """Count one request of ``client_id``; raise ``TooManyRequests`` past its limit."""


class PartnerAccess:
    """What the dependencies need at request time, kept on ``app.state.partner_access``."""

    def __init__(
        self,
        settings: AuthSettings,
        *,
        validator: TokenValidator | None = None,
        rate_limiter: RequestCounter | None = None,
    ) -> None:
        self.settings = settings
        self.validator = validator or (TokenValidator(settings) if settings.enabled else None)
        self.rate_limiter = rate_limiter


def _is_loopback(url: str) -> bool:
    """Whether an issuer URL names this machine (``baan issuer`` on any port)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install_partner_access(
    app: FastAPI,
    settings: AuthSettings | None = None,
    *,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    environment: str = "development",
    audit_writes: bool = True,
    clock: Callable[[], float] = time.time,
) -> PartnerAccess:
    """Token validation (each token verified once until it expires), rate limits
    (``session_factory``'s database, shared by every replica, leased in blocks so
    that no request writes just to be counted), the audit middleware for writes and
    the 401/429 handlers.

    ``session_factory`` defaults to the service runtime's
    (``app.state.runtime.session_factory``), looked up at request time.
    """
    from baan_shared.auth.audit.middleware import AuditWritesMiddleware
    from baan_shared.auth.audit.writer import AuditBatch
    from baan_shared.auth.ratelimit.limiter import RateLimiter

    settings = settings or AuthSettings()
    if environment == "production":
        if not settings.enabled:
            raise RuntimeError("AUTH_ENABLED=false is refused in production")
        if settings.issuer == DEV_ISSUER or _is_loopback(settings.issuer):
            raise RuntimeError(
                f"AUTH_ISSUER {settings.issuer} is a development issuer on this machine; "
                "set the OIDC provider's"
            )
    if not settings.enabled:
        log.warning("partner access is OFF: every request acts as a national admin")

    def sessions() -> async_sessionmaker[AsyncSession]:
        if session_factory is not None:
            return session_factory
        factory: async_sessionmaker[AsyncSession] = app.state.runtime.session_factory
        return factory

    limiter = None
    if settings.enabled and settings.rate_limit_enabled:
        limiter = _LazyRateLimiter(
            lambda: RateLimiter.from_settings(settings, sessions(), clock=clock)
        )
    access = PartnerAccess(settings, rate_limiter=limiter)
    app.state.partner_access = access
    install_auth_error_handlers(app)
    # One group commit for the rows written outside a request's transaction: refused
    # writes' and personal data read without a transaction (http.deps.ReadSessionDep).
    batch = AuditBatch(sessions)
    app.state.audit_batch = batch
    if audit_writes:
        app.add_middleware(AuditWritesMiddleware, session_factory=sessions, batch=batch)
    _document_partner_access(app, settings.effective_token_url)
    return access


class _LazyRateLimiter:
    """Builds the limiter on first use, once the service's sessions exist."""

    def __init__(self, build: Callable[[], RequestCounter]) -> None:
        self._build = build
        self._limiter: RequestCounter | None = None

    async def hit(self, client_id: str) -> None:
        if self._limiter is None:
            self._limiter = self._build()
        await self._limiter.hit(client_id)


# What every protected operation may answer besides its own responses: each written
# once under ``components/responses`` (by this name) and referred to by the operations,
# so a client generated from the document names it once rather than per operation.
PROTECTED_RESPONSES = {
    "401": ("Unauthorized", "No bearer token, or one that is expired, forged or not for this API"),
    "403": ("Forbidden", "The token lacks a scope this operation needs"),
    "429": ("TooManyRequests", "Too many requests from this client; see Retry-After"),
    "503": (
        "IssuerUnavailable",
        "The token issuer's keys cannot be fetched right now; see Retry-After",
    ),
}


_SECONDS = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string"}
PROTECTED_RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "429": {
        "Retry-After": {
            "description": "Seconds until the client's window resets and it may call again",
            "schema": _SECONDS,
        },
        "RateLimit-Policy": {
            "description": "The client's allowance (IETF draft RateLimit header fields): "
            'e.g. `"per-client";q=600;w=60` is 600 requests (`q`) per 60-second window (`w`)',
            "schema": _TEXT,
        },
        "RateLimit": {
            "description": 'What is left of it: e.g. `"per-client";r=0;t=30` is no request '
            "(`r`) left until the window resets in 30 seconds (`t`)",
            "schema": _TEXT,
        },
    },
}


def _document_partner_access(app: FastAPI, token_url: str) -> None:
    """Put the configured token URL and the auth error responses into OpenAPI,
    so the published contract says what a partner will actually get."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemes = schema.get("components", {}).get("securitySchemes", {})
            flow = schemes.get(SCHEME_NAME, {}).get("flows", {}).get("clientCredentials")
            if flow is not None:
                flow["tokenUrl"] = token_url
            shared: dict[str, Any] = {}
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    if not isinstance(operation, dict):
                        continue
                    if not any(SCHEME_NAME in r for r in operation.get("security", [])):
                        continue
                    responses = operation.setdefault("responses", {})
                    for status, (name, _) in PROTECTED_RESPONSES.items():
                        if status not in responses:
                            responses[status] = {"$ref": f"#/components/responses/{name}"}
                            shared.setdefault(name, _protected_response(status))
            if shared:
                schema.setdefault("components", {}).setdefault("responses", {}).update(shared)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _protected_response(status: str) -> dict[str, Any]:
    """The answer ``status`` of ``PROTECTED_RESPONSES`` as OpenAPI documents it."""
    response: dict[str, Any] = {
        "description": PROTECTED_RESPONSES[status][1],
        "content": {PROBLEM_JSON: {}},
    }
    if status in PROTECTED_RESPONSE_HEADERS:
        response["headers"] = PROTECTED_RESPONSE_HEADERS[status]
    return response


async def authenticate(request: Request, token: str | None) -> Principal:
    """The request's principal: validated once, then kept on ``request.state``."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    access: PartnerAccess | None = getattr(request.app.state, "partner_access", None)
    if access is None:
        raise RuntimeError("call install_partner_access(app) before using require_scopes")
    if not access.settings.enabled or access.validator is None:
        principal = Principal.of("anonymous-development", scopes=SCOPES, areas=["*"])
    else:
        if not token:
            raise Unauthenticated(
                "this operation needs a bearer token (OAuth2 client credentials)",
                reason_code="missing",
            )
        try:
            principal = await access.validator.principal(token)
        except InvalidToken as exc:
            raise Unauthenticated(exc.reason, reason_code=exc.code) from exc
        except KeysUnavailable as exc:
            log.error("cannot fetch the issuer's keys", extra={"error": str(exc)})
            raise IssuerUnavailable("the token issuer's keys cannot be fetched; retry") from exc
    request.state.principal = principal
    if access.rate_limiter is not None:
        await access.rate_limiter.hit(principal.client_id)
    return principal


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency returning the caller's ``Principal`` if it holds every scope.

    ``principal: Annotated[Principal, Security(require_scopes("survey:read"))]``
    """
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scopes {unknown}; add them to baan_shared.auth.scopes")

    async def principal_holding_scopes(
        request: Request,
        token: Annotated[str | None, Security(oauth2_scheme, scopes=list(scopes))],
    ) -> Principal:
        principal = await authenticate(request, token)
        missing = principal.missing(scopes)
        if missing:
            raise Forbidden(
                f"client {principal.client_id!r} lacks scope {' and '.join(missing)}",
                errors=[
                    field_error(
                        "header.Authorization", f"the token lacks scope {scope}", "missing-scope"
                    )
                    for scope in missing
                ],
                missing_scopes=missing,
            )
        return principal

    return principal_holding_scopes


async def current_principal(request: Request) -> Principal:
    """The principal a ``require_scopes`` dependency (e.g. on the router) already
    established for this request."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise RuntimeError("current_principal needs a require_scopes dependency first")
    return principal


def operations_without_scopes(
    app: FastAPI, *, open_paths: tuple[str, ...] = ("/health/", "/metrics")
) -> list[str]:
    """Operations in the app's OpenAPI that require no scope, e.g.
    ``["GET /v1/households"]``; a service's test asserts this is empty so that
    no endpoint is left open by mistake."""
    open_operations = []
    for path, operations in app.openapi().get("paths", {}).items():
        if path.startswith(open_paths):
            continue
        for method, operation in operations.items():
            requirements = operation.get("security") or []
            if not any(scopes for requirement in requirements for scopes in requirement.values()):
                open_operations.append(f"{method.upper()} {path}")
    return open_operations

"""A small OAuth2 token issuer for local runs and tests; never for production.

It plays the part Keycloak (or any OIDC provider) plays in production, with
the same shapes the services check: RS256 JWTs carrying ``iss``, ``aud``,
``exp``, ``client_id``, ``scope`` and ``baan_areas``, and a JWKS to verify them.

- ``DevIssuer`` mints tokens in-process (``mint_token``) and serves
  ``POST /oauth/token`` (client credentials, client id/secret by HTTP Basic or
  form), ``GET /.well-known/openid-configuration`` and ``GET /jwks.json``.
- Clients come from a TOML file (``[clients.<id>]`` with ``secret``, ``scopes``,
  ``areas``); without one, ``DEFAULT_CLIENTS`` below.
- The RSA key is generated at start, or kept in a PEM file (an instance's
  ``<data-dir>/dev-issuer/key.pem``) so that tokens printed by ``baan token``
  verify against the issuer ``baan up`` (or ``baan issuer``) runs.

The commands are ``baan issuer`` and ``baan token`` (``baan_local.cli``; the
old names ``baan-dev-issuer`` and ``baan-dev-token`` are aliases of them).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import math
import sys
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from jwt.algorithms import RSAAlgorithm

DEFAULT_ISSUER = "http://127.0.0.1:8090"
DEFAULT_AUDIENCE = "baan"
DEFAULT_LIFETIME_SECONDS = 3600

# Local runs only: the secrets are public, the issuer binds to loopback.
DEFAULT_CLIENTS = """
[clients.baan-national]
secret = "dev-national-secret"
scopes = ["survey:read", "survey:write", "survey:approve", "construction:read",
          "construction:write", "finance:read", "finance:write", "finance:disburse",
          "welfare:read", "welfare:write", "welfare:decide", "welfare:match",
          "reports:read", "reports:write", "pii:read", "audit:read", "admin"]
areas = ["*"]

[clients.bangkok-office]
secret = "dev-bangkok-secret"
scopes = ["survey:read", "survey:write", "construction:read", "finance:read", "reports:read"]
areas = ["10"]

[clients.khon-kaen-university]
secret = "dev-kku-secret"
scopes = ["survey:read", "reports:read"]
areas = ["4001"]

[clients.auditor]
secret = "dev-auditor-secret"
scopes = ["audit:read", "survey:read", "pii:read"]
areas = ["*"]
"""


@dataclass(frozen=True)
class DevClient:
    client_id: str
    secret: str
    scopes: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


def parse_clients(text: str) -> dict[str, DevClient]:
    """``[clients.<id>]`` tables with ``secret``, ``scopes`` and ``areas``."""
    data = tomllib.loads(text)
    clients: dict[str, DevClient] = {}
    for client_id, entry in data.get("clients", {}).items():
        clients[client_id] = DevClient(
            client_id=client_id,
            secret=str(entry["secret"]),
            scopes=tuple(entry.get("scopes", ())),
            areas=tuple(str(a) for a in entry.get("areas", ())),
        )
    return clients


def load_clients(path: Path | None) -> dict[str, DevClient]:
    return parse_clients(path.read_text() if path else DEFAULT_CLIENTS)


def generate_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The key in ``path``, or a new one written there (mode 0600)."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return key
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return key


def key_id(key: rsa.RSAPrivateKey) -> str:
    """A stable ``kid``: a digest of the public key."""
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.urlsafe_b64encode(hashlib.sha256(public).digest()[:12]).decode().rstrip("=")


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


def mint_token(
    key: rsa.RSAPrivateKey,
    *,
    issuer: str,
    audience: str,
    client_id: str,
    scopes: Iterable[str] = (),
    areas: Iterable[str] = (),
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    now: float | None = None,
    kid: str | None = None,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """An RS256 access token shaped like a client-credentials token from an OIDC provider."""
    issued_at = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": client_id,
        "client_id": client_id,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime_seconds,
        "jti": str(uuid.uuid4()),
        "scope": " ".join(scopes),
        "baan_areas": list(areas),
    }
    claims.update(extra_claims or {})
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid or key_id(key)})


@dataclass
class DevIssuer:
    """One signing key, the registered clients, and the issuer's identity."""

    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    key: rsa.RSAPrivateKey = field(default_factory=generate_key)
    clients: dict[str, DevClient] = field(default_factory=lambda: parse_clients(DEFAULT_CLIENTS))
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS

    @property
    def kid(self) -> str:
        return key_id(self.key)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(self.key, self.kid)]}

    def mint_token(
        self,
        client_id: str,
        scopes: Iterable[str] = (),
        areas: Iterable[str] = (),
        **options: Any,
    ) -> str:
        """A token for any client id, scopes and areas (tests); ``options`` as in
        the module-level ``mint_token`` (``lifetime_seconds``, ``now``, ``audience``…)."""
        options.setdefault("issuer", self.issuer)
        options.setdefault("audience", self.audience)
        options.setdefault("lifetime_seconds", self.lifetime_seconds)
        return mint_token(
            self.key, client_id=client_id, scopes=scopes, areas=areas, kid=self.kid, **options
        )

    def token_for(self, client_id: str, scopes: Sequence[str] | None = None) -> str:
        """A token for a registered client, with all its scopes or the subset asked for."""
        client = self.clients[client_id]
        granted = [s for s in client.scopes if scopes is None or s in scopes]
        return self.mint_token(client.client_id, granted, client.areas)

    def auth(
        self,
        client_id: str,
        scopes: Sequence[str] | None = None,
        areas: Sequence[str] | None = None,
    ) -> FreshToken:
        """An httpx ``auth`` that sends ``client_id``'s bearer token and mints it again
        before it expires. A registered client gets its own scopes (or the subset asked
        for) and areas; any other id the ``scopes`` and ``areas`` given."""
        if client_id in self.clients and areas is None:
            return FreshToken(lambda: self.token_for(client_id, scopes), self.lifetime_seconds)
        return FreshToken(
            lambda: self.mint_token(client_id, scopes or (), areas or ()), self.lifetime_seconds
        )

    def app(self) -> FastAPI:
        return create_issuer_app(self)

    def service_environment(self, *, embed_jwks: bool = False) -> dict[str, str]:
        """The ``AUTH_*`` variables that make a service trust this issuer.

        ``embed_jwks`` hands the services the key set itself (no HTTP fetch), for
        test platforms that run the services without a running issuer.
        """
        base = self.issuer.rstrip("/")
        env = {
            "AUTH_ISSUER": self.issuer,
            "AUTH_AUDIENCE": self.audience,
            "AUTH_JWKS_URL": f"{base}/jwks.json",
            "AUTH_TOKEN_URL": f"{base}/oauth/token",
        }
        if embed_jwks:
            env["AUTH_JWKS_JSON"] = json.dumps(self.jwks())
        return env


class FreshToken(httpx.Auth):
    """A bearer token from ``mint``, minted again once half of ``lifetime_seconds`` has
    passed, as a real client refreshes its token: work that runs longer than a token
    lives (seed 003's whole welfare table, a national year of contribution sheets) keeps
    its access instead of meeting 401 "the token has expired" after an hour."""

    def __init__(
        self,
        mint: Callable[[], str],
        lifetime_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mint, self.clock = mint, clock
        self.refresh_after = lifetime_seconds / 2
        self.token, self.minted = "", -math.inf

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.clock() - self.minted >= self.refresh_after:
            self.token, self.minted = self.mint(), self.clock()
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class DevIssuerServer:
    """The issuer's HTTP endpoints served by uvicorn in a thread of this process
    (``baan-up``, tests); ``stop()`` ends it."""

    def __init__(self, issuer: DevIssuer, port: int, host: str = "127.0.0.1") -> None:
        import uvicorn

        self.issuer = issuer
        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(
            uvicorn.Config(issuer.app(), host=host, port=port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, name="dev-issuer", daemon=True)

    def start(self, timeout: float = 20.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the dev issuer did not start on {self.url}")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=timeout)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    # RFC 6749 §5.2: token endpoint errors are plain OAuth2 JSON, not problem+json,
    # because OAuth2 client libraries parse exactly this shape.
    headers = {"WWW-Authenticate": 'Basic realm="baan-dev-issuer"'} if status == 401 else None
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def create_issuer_app(issuer: DevIssuer) -> FastAPI:
    app = FastAPI(title="Baan development token issuer", docs_url=None, redoc_url=None)

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        base = issuer.issuer.rstrip("/")
        return {
            "issuer": issuer.issuer,
            "token_endpoint": f"{base}/oauth/token",
            "jwks_uri": f"{base}/jwks.json",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": sorted({s for c in issuer.clients.values() for s in c.scopes}),
        }

    @app.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    @app.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "only grant_type=client_credentials is supported"
            )
        credentials = _basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            credentials = (form.get("client_id", ""), form.get("client_secret", ""))
        client = issuer.clients.get(credentials[0])
        if client is None or not hmac.compare_digest(client.secret, credentials[1]):
            return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
        asked = form.get("scope", "").split() or None
        if asked is not None:
            refused = [s for s in asked if s not in client.scopes]
            if refused:
                return _oauth_error(400, "invalid_scope", f"not granted: {' '.join(refused)}")
        access_token = issuer.token_for(client.client_id, asked)
        granted = [s for s in client.scopes if asked is None or s in asked]
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": issuer.lifetime_seconds,
                "scope": " ".join(granted),
            },
            headers={"Cache-Control": "no-store"},
        )

    return app


def serve_main(argv: list[str] | None = None) -> int:
    """``baan-dev-issuer``: the old name of ``baan issuer``."""
    from baan_local.cli import main as baan

    return baan(["issuer", *(sys.argv[1:] if argv is None else argv)])


def token_main(argv: list[str] | None = None) -> int:
    """Print a token signed with the key in ``--key-file`` (made there if missing).

    The library form kept for scripts and tests that hold their own key file; the
    command is ``baan token`` (``baan-dev-token``), which reads the key and the
    issuer URL of a running instance and never makes a key.
    """
    parser = argparse.ArgumentParser(
        prog="baan_local.dev_issuer", description="Print a development access token."
    )
    parser.add_argument("--issuer", default=DEFAULT_ISSUER, help="the iss claim")
    parser.add_argument("--audience", default=DEFAULT_AUDIENCE, help="the aud claim")
    parser.add_argument("--key-file", type=Path, required=True, help="the signing key (PEM)")
    parser.add_argument("--clients", type=Path, default=None, help="TOML file of clients")
    parser.add_argument("--client", required=True, help="a client id from the clients file")
    parser.add_argument("--scope", action="append", help="only these scopes (repeatable)")
    args = parser.parse_args(argv)
    issuer = DevIssuer(
        issuer=args.issuer,
        audience=args.audience,
        key=load_or_create_key(args.key_file),
        clients=load_clients(args.clients),
    )
    if args.client not in issuer.clients:
        print(f"unknown client {args.client!r}; known: {sorted(issuer.clients)}", file=sys.stderr)
        return 2
    print(issuer.token_for(args.client, args.scope))
    return 0


if __name__ == "__main__":
    sys.exit(serve_main())

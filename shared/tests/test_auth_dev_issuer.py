"""The development issuer over real HTTP on 127.0.0.1: a partner gets a token
by client credentials, and a service fetches the issuer's JWKS to check it,
exactly as it would with Keycloak in production."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import FastAPI, Security

from baan_local.dev_issuer import (
    DevIssuer,
    DevIssuerServer,
    FreshToken,
    generate_key,
    load_or_create_key,
    parse_clients,
    token_main,
)
from baan_local.ports import free_port
from baan_shared.auth import AuthSettings, Principal, install_partner_access, require_scopes
from baan_shared.http.errors import install_error_handlers

CLIENTS = """
[clients.bangkok-office]
secret = "s3cret"
scopes = ["survey:read", "reports:read"]
areas = ["10"]
"""


@pytest.fixture
def running_issuer() -> Iterator[DevIssuerServer]:
    port = free_port()
    issuer = DevIssuer(
        issuer=f"http://127.0.0.1:{port}", audience="baan", clients=parse_clients(CLIENTS)
    )
    running = DevIssuerServer(issuer, port)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _service(settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    # No database here: rate limits and the audit middleware are tested elsewhere.
    install_partner_access(
        app, settings.model_copy(update={"rate_limit_enabled": False}), audit_writes=False
    )

    @app.get("/v1/reports/progress")
    async def progress(
        principal: Annotated[Principal, Security(require_scopes("reports:read"))],
    ) -> dict[str, object]:
        return {"client": principal.client_id, "areas": sorted(principal.areas)}

    return app


async def _call(app: FastAPI, token: str) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://reporting.test",
    ) as client:
        return await client.get(
            "/v1/reports/progress", headers={"Authorization": f"Bearer {token}"}
        )


async def _token(issuer_url: str, **request: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=issuer_url) as client:
        return await client.post("/oauth/token", **request)  # type: ignore[arg-type]


async def test_with_the_key_set_embedded_services_need_no_running_issuer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issuer = DevIssuer(issuer=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    for name, value in issuer.service_environment(embed_jwks=True).items():
        monkeypatch.setenv(name, value)
    token = issuer.token_for("bangkok-office")
    assert (await _call(_service(AuthSettings()), token)).status_code == 200


async def test_a_client_credentials_token_is_checked_against_the_fetched_jwks(
    running_issuer: DevIssuerServer,
) -> None:
    async with httpx.AsyncClient(base_url=running_issuer.url) as client:
        discovery = (await client.get("/.well-known/openid-configuration")).json()
    issued = await _token(
        running_issuer.url,
        data={"grant_type": "client_credentials"},
        auth=("bangkok-office", "s3cret"),
    )
    assert issued.status_code == 200
    assert issued.json()["token_type"] == "Bearer"
    assert issued.json()["scope"] == "survey:read reports:read"

    settings = AuthSettings(issuer=discovery["issuer"], jwks_url=discovery["jwks_uri"])
    response = await _call(_service(settings), issued.json()["access_token"])
    assert response.status_code == 200
    assert response.json() == {"client": "bangkok-office", "areas": ["10"]}


async def test_a_client_working_longer_than_a_token_lives_keeps_its_access(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The full welfare acceptance stopped after an hour with 401 "the token has
    expired": its client had one token for the whole feed."""
    issuer = DevIssuer(issuer=f"http://127.0.0.1:{free_port()}", clients=parse_clients(CLIENTS))
    for name, value in issuer.service_environment(embed_jwks=True).items():
        monkeypatch.setenv(name, value)
    app = _service(AuthSettings())
    an_hour_ago = issuer.mint_token(
        "bangkok-office", ["reports:read"], ["10"], now=time.time() - issuer.lifetime_seconds - 60
    )
    refused = await _call(app, an_hour_ago)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "the token has expired"

    now = [0.0]
    auth = issuer.auth("bangkok-office")
    auth.clock = lambda: now[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting.test", auth=auth
    ) as client:
        first = await client.get("/v1/reports/progress")
        sent = auth.token
        now[0] = issuer.lifetime_seconds / 2 - 1
        await client.get("/v1/reports/progress")
        assert auth.token == sent  # the same token while it has half its life left
        now[0] = issuer.lifetime_seconds / 2
        later = await client.get("/v1/reports/progress")
    assert auth.token != sent  # minted again, long before the first expired
    assert first.status_code == later.status_code == 200
    assert later.json() == {"client": "bangkok-office", "areas": ["10"]}


def test_an_unregistered_client_gets_the_scopes_and_areas_asked_for() -> None:
    issuer = DevIssuer(clients=parse_clients(CLIENTS))
    auth = issuer.auth("province-50-office", ["reports:read"], ["50"])
    assert isinstance(auth, FreshToken)
    claims = jwt.decode(auth.mint(), options={"verify_signature": False})
    assert (claims["client_id"], claims["scope"], claims["baan_areas"]) == (
        "province-50-office",
        "reports:read",
        ["50"],
    )


async def test_the_environment_it_hands_services_makes_them_trust_it(
    running_issuer: DevIssuerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in running_issuer.issuer.service_environment().items():
        monkeypatch.setenv(name, value)
    token = running_issuer.issuer.token_for("bangkok-office")
    assert (await _call(_service(AuthSettings()), token)).status_code == 200


async def test_credentials_in_the_form_and_a_narrower_scope(
    running_issuer: DevIssuerServer,
) -> None:
    issued = await _token(
        running_issuer.url,
        data={
            "grant_type": "client_credentials",
            "client_id": "bangkok-office",
            "client_secret": "s3cret",
            "scope": "survey:read",
        },
    )
    assert issued.status_code == 200
    settings = AuthSettings(issuer=running_issuer.url)
    response = await _call(_service(settings), issued.json()["access_token"])
    assert response.status_code == 403
    assert response.json()["missing_scopes"] == ["reports:read"]


async def test_a_wrong_secret_or_grant_gets_no_token(running_issuer: DevIssuerServer) -> None:
    wrong_secret = await _token(
        running_issuer.url,
        data={"grant_type": "client_credentials"},
        auth=("bangkok-office", "guess"),
    )
    password_grant = await _token(
        running_issuer.url,
        data={"grant_type": "password", "username": "x", "password": "y"},
        auth=("bangkok-office", "s3cret"),
    )
    ungranted_scope = await _token(
        running_issuer.url,
        data={"grant_type": "client_credentials", "scope": "pii:read"},
        auth=("bangkok-office", "s3cret"),
    )
    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
    assert password_grant.json()["error"] == "unsupported_grant_type"
    assert ungranted_scope.json()["error"] == "invalid_scope"


async def test_a_rotated_key_is_picked_up_without_a_restart(
    running_issuer: DevIssuerServer,
) -> None:
    app = _service(AuthSettings(issuer=running_issuer.url, jwks_refetch_cooldown_seconds=0))
    before = running_issuer.issuer.token_for("bangkok-office")
    assert (await _call(app, before)).status_code == 200

    running_issuer.issuer.key = generate_key()  # the provider rotates its signing key
    after = running_issuer.issuer.token_for("bangkok-office")
    assert (await _call(app, after)).status_code == 200


async def test_unknown_kids_refetch_the_jwks_at_most_once_per_cooldown(
    running_issuer: DevIssuerServer,
) -> None:
    app = _service(AuthSettings(issuer=running_issuer.url, jwks_refetch_cooldown_seconds=3600))
    assert (await _call(app, running_issuer.issuer.token_for("bangkok-office"))).status_code == 200
    running_issuer.issuer.key = generate_key()
    # Within the cooldown the new kid is unknown: 401, and the client retries later.
    response = await _call(app, running_issuer.issuer.token_for("bangkok-office"))
    assert response.status_code == 401
    assert "no signing key" in response.json()["detail"]


async def test_an_unreachable_jwks_is_503_not_401() -> None:
    settings = AuthSettings(issuer="http://127.0.0.1:1", jwks_timeout_seconds=1)
    token = DevIssuer(issuer="http://127.0.0.1:1").token_for("bangkok-office")
    response = await _call(_service(settings), token)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "retry-after" in response.headers


def test_baan_dev_token_prints_a_token_the_issuer_key_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key.pem"
    clients = tmp_path / "clients.toml"
    clients.write_text(CLIENTS)
    argv = ["--key-file", str(key_file), "--clients", str(clients), "--client", "bangkok-office"]
    assert token_main(argv) == 0
    token = capsys.readouterr().out.strip()
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # A second run reuses the key: both tokens verify against one JWKS.
    assert token_main(argv) == 0
    second = capsys.readouterr().out.strip()
    issuer = DevIssuer(key=load_or_create_key(key_file))
    for minted in (token, second):
        claims = jwt.decode(
            minted,
            jwt.PyJWKSet.from_dict(issuer.jwks()).keys[0].key,
            algorithms=["RS256"],
            audience="baan",
        )
        assert claims["client_id"] == "bangkok-office"
        assert claims["baan_areas"] == ["10"]
    assert token_main([*argv[:4], "--client", "nobody"]) == 2

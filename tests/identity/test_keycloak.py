"""Partner access against a real Keycloak (issue 20): the survey service trusts the
``baan`` realm through its JWKS, as in production (ADR 0003, "Keycloak in production").

Tokens come from Keycloak's token endpoint (client credentials). The service
reaches Keycloak's JWKS through a small counting proxy, so the tests can say how
often it fetched the key set: once for a rotated key, never for a flood of
made-up kids.
"""

import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from stdnum.th import pin

from baan_local.keycloak import LocalKeycloak
from baan_shared.auth import AuthSettings
from survey.main import create_app
from survey.settings import SurveySettings

pytestmark = [pytest.mark.e2e]

BASE_URL = "http://survey"
NATIONAL = "baan-national"  # areas *, every scope
BANGKOK = "baan-province-10"  # areas 10, survey:read and survey:write only
# Short, so the rotated key is fetched after a short wait; the flood runs against a
# replica with a long one.
COOLDOWN_SECONDS = 1.0


class JwksProxy:
    """Forwards GETs to Keycloak's JWKS URL and counts them."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.fetched_at: list[float] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer = httpx.get(proxy.target, timeout=30)
                proxy.fetched_at.append(time.monotonic())
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def fetches(self) -> int:
        return len(self.fetched_at)

    def wait_out_cooldown(self, seconds: float) -> None:
        """Sleep until ``seconds`` have passed since the last fetch (not an assertion)."""
        if self.fetched_at:
            time.sleep(max(0.0, self.fetched_at[-1] + seconds - time.monotonic()) + 0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def jwks_proxy(keycloak: LocalKeycloak) -> Iterator[JwksProxy]:
    proxy = JwksProxy(keycloak.jwks_url("baan"))
    yield proxy
    proxy.close()


def _auth(keycloak: LocalKeycloak, proxy: JwksProxy, cooldown: float) -> AuthSettings:
    """What AUTH_ISSUER, AUTH_JWKS_URL, AUTH_TOKEN_URL and AUTH_AUDIENCE say in production.

    No static key set, whatever the test session's environment holds (the session's
    test issuer puts its keys in AUTH_JWKS_JSON for the other suites).
    """
    return AuthSettings(
        issuer=keycloak.issuer("baan"),
        jwks_url=proxy.url,
        jwks_json=None,
        jwks_file=None,
        token_url=keycloak.token_url("baan"),
        audience="baan",
        jwks_refetch_cooldown_seconds=cooldown,
    )


@asynccontextmanager
async def _survey(directory: Path, auth: AuthSettings) -> AsyncIterator[FastAPI]:
    settings = SurveySettings(
        database_url=f"sqlite+aiosqlite:///{directory}/survey.db",
        import_spool_dir=directory / "imports",
        storage_dir=str(directory / "photos"),
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    application = create_app(settings, auth)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="module")
async def survey(
    tmp_path_factory: pytest.TempPathFactory, keycloak: LocalKeycloak, jwks_proxy: JwksProxy
) -> AsyncIterator[FastAPI]:
    """The survey service trusting Keycloak's ``baan`` realm."""
    auth = _auth(keycloak, jwks_proxy, COOLDOWN_SECONDS)
    async with _survey(tmp_path_factory.mktemp("survey"), auth) as application:
        yield application


def _client(app: FastAPI, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {token}"},
    )


def _household(province: str, serial: int) -> dict[str, Any]:
    base = f"{1_1017_20000_00 + serial:012d}"
    return {
        "programme": "BAAN_PHO_PHIANG",
        "head_name": "นางสมศรี ใจดี",
        "national_id": base + pin.calc_check_digit(base),
        "province_code": province,
        "district_code": f"{province}01",
        "subdistrict_code": f"{province}0101",
        "village": "หมู่ 3",
        "household_size": 4,
        "monthly_income_satang": 450_000,
        "need": "repair",
        "estimated_cost_satang": 2_000_000,
    }


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_keycloak_tokens_carry_scopes_and_areas(
    survey: FastAPI, keycloak: LocalKeycloak
) -> None:
    national_token = keycloak.token(NATIONAL)
    claims = jwt.decode(national_token, options={"verify_signature": False})
    assert claims["aud"] == "baan"
    assert claims["azp"] == NATIONAL
    assert claims["baan_areas"] == "*"

    async with _client(survey, national_token) as national:
        registered = {}
        for serial, province in enumerate(("10", "57")):
            answer = await national.post("/v1/households", json=_household(province, serial))
            assert answer.status_code == 201, answer.text
            registered[province] = answer.json()["id"]
        everything = await national.get("/v1/households")
        assert everything.status_code == 200, everything.text
        assert {h["id"] for h in everything.json()["items"]} == set(registered.values())

    async with _client(survey, keycloak.token(BANGKOK)) as bangkok:
        own = await bangkok.get("/v1/households")
        assert own.status_code == 200, own.text
        assert [h["id"] for h in own.json()["items"]] == [registered["10"]]
        elsewhere = await bangkok.get(f"/v1/households/{registered['57']}")
        assert elsewhere.status_code == 404
        # survey:approve is not among the province's client scopes in the realm
        refused = await bangkok.post(
            f"/v1/households/{registered['10']}/screen", json={"decided_by": "committee"}
        )
        assert refused.status_code == 403, refused.text
        assert "survey:approve" in refused.text


async def test_a_token_from_another_realm_is_refused(
    survey: FastAPI, keycloak: LocalKeycloak
) -> None:
    foreign = keycloak.token(NATIONAL, realm="other")
    claims = jwt.decode(foreign, options={"verify_signature": False})
    assert claims["iss"] == keycloak.issuer("other")
    assert claims["aud"] == "baan" and claims["baan_areas"] == "*"  # a perfect look-alike

    async with _client(survey, foreign) as other:
        answer = await other.get("/v1/households")
    assert answer.status_code == 401, answer.text
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


async def test_the_service_follows_a_key_rotation(
    survey: FastAPI, keycloak: LocalKeycloak, jwks_proxy: JwksProxy
) -> None:
    before = keycloak.token(NATIONAL)
    async with _client(survey, before) as http:
        assert (await http.get("/v1/households")).status_code == 200  # the old key is cached

    new_kid = keycloak.rotate_signing_key("baan")  # new key active, old one passive
    after = keycloak.token(NATIONAL)
    assert _kid(after) == new_kid != _kid(before)

    jwks_proxy.wait_out_cooldown(COOLDOWN_SECONDS)
    fetches = jwks_proxy.fetches
    async with _client(survey, after) as http:
        answer = await http.get("/v1/households")
    assert answer.status_code == 200, answer.text
    assert jwks_proxy.fetches == fetches + 1  # the unknown kid refetched the key set, once

    # tokens signed before the rotation verify until they expire (the old key is passive)
    async with _client(survey, before) as http:
        assert (await http.get("/v1/households")).status_code == 200
    assert jwks_proxy.fetches == fetches + 1


async def test_made_up_kids_do_not_hammer_the_issuer(
    tmp_path: Path, keycloak: LocalKeycloak, jwks_proxy: JwksProxy
) -> None:
    """A replica with the usual cooldown: a flood of tokens with unknown kids, signed
    by a key Keycloak never had, fetches the key set no more than its first request did."""
    async with _survey(tmp_path, _auth(keycloak, jwks_proxy, cooldown=600)) as replica:
        async with _client(replica, keycloak.token(NATIONAL)) as http:
            assert (await http.get("/v1/households")).status_code == 200
        fetches = jwks_proxy.fetches

        forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        for _ in range(50):
            forged = jwt.encode(
                {
                    "iss": keycloak.issuer("baan"),
                    "aud": "baan",
                    "azp": NATIONAL,
                    "scope": "survey:read",
                    "baan_areas": "*",
                    "iat": now,
                    "exp": now + 300,
                },
                forger,
                algorithm="RS256",
                headers={"kid": uuid.uuid4().hex},
            )
            async with _client(replica, forged) as http:
                answer = await http.get("/v1/households")
            assert answer.status_code == 401, answer.text
        assert jwks_proxy.fetches == fetches


async def test_a_rotation_announced_in_advance_needs_no_refetch(
    tmp_path: Path, keycloak: LocalKeycloak, jwks_proxy: JwksProxy
) -> None:
    """ADR 0003's rotation without a single 401: the new key is published passive
    first, the replicas cache it (here: a replica starting now; in production, after
    AUTH_JWKS_CACHE_SECONDS), then it signs. Its cooldown would forbid any refetch."""
    current = keycloak.token(NATIONAL)
    announced = keycloak.add_signing_key("baan", active=False)
    assert _kid(keycloak.token(NATIONAL)) == _kid(current) != announced

    async with _survey(tmp_path, _auth(keycloak, jwks_proxy, cooldown=600)) as replica:
        async with _client(replica, current) as http:
            assert (await http.get("/v1/households")).status_code == 200
        fetches = jwks_proxy.fetches

        keycloak.activate_signing_key("baan", announced)
        rotated = keycloak.token(NATIONAL)
        assert _kid(rotated) == announced
        async with _client(replica, rotated) as http:
            answer = await http.get("/v1/households")
        assert answer.status_code == 200, answer.text
        assert jwks_proxy.fetches == fetches

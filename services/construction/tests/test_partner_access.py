"""Partner access (issue 7): every operation needs a token with the right scope,
each client only sees and changes its own areas, and a client over its rate
limit is told to wait."""

import httpx
import pytest
from construction_auth import ClientFor, auth_settings_for
from fastapi import FastAPI

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings, operations_without_scopes
from baan_shared.auth.scopes import CONSTRUCTION_READ, SURVEY_READ
from construction.main import create_app
from construction.settings import ConstructionSettings


def test_every_operation_names_its_scope() -> None:
    assert operations_without_scopes(create_app(ConstructionSettings())) == []


class TestTokens:
    async def test_no_token_is_401_problem(self, app: FastAPI) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://c") as anonymous:
            response = await anonymous.get("/v1/house-works")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == "header.Authorization"

    async def test_a_forged_token_is_401(self, app: FastAPI) -> None:
        forged = DevIssuer().mint_token("intruder", [CONSTRUCTION_READ], ["*"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://c", headers={"Authorization": f"Bearer {forged}"}
        ) as intruder:
            response = await intruder.get("/v1/projects")
        assert response.status_code == 401

    async def test_a_reader_cannot_write(self, reader_client: httpx.AsyncClient) -> None:
        response = await reader_client.post("/v1/projects", json={})
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_another_services_scope_is_403(self, client_for: ClientFor) -> None:
        async with client_for("survey-only", [SURVEY_READ], ["*"]) as survey_only:
            response = await survey_only.get("/v1/house-works")
        assert response.status_code == 403

    async def test_health_needs_no_token(self, app: FastAPI) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://c") as probe:
            response = await probe.get("/health/live")
        assert response.status_code == 200


@pytest.fixture
def auth_settings(issuer: DevIssuer) -> AuthSettings:
    """A small limit so a few requests exceed it."""
    return auth_settings_for(issuer, rate_limit_requests=3, rate_limit_window_seconds=3600)


class TestRateLimit:
    async def test_a_client_over_its_limit_is_429_with_retry_after(
        self, client: httpx.AsyncClient
    ) -> None:
        answers = [(await client.get("/v1/projects")).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        refused = await client.get("/v1/projects")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0

"""Partner access (issue 7): every operation needs a token with the right scope, and
a client over its rate limit is told to wait. Areas: test_construction_areas.py."""

from collections import defaultdict

import httpx
import pytest
from construction_auth import BASE_URL, ClientFor
from construction_factories import (
    UNKNOWN_ID,
    plan_house,
    project_body,
)
from fastapi import FastAPI
from test_milestones import SIMPLE_REPAIR

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings, operations_without_scopes
from baan_shared.auth.scopes import (
    ADMIN,
    AUDIT_READ,
    CONSTRUCTION_READ,
    CONSTRUCTION_WRITE,
    SURVEY_READ,
)
from baan_testkit import auth as auth_testing
from baan_testkit.auth import Refusal, refusal_without, served_operations
from construction.main import create_app
from construction.settings import ConstructionSettings


def test_every_operation_names_its_scope() -> None:
    assert operations_without_scopes(create_app(ConstructionSettings())) == []


OPEN = ("/health/", "/metrics", "/docs", "/redoc", "/openapi.json")


def needed_scopes(method: str, path: str) -> list[str]:
    """What each kind of operation must require (docs/adr/0003-partner-access.md)."""
    if path == "/v1/audit-log":
        return [AUDIT_READ]
    if method == "PUT" and path.startswith("/v1/milestone-templates/"):
        return sorted([CONSTRUCTION_WRITE, ADMIN])
    return [CONSTRUCTION_READ] if method == "GET" else [CONSTRUCTION_WRITE]


def _any_ids(path: str) -> str:
    """The path with made-up values: the scope check comes before any lookup."""
    values = defaultdict(lambda: UNKNOWN_ID, programme="CANAL", work_type="repair", code="roof")
    return path.format_map(values)


async def test_every_route_refuses_a_token_without_its_scopes(
    app: FastAPI, client_for: ClientFor
) -> None:
    """A client holding every scope but an operation's own is told, on every route,
    exactly which scopes it lacks; without a token every route is 401."""
    operations = served_operations(app)
    protected = [(m, p) for m, p in operations if not p.startswith(OPEN)]
    refused, anonymous = {}, {}
    for method, path in protected:
        answer = await refusal_without(
            client_for, method, _any_ids(path), needed_scopes(method, path)
        )
        refused[(method, path)] = answer._replace(missing_scopes=sorted(answer.missing_scopes))
    async with auth_testing.asgi_client(app, BASE_URL) as nobody:
        for method, path in protected:
            anonymous[(method, path)] = (await nobody.request(method, _any_ids(path))).status_code

    problem = "application/problem+json"
    assert refused == {(m, p): Refusal(403, problem, needed_scopes(m, p)) for m, p in protected}
    assert anonymous == {operation: 401 for operation in protected}
    assert sorted(set(operations) - set(protected)) == [
        ("GET", "/docs"),
        ("GET", "/docs/oauth2-redirect"),
        ("GET", "/health/live"),
        ("GET", "/health/ready"),
        ("GET", "/metrics"),
        ("GET", "/openapi.json"),
        ("GET", "/redoc"),
    ]
    assert len(protected) > 40  # every router was walked


class TestMilestoneTemplates:
    """A template is a national programme rule: only an administrator changes it."""

    async def test_a_provincial_writer_cannot_change_a_template(
        self, bangkok_client: httpx.AsyncClient
    ) -> None:
        path = "/v1/milestone-templates/BAAN_PHO_PHIANG/repair"
        before = (await bangkok_client.get(path)).json()
        response = await bangkok_client.put(path, json=SIMPLE_REPAIR)
        assert response.status_code == 403
        assert response.json()["missing_scopes"] == [ADMIN]
        assert (await bangkok_client.get(path)).json() == before

    async def test_an_administrator_can(self, admin_client: httpx.AsyncClient) -> None:
        path = "/v1/milestone-templates/BAAN_PHO_PHIANG/repair"
        response = await admin_client.put(path, json=SIMPLE_REPAIR)
        assert response.status_code == 200, response.text
        assert response.json()["customised"] is True


class TestTokens:
    async def test_no_token_is_401_problem(self, app: FastAPI) -> None:
        async with auth_testing.asgi_client(app, BASE_URL) as anonymous:
            response = await anonymous.get("/v1/house-works")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == "header.Authorization"

    async def test_a_forged_token_is_401(self, app: FastAPI) -> None:
        forged = auth_testing.token_headers(DevIssuer(), "intruder", [CONSTRUCTION_READ], ["*"])
        async with auth_testing.asgi_client(app, BASE_URL, forged) as intruder:
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
        async with auth_testing.asgi_client(app, BASE_URL) as probe:
            response = await probe.get("/health/live")
        assert response.status_code == 200


class TestRateLimit:
    @pytest.fixture
    def auth_settings(self, issuer: DevIssuer) -> AuthSettings:
        """A small limit so a few requests exceed it."""
        return auth_testing.auth_settings(
            issuer, rate_limit_requests=3, rate_limit_window_seconds=3600
        )

    async def test_a_client_over_its_limit_is_429_with_retry_after(
        self, client: httpx.AsyncClient
    ) -> None:
        answers = [(await client.get("/v1/projects")).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        refused = await client.get("/v1/projects")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0


class TestIdempotencyKey:
    async def test_a_retried_project_creation_answers_the_first_and_creates_one(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "project-2026-01"}
        first = await client.post("/v1/projects", json=project_body(), headers=headers)
        retry = await client.post("/v1/projects", json=project_body(), headers=headers)
        listed = (await client.get("/v1/projects")).json()["items"]

        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert [p["id"] for p in listed] == [first.json()["id"]]

    async def test_the_same_key_with_another_body_is_422_naming_the_header(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "project-2026-02"}
        await client.post("/v1/projects", json=project_body(), headers=headers)
        other = await client.post(
            "/v1/projects", json=project_body(name="อีกโครงการ"), headers=headers
        )
        assert other.status_code == 422
        assert other.json()["errors"][0]["field"] == "header.idempotency-key"

    async def test_a_retried_house_report_moves_it_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house = await plan_house(app)
        headers = {"Idempotency-Key": "ready-1"}
        body = {"reported_by": "ผู้ประสานงาน"}
        first = await client.post(f"/v1/house-works/{house}/ready", json=body, headers=headers)
        retry = await client.post(f"/v1/house-works/{house}/ready", json=body, headers=headers)
        again = await client.post(f"/v1/house-works/{house}/ready", json=body)

        # Without the key the same report is refused: the house is ready already.
        assert (first.status_code, retry.status_code, again.status_code) == (200, 200, 409)
        assert retry.json() == first.json()


async def test_the_audit_log_names_a_created_project(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/projects", json=project_body())
    rows = (await client.get("/v1/audit-log", params={"resource_type": "projects"})).json()
    assert created.status_code == 201
    assert [(r["client_id"], r["resource_id"], r["status"]) for r in rows["items"]] == [
        ("baan-national", created.json()["id"], 201)
    ]


async def test_an_auditor_bound_to_areas_is_refused_the_audit_log(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    """The log records every area's requests (paths, ids): national auditors only."""
    created = await client.post("/v1/projects", json=project_body())
    async with client_for("chiang-rai-auditor", [AUDIT_READ, CONSTRUCTION_READ], ["57"]) as local:
        refused = await local.get("/v1/audit-log")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["code"] for e in refused.json()["errors"]] == ["national-only"]
    assert created.json()["id"] not in refused.text

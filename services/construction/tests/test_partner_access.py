"""Partner access (issue 7): every operation needs a token with the right scope,
each client only sees and changes its own areas, and a client over its rate
limit is told to wait."""

import httpx
import pytest
from construction_auth import ClientFor, auth_settings_for
from construction_factories import (
    assign,
    create,
    create_project,
    plan_house,
    project_body,
    purchase_order_body,
)
from fastapi import FastAPI

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings, Principal, operations_without_scopes
from baan_shared.auth.scopes import CONSTRUCTION_READ, SURVEY_READ
from baan_shared.auth.testing import area_leaks
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


class TestRateLimit:
    @pytest.fixture
    def auth_settings(self, issuer: DevIssuer) -> AuthSettings:
        """A small limit so a few requests exceed it."""
        return auth_settings_for(issuer, rate_limit_requests=3, rate_limit_window_seconds=3600)

    async def test_a_client_over_its_limit_is_429_with_retry_after(
        self, client: httpx.AsyncClient
    ) -> None:
        answers = [(await client.get("/v1/projects")).status_code for _ in range(3)]
        assert answers == [200, 200, 200]
        refused = await client.get("/v1/projects")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0


class TestAreas:
    """Two provinces seeded: Bangkok (10) and Chiang Rai (57); the Bangkok office
    sees and touches only Bangkok's house works, projects, orders and milestones."""

    async def _seed(self, app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
        bangkok = {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101"}
        bangkok_house = await plan_house(app, **bangkok)
        chiang_rai_house = await plan_house(app)  # the factories' default: 57
        bangkok_project = await create_project(client, **bangkok)
        chiang_rai_project = await create_project(
            client, planned_start_on="2025-01-01", planned_end_on="2025-06-30"
        )
        await assign(client, bangkok_project["id"], bangkok_house)
        await assign(client, chiang_rai_project["id"], chiang_rai_house)
        order = await create(
            client,
            f"/v1/projects/{chiang_rai_project['id']}/purchase-orders",
            purchase_order_body(),
        )
        return {
            "bangkok_house": bangkok_house,
            "chiang_rai_house": chiang_rai_house,
            "chiang_rai_project": chiang_rai_project["id"],
            "chiang_rai_order": order["id"],
        }

    async def test_no_list_or_export_shows_another_areas_rows(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        seeded = await self._seed(app, client)

        leaks = await area_leaks(bangkok_client, app, Principal.of("bkk", areas=["10"]))
        own = (await bangkok_client.get("/v1/house-works")).json()["items"]
        overdue_for_all = (await client.get("/v1/milestones/overdue")).json()["items"]

        assert leaks == {}
        assert [h["id"] for h in own] == [seeded["bangkok_house"]]  # it does see its own
        assert overdue_for_all  # the overdue list had Chiang Rai rows to leak

    async def test_the_export_holds_only_the_clients_area(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        seeded = await self._seed(app, client)
        response = await bangkok_client.get("/v1/house-works/export")
        assert response.status_code == 200
        assert seeded["bangkok_house"] in response.text
        assert seeded["chiang_rai_house"] not in response.text

    @pytest.mark.parametrize(
        "path",
        [
            "/v1/house-works/{chiang_rai_house}",
            "/v1/house-works/{chiang_rai_house}/history",
            "/v1/house-works/{chiang_rai_house}/milestones",
            "/v1/house-works/{chiang_rai_house}/labour",
            "/v1/house-works/{chiang_rai_house}/costs",
            "/v1/projects/{chiang_rai_project}",
            "/v1/projects/{chiang_rai_project}/summary",
            "/v1/projects/{chiang_rai_project}/purchase-orders",
            "/v1/purchase-orders/{chiang_rai_order}",
            "/v1/purchase-orders/{chiang_rai_order}/deliveries",
        ],
    )
    async def test_another_areas_record_is_404_like_a_missing_one(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        path: str,
    ) -> None:
        seeded = await self._seed(app, client)
        response = await bangkok_client.get(path.format(**seeded))
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_another_areas_house_work_cannot_be_reported_on(
        self, app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
    ) -> None:
        seeded = await self._seed(app, client)
        response = await bangkok_client.post(
            f"/v1/house-works/{seeded['chiang_rai_house']}/ready", json={"reported_by": "x"}
        )
        house = (await client.get(f"/v1/house-works/{seeded['chiang_rai_house']}")).json()
        assert response.status_code == 404
        assert house["status"] == "planned"

    async def test_a_project_in_another_area_is_403(
        self, bangkok_client: httpx.AsyncClient
    ) -> None:
        response = await bangkok_client.post("/v1/projects", json=project_body())
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")


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

"""Every number a client sends has an upper bound: too large is a 422 naming the field,
never an overflow in the database (a 500), and the limits are in the published contract."""

from typing import Any

import httpx
import pytest
from construction_factories import (
    assign,
    create,
    create_project,
    plan_house,
    post,
    purchase_order_body,
)
from fastapi import FastAPI

from baan_shared.http.bounds import MAX_SATANG
from baan_testkit.auth import integers_in_requests, unbounded_integers
from construction.main import create_app
from construction.settings import ConstructionSettings

ORDER_PATH = "POST /v1/projects/{project_id}/purchase-orders"


def test_every_integer_a_client_sends_has_an_upper_bound() -> None:
    app = create_app(ConstructionSettings())
    integers = dict(integers_in_requests(app))
    assert unbounded_integers(app) == []
    # The walk reaches into bodies, nested lists and query parameters.
    assert integers[f"{ORDER_PATH} body.unit_price_satang"]["maximum"] == MAX_SATANG
    template = "PUT /v1/milestone-templates/{programme}/{work_type} body.milestones.N.percent"
    assert integers[template]["maximum"] == 100
    assert integers["GET /v1/house-works query.limit"]["maximum"] == 500


class _WithAnOrder:
    """Classes here (and their PostgreSQL re-runs) get the ``seeded`` fixture."""

    @pytest.fixture
    async def seeded(self, app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
        """A house under construction in a project with a purchase order."""
        house = await plan_house(app)
        project = await create_project(client)
        await assign(client, project["id"], house)
        await post(client, house, "ready", reported_by="ผู้ประสานงาน")
        await post(client, house, "start", reported_by="ผู้ประสานงาน")
        order = await create(
            client, f"/v1/projects/{project['id']}/purchase-orders", purchase_order_body()
        )
        return {"house": house, "project": project["id"], "order": order["id"]}


TOO_MANY = 2**40  # households, units, person-days, percent: far past any INTEGER column
TOO_MUCH = 10**16  # satang: above MAX_SATANG (10**15)


class TestTooLarge(_WithAnOrder):
    @pytest.mark.parametrize(
        ("method", "path", "body", "field"),
        [
            (
                "POST",
                "/v1/house-works/{house}/complete",
                {"inspected_by": "x", "actual_cost_satang": TOO_MUCH},
                "body.actual_cost_satang",
            ),
            (
                "POST",
                "/v1/house-works/{house}/complete",
                {"inspected_by": "x", "labour_days": TOO_MANY},
                "body.labour_days",
            ),
            (
                "POST",
                "/v1/house-works/{house}/progress",
                {"reported_by": "x", "milestone": "repaired", "percent": TOO_MANY},
                "body.percent",
            ),
            (
                "POST",
                "/v1/house-works/{house}/labour",
                {"kind": "household", "person_days": TOO_MANY, "reported_by": "x"},
                "body.person_days",
            ),
            (
                "POST",
                "/v1/projects/{project}/purchase-orders",
                purchase_order_body(unit_price_satang=TOO_MUCH),
                "body.unit_price_satang",
            ),
            (
                "POST",
                "/v1/projects/{project}/purchase-orders",
                purchase_order_body(quantity=TOO_MANY),
                "body.quantity",
            ),
            (
                # Each factor allowed, the total (10**16 satang) not.
                "POST",
                "/v1/projects/{project}/purchase-orders",
                purchase_order_body(quantity=10_000_000, unit_price_satang=10**9),
                "body.unit_price_satang",
            ),
            (
                "POST",
                "/v1/purchase-orders/{order}/deliveries",
                {"quantity": TOO_MANY, "received_by": "x"},
                "body.quantity",
            ),
            (
                "POST",
                "/v1/purchase-orders/{order}/allocations",
                {"house_work_id": "{house}", "quantity": TOO_MANY, "allocated_by": "x"},
                "body.quantity",
            ),
            ("GET", "/v1/house-works?limit=" + str(TOO_MANY), None, "query.limit"),
            ("GET", "/v1/projects?limit=" + str(TOO_MANY), None, "query.limit"),
            ("GET", "/v1/milestones/overdue?limit=" + str(TOO_MANY), None, "query.limit"),
        ],
        ids=[
            "completion-cost",
            "completion-labour-days",
            "progress-percent",
            "labour-person-days",
            "order-unit-price",
            "order-quantity",
            "order-total",
            "delivery-quantity",
            "allocation-quantity",
            "house-works-limit",
            "projects-limit",
            "overdue-limit",
        ],
    )
    async def test_is_422_naming_the_field_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        seeded: dict[str, str],
        method: str,
        path: str,
        body: dict[str, Any] | None,
        field: str,
    ) -> None:
        house_before = (await client.get(f"/v1/house-works/{seeded['house']}")).json()
        summary_before = (await client.get(f"/v1/projects/{seeded['project']}/summary")).json()
        if body is not None:
            body = {k: v.format(**seeded) if isinstance(v, str) else v for k, v in body.items()}

        response = await client.request(method, path.format(**seeded), json=body)

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]
        assert (await client.get(f"/v1/house-works/{seeded['house']}")).json() == house_before
        summary = (await client.get(f"/v1/projects/{seeded['project']}/summary")).json()
        assert summary == summary_before

    @pytest.mark.parametrize("field", ["percent", "schedule_percent"])
    async def test_a_template_percent_past_100_is_422_naming_the_milestone(
        self, admin_client: httpx.AsyncClient, field: str
    ) -> None:
        milestones = [
            {"code": "roof", "percent": 50, "label_th": "หลังคา"},
            {"code": "inspected", "percent": 100, "label_th": "ตรวจรับ"},
        ]
        milestones[0][field] = TOO_MANY
        response = await admin_client.put(
            "/v1/milestone-templates/CANAL/repair",
            json={"updated_by": "ฝ่ายระบบ", "milestones": milestones},
        )
        assert response.status_code == 422
        assert f"body.milestones.0.{field}" in [e["field"] for e in response.json()["errors"]]


class TestAtTheBound(_WithAnOrder):
    async def test_an_order_of_exactly_the_largest_amount_is_stored_and_summed(
        self, client: httpx.AsyncClient, seeded: dict[str, str]
    ) -> None:
        path = f"/v1/projects/{seeded['project']}/purchase-orders"
        unit_price = MAX_SATANG // 1000
        largest = purchase_order_body(quantity=1000, unit_price_satang=unit_price)
        next_price_up = purchase_order_body(quantity=1000, unit_price_satang=unit_price + 1)

        created = await client.post(path, json=largest)
        refused = await client.post(path, json=next_price_up)
        summary = (await client.get(f"/v1/projects/{seeded['project']}/summary")).json()

        assert created.status_code == 201, created.text
        assert created.json()["total_satang"] == MAX_SATANG
        assert refused.status_code == 422
        first_order = purchase_order_body()
        first_total = first_order["quantity"] * first_order["unit_price_satang"]
        assert summary["ordered_satang"] == MAX_SATANG + first_total

"""Materials: a project orders, receives and allocates; a house's cost is what it was given."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from construction_factories import (
    UNKNOWN_ID,
    assign,
    create,
    create_project,
    plan_house,
    post,
    purchase_order_body,
)
from fastapi import FastAPI

from baan_shared.clock import thai_today as today
from baan_testkit.outbox import outbox_rows, payload


async def _project_with_houses(
    app: FastAPI, client: httpx.AsyncClient, houses: int = 2
) -> tuple[str, list[str]]:
    project = await create_project(client)
    ids = [await plan_house(app, estimated_cost_satang=2_000_000) for _ in range(houses)]
    if ids:
        await assign(client, project["id"], *ids)
    return project["id"], ids


async def _order(client: httpx.AsyncClient, project_id: str, **overrides: Any) -> dict[str, Any]:
    return await create(
        client, f"/v1/projects/{project_id}/purchase-orders", purchase_order_body(**overrides)
    )


async def _deliver(client: httpx.AsyncClient, order_id: str, quantity: int) -> httpx.Response:
    return await client.post(
        f"/v1/purchase-orders/{order_id}/deliveries",
        json={"quantity": quantity, "received_by": "เหรัญญิกชุมชน"},
    )


async def _allocate(
    client: httpx.AsyncClient, order_id: str, house_id: str, quantity: int
) -> httpx.Response:
    return await client.post(
        f"/v1/purchase-orders/{order_id}/allocations",
        json={"house_work_id": house_id, "quantity": quantity, "allocated_by": "ช่างชุมชน"},
    )


async def _order_state(client: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    order: dict[str, Any] = (await client.get(f"/v1/purchase-orders/{order_id}")).json()
    return order


class TestOrdering:
    async def test_an_order_totals_quantity_times_unit_price_in_satang(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, _ = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=120, unit_price_satang=14_575)
        assert order["total_satang"] == 1_749_000
        assert order["ordered_on"] == today().isoformat()
        assert (order["delivered_quantity"], order["allocated_quantity"]) == (0, 0)
        listed = (await client.get(f"/v1/projects/{project_id}/purchase-orders")).json()
        assert listed == [order]

    async def test_an_order_for_an_unknown_project_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            f"/v1/projects/{UNKNOWN_ID}/purchase-orders", json=purchase_order_body()
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_invalid_order_fields_are_422_each_named(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, _ = await _project_with_houses(app, client, houses=0)
        response = await client.post(
            f"/v1/projects/{project_id}/purchase-orders",
            json=purchase_order_body(quantity=0, unit_price_satang=-1, unit="", price=3),
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {
            "body.quantity",
            "body.unit_price_satang",
            "body.unit",
            "body.price",
        }
        assert (await client.get(f"/v1/projects/{project_id}/purchase-orders")).json() == []


class TestDeliveries:
    async def test_deliveries_add_up_to_at_most_the_order(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, _ = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=100)
        assert (await _deliver(client, order["id"], 60)).status_code == 201
        assert (await _deliver(client, order["id"], 40)).status_code == 201

        over = await _deliver(client, order["id"], 1)

        assert over.status_code == 409
        assert over.headers["content-type"] == "application/problem+json"
        assert (over.json()["ordered_quantity"], over.json()["delivered_quantity"]) == (100, 100)
        assert (await _order_state(client, order["id"]))["delivered_quantity"] == 100

    async def test_a_delivery_before_the_order_or_in_the_future_is_422(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, _ = await _project_with_houses(app, client)
        order = await _order(
            client, project_id, ordered_on=(today() - timedelta(days=3)).isoformat()
        )
        for when in (today() - timedelta(days=4), today() + timedelta(days=1)):
            response = await client.post(
                f"/v1/purchase-orders/{order['id']}/deliveries",
                json={"quantity": 5, "received_by": "x", "delivered_on": when.isoformat()},
            )
            assert response.status_code == 422
            assert [e["field"] for e in response.json()["errors"]] == ["body.delivered_on"]
        assert (await _order_state(client, order["id"]))["delivered_quantity"] == 0

    async def test_a_delivery_to_an_unknown_order_is_404(self, client: httpx.AsyncClient) -> None:
        assert (await _deliver(client, UNKNOWN_ID, 1)).status_code == 404


class TestAllocationAndCost:
    async def test_a_houses_cost_is_what_was_allocated_to_it_against_its_estimate(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (first, second) = await _project_with_houses(app, client)
        cement = await _order(client, project_id, quantity=100, unit_price_satang=14_500)
        roofing = await _order(
            client, project_id, item="สังกะสี", unit="แผ่น", quantity=40, unit_price_satang=21_000
        )
        await _deliver(client, cement["id"], 100)
        await _deliver(client, roofing["id"], 40)
        for order_id, house, quantity in [
            (cement["id"], first, 30),
            (cement["id"], first, 10),
            (roofing["id"], first, 20),
            (cement["id"], second, 60),
        ]:
            assert (await _allocate(client, order_id, house, quantity)).status_code == 201

        costs = (await client.get(f"/v1/house-works/{first}/costs")).json()

        assert costs["estimated_cost_satang"] == 2_000_000
        assert costs["materials_cost_satang"] == 40 * 14_500 + 20 * 21_000 == 1_000_000
        assert costs["variance_satang"] == -1_000_000
        assert costs["actual_cost_satang"] is None
        assert [
            (line["item"], line["quantity"], line["cost_satang"]) for line in costs["lines"]
        ] == [
            ("ปูนซีเมนต์", 40, 580_000),
            ("สังกะสี", 20, 420_000),
        ]
        cement_now = await _order_state(client, cement["id"])
        assert (cement_now["delivered_quantity"], cement_now["allocated_quantity"]) == (100, 100)

    async def test_completion_reports_the_allocated_cost_when_no_figure_is_given(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (house, _) = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=10, unit_price_satang=150_000)
        await _deliver(client, order["id"], 10)
        await _allocate(client, order["id"], house, 10)
        await post(client, house, "ready", reported_by="x")
        await post(client, house, "start", reported_by="x")

        done = await post(client, house, "complete", inspected_by="คณะกรรมการ", labour_days=0)

        assert done["actual_cost_satang"] == 1_500_000
        [completed] = [payload(r) for r in await outbox_rows(app) if r.type == "house.completed"]
        assert completed["actual_cost_satang"] == 1_500_000
        costs = (await client.get(f"/v1/house-works/{house}/costs")).json()
        assert (costs["actual_cost_satang"], costs["variance_satang"]) == (1_500_000, -500_000)

    async def test_allocating_more_than_was_delivered_is_409_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (house, _) = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=100)
        await _deliver(client, order["id"], 30)
        await _allocate(client, order["id"], house, 20)

        response = await _allocate(client, order["id"], house, 11)

        assert response.status_code == 409
        assert (response.json()["delivered_quantity"], response.json()["allocated_quantity"]) == (
            30,
            20,
        )
        assert (await client.get(f"/v1/house-works/{house}/costs")).json()[
            "materials_cost_satang"
        ] == 20 * 14_500

    async def test_a_house_outside_the_project_gets_none_of_its_materials(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, _ = await _project_with_houses(app, client)
        outsider = await plan_house(app)
        order = await _order(client, project_id)
        await _deliver(client, order["id"], 10)

        response = await _allocate(client, order["id"], outsider, 5)

        assert response.status_code == 409
        assert response.json()["project_id"] == project_id
        assert (await _order_state(client, order["id"]))["allocated_quantity"] == 0

    async def test_a_cancelled_house_gets_no_materials(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (house, _) = await _project_with_houses(app, client)
        order = await _order(client, project_id)
        await _deliver(client, order["id"], 10)
        await post(client, house, "cancel", reported_by="x", reason="ย้ายออก")

        response = await _allocate(client, order["id"], house, 5)

        assert response.status_code == 409
        assert response.json()["current_status"] == "cancelled"

    @pytest.mark.parametrize("unknown", ["order", "house"])
    async def test_an_unknown_order_is_404_an_unknown_house_422(
        self, app: FastAPI, client: httpx.AsyncClient, unknown: str
    ) -> None:
        project_id, (house, _) = await _project_with_houses(app, client)
        order = await _order(client, project_id)
        await _deliver(client, order["id"], 10)
        response = await _allocate(
            client,
            UNKNOWN_ID if unknown == "order" else order["id"],
            UNKNOWN_ID if unknown == "house" else house,
            5,
        )
        # An unknown order in the path is a 404; an unknown house in the body a 422.
        assert response.status_code == (404 if unknown == "order" else 422)
        assert UNKNOWN_ID in response.json()["detail"]
        if unknown == "house":
            assert [e["field"] for e in response.json()["errors"]] == ["body.house_work_id"]
        assert (await client.get(f"/v1/house-works/{UNKNOWN_ID}/costs")).status_code == 404


async def _reverse(client: httpx.AsyncClient, kind: str, record_id: str) -> httpx.Response:
    return await client.post(
        f"/v1/{kind}/{record_id}/reversal",
        json={"reason": "บันทึกผิด", "reversed_by": "เหรัญญิกชุมชน"},
    )


class TestCorrections:
    async def test_a_reversed_allocation_takes_its_cost_off_the_house_and_stays_on_record(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (house, other) = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=100, unit_price_satang=14_500)
        await _deliver(client, order["id"], 100)
        kept = (await _allocate(client, order["id"], house, 10)).json()
        mistaken = (await _allocate(client, order["id"], house, 30)).json()

        response = await _reverse(client, "allocations", mistaken["id"])

        assert response.status_code == 201, response.text
        undo = response.json()
        assert (undo["quantity"], undo["cost_satang"]) == (-30, -435_000)
        assert (undo["reverses_id"], undo["reason"]) == (mistaken["id"], "บันทึกผิด")
        costs = (await client.get(f"/v1/house-works/{house}/costs")).json()
        assert costs["materials_cost_satang"] == 10 * 14_500
        assert [(line["quantity"], line["cost_satang"]) for line in costs["lines"]] == [
            (10, 145_000)
        ]
        listed = (await client.get(f"/v1/purchase-orders/{order['id']}/allocations")).json()
        assert [(a["id"], a["quantity"], a["reversed"]) for a in listed] == [
            (kept["id"], 10, False),
            (mistaken["id"], 30, True),
            (undo["id"], -30, False),
        ]
        assert (await _order_state(client, order["id"]))["allocated_quantity"] == 10
        # The 30 taken back can go to the house they were meant for.
        assert (await _allocate(client, order["id"], other, 90)).status_code == 201

    async def test_completion_takes_the_corrected_cost(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (house, _) = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=10, unit_price_satang=150_000)
        await _deliver(client, order["id"], 10)
        mistaken = (await _allocate(client, order["id"], house, 10)).json()
        assert (await _reverse(client, "allocations", mistaken["id"])).status_code == 201
        await _allocate(client, order["id"], house, 4)
        await post(client, house, "ready", reported_by="x")
        await post(client, house, "start", reported_by="x")

        done = await post(client, house, "complete", inspected_by="คณะกรรมการ", labour_days=0)

        assert done["actual_cost_satang"] == 600_000
        # Its cost went out with house.completed: it can no longer be corrected here.
        [latest] = [
            a
            for a in (await client.get(f"/v1/purchase-orders/{order['id']}/allocations")).json()
            if a["quantity"] == 4
        ]
        refused = await _reverse(client, "allocations", latest["id"])
        assert refused.status_code == 409
        assert refused.json()["current_status"] == "completed"

    async def test_a_reversed_delivery_lowers_what_was_delivered(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, _ = await _project_with_houses(app, client, houses=0)
        order = await _order(client, project_id, quantity=100)
        first = (await _deliver(client, order["id"], 60)).json()

        response = await _reverse(client, "deliveries", first["id"])

        assert response.status_code == 201, response.text
        assert response.json()["quantity"] == -60
        assert (await _order_state(client, order["id"]))["delivered_quantity"] == 0
        # The whole order can now be received again.
        assert (await _deliver(client, order["id"], 100)).status_code == 201
        listed = (await client.get(f"/v1/purchase-orders/{order['id']}/deliveries")).json()
        assert [(d["quantity"], d["reversed"]) for d in listed] == [
            (60, True),
            (-60, False),
            (100, False),
        ]

    async def test_a_refused_reversal_is_problem_json_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id, (house, _) = await _project_with_houses(app, client)
        order = await _order(client, project_id, quantity=100)
        delivery = (await _deliver(client, order["id"], 50)).json()
        allocation = (await _allocate(client, order["id"], house, 20)).json()
        undo = (await _reverse(client, "allocations", allocation["id"])).json()
        await _allocate(client, order["id"], house, 40)
        before = (
            await _order_state(client, order["id"]),
            (await client.get(f"/v1/house-works/{house}/costs")).json(),
        )
        cases = [
            ("allocations", allocation["id"], 409),  # already reversed
            ("allocations", undo["id"], 409),  # a reversal itself
            ("deliveries", delivery["id"], 409),  # 40 of its 50 are with a house
            ("deliveries", UNKNOWN_ID, 404),
            ("allocations", UNKNOWN_ID, 404),
        ]
        for kind, record_id, expected in cases:
            response = await _reverse(client, kind, record_id)
            assert response.status_code == expected, (kind, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        no_reason = await client.post(
            f"/v1/deliveries/{delivery['id']}/reversal", json={"reversed_by": "x"}
        )
        assert no_reason.status_code == 422
        assert [e["field"] for e in no_reason.json()["errors"]] == ["body.reason"]
        after = (
            await _order_state(client, order["id"]),
            (await client.get(f"/v1/house-works/{house}/costs")).json(),
        )
        assert after == before

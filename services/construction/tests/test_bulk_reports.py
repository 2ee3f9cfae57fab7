"""Bulk reports (issue 17): an inspection team signs off, or reports progress for, a list
of houses or a whole project in one call; all or nothing, with a result per item."""

from typing import Any

import httpx
import pytest
from construction_factories import (
    UNKNOWN_ID,
    assign,
    create_project,
    plan_house,
    post,
    under_construction,
)
from fastapi import FastAPI

from baan_shared.ids import new_id
from baan_testkit.outbox import outbox_rows, payload

SIGN_OFFS = "/v1/house-work-sign-offs"
PROGRESS = "/v1/house-work-progress"


async def _status(client: httpx.AsyncClient, house_id: str) -> tuple[str, int]:
    house = (await client.get(f"/v1/house-works/{house_id}")).json()
    return house["status"], house["progress_percent"]


async def _events(app: FastAPI, event_type: str) -> list[dict[str, Any]]:
    return [payload(r) for r in await outbox_rows(app) if r.type == event_type]


class TestSignOffs:
    async def test_a_list_of_houses_is_signed_off_with_a_result_and_an_event_each(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        houses = [await under_construction(app, client) for _ in range(3)]
        body = {
            "items": [
                {"house_work_id": houses[0], "inspected_by": "คณะกรรมการ ก", "labour_days": 40},
                {"house_work_id": houses[1], "inspected_by": "คณะกรรมการ ก"},
                {
                    "house_work_id": houses[2],
                    "inspected_by": "คณะกรรมการ ข",
                    "actual_cost_satang": 1_900_000,
                },
            ]
        }
        response = await client.post(SIGN_OFFS, json=body)

        assert response.status_code == 200, response.text
        result = response.json()
        assert result["applied"] == 3
        assert [
            (r["index"], r["house_work_id"], r["status"], r["event"]) for r in result["results"]
        ] == [(i, house, "completed", "house.completed") for i, house in enumerate(houses)]
        for house in houses:
            assert await _status(client, house) == ("completed", 100)
        completed = {e["house_id"]: e for e in await _events(app, "house.completed")}
        assert sorted(completed) == sorted(houses)
        assert completed[houses[0]]["labour_days"] == 40
        assert completed[houses[2]]["actual_cost_satang"] == 1_900_000

    async def test_every_refused_item_is_named_and_nothing_is_signed_off(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        good = await under_construction(app, client)
        planned = await plan_house(app)
        early = await under_construction(app, client)
        response = await client.post(
            SIGN_OFFS,
            json={
                "items": [
                    {"house_work_id": good, "inspected_by": "ก"},
                    {"house_work_id": planned, "inspected_by": "ก"},
                    {"house_work_id": early, "inspected_by": "ก", "completed_on": "2020-01-01"},
                    {"house_work_id": UNKNOWN_ID, "inspected_by": "ก"},
                    {"house_work_id": good, "inspected_by": "ข"},
                ]
            },
        )

        assert response.status_code == 422, response.text
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert (problem["refused"], problem["items"]) == (4, 5)
        assert "nothing was recorded" in problem["detail"]
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [
            ("body.items.1.house_work_id", "conflict"),
            ("body.items.2.completed_on", "date_order"),
            ("body.items.3.house_work_id", "unknown-reference"),
            ("body.items.4.house_work_id", "duplicate"),
        ]
        assert await _status(client, good) == ("under_construction", 0)
        assert await _status(client, planned) == ("planned", 0)
        assert await _events(app, "house.completed") == []

    async def test_only_state_refusals_answer_409(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        good, planned = await under_construction(app, client), await plan_house(app)
        response = await client.post(
            SIGN_OFFS,
            json={
                "items": [
                    {"house_work_id": good, "inspected_by": "ก"},
                    {"house_work_id": planned, "inspected_by": "ก"},
                ]
            },
        )
        assert response.status_code == 409, response.text
        [error] = response.json()["errors"]
        assert (error["field"], error["house_work_id"], error["current_status"]) == (
            "body.items.1.house_work_id",
            planned,
            "planned",
        )
        assert await _status(client, good) == ("under_construction", 0)

    async def test_one_idempotency_key_signs_off_once_and_refuses_another_body(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house = await under_construction(app, client)
        body = {"items": [{"house_work_id": house, "inspected_by": "ก"}]}
        headers = {"Idempotency-Key": "sign-off-2569-001"}
        first = await client.post(SIGN_OFFS, json=body, headers=headers)
        again = await client.post(SIGN_OFFS, json=body, headers=headers)
        other = await client.post(
            SIGN_OFFS,
            json={"items": [{"house_work_id": house, "inspected_by": "ข"}]},
            headers=headers,
        )

        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert other.status_code == 422
        assert len(await _events(app, "house.completed")) == 1

    async def test_a_list_too_long_or_empty_is_422_naming_items(
        self, client: httpx.AsyncClient
    ) -> None:
        for items in ([], [{"house_work_id": str(new_id()), "inspected_by": "ก"}] * 5001):
            response = await client.post(SIGN_OFFS, json={"items": items})
            assert response.status_code == 422
            assert response.json()["errors"][0]["field"] == "body.items"


class TestProgressReports:
    async def test_each_house_reaches_its_milestone_with_a_result_each(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        houses = [await under_construction(app, client) for _ in range(2)]
        response = await client.post(
            PROGRESS,
            json={
                "items": [
                    {
                        "house_work_id": houses[0],
                        "milestone": "materials_delivered",
                        "reported_by": "ช่าง",
                    },
                    {"house_work_id": houses[1], "milestone": "repaired", "reported_by": "ช่าง"},
                ]
            },
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [(r["house_work_id"], r["last_milestone"]) for r in results] == [
            (houses[0], "materials_delivered"),
            (houses[1], "repaired"),
        ]
        reached = {
            e["house_id"]: e["milestone"] for e in await _events(app, "house.milestone_reached")
        }
        assert reached == {houses[0]: "materials_delivered", houses[1]: "repaired"}

    async def test_a_milestone_out_of_order_refuses_the_whole_report(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house, other = await under_construction(app, client), await under_construction(app, client)
        await post(client, house, "progress", reported_by="ช่าง", milestone="repaired")
        response = await client.post(
            PROGRESS,
            json={
                "items": [
                    {
                        "house_work_id": other,
                        "milestone": "materials_delivered",
                        "reported_by": "ช่าง",
                    },
                    {
                        "house_work_id": house,
                        "milestone": "materials_delivered",
                        "reported_by": "ช่าง",
                    },
                ]
            },
        )
        assert response.status_code in (409, 422), response.text
        assert [e["field"].split(".")[2] for e in response.json()["errors"]] == ["1"]
        assert (await client.get(f"/v1/house-works/{other}")).json()["last_milestone"] is None


class TestWholeProject:
    async def test_a_projects_houses_under_construction_reach_a_milestone_then_are_signed_off(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        building = [await under_construction(app, client) for _ in range(3)]
        waiting = await plan_house(app)
        await assign(client, project["id"], *building, waiting)
        base = f"/v1/projects/{project['id']}/house-works"

        progress = await client.post(
            f"{base}/progress", json={"reported_by": "ทีมช่าง", "milestone": "repaired"}
        )
        assert progress.status_code == 200, progress.text
        assert sorted(r["house_work_id"] for r in progress.json()["results"]) == sorted(building)
        signed = await client.post(f"{base}/complete", json={"inspected_by": "คณะกรรมการ"})
        assert signed.status_code == 200, signed.text
        assert signed.json()["applied"] == 3
        for house in building:
            assert await _status(client, house) == ("completed", 100)
        assert await _status(client, waiting) == ("planned", 0)
        assert (await client.post(f"{base}/complete", json={"inspected_by": "ก"})).json() == {
            "applied": 0,
            "results": [],
        }

    async def test_named_houses_outside_the_project_or_not_building_refuse_all(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        building, planned = await under_construction(app, client), await plan_house(app)
        await assign(client, project["id"], building, planned)
        outside = await under_construction(app, client)
        base = f"/v1/projects/{project['id']}/house-works"

        not_in = await client.post(
            f"{base}/complete", json={"inspected_by": "ก", "house_work_ids": [building, outside]}
        )
        assert not_in.status_code == 422
        assert [e["field"] for e in not_in.json()["errors"]] == ["body.house_work_ids.1"]
        wrong = await client.post(
            f"{base}/complete", json={"inspected_by": "ก", "house_work_ids": [building, planned]}
        )
        assert wrong.status_code == 409
        assert [e["field"] for e in wrong.json()["errors"]] == ["body.house_work_ids.1"]
        assert await _status(client, building) == ("under_construction", 0)


class TestElsewhere:
    """Bangkok's office (10) names Chiang Rai's (57) houses: as if they did not exist."""

    @pytest.mark.parametrize("path", [SIGN_OFFS, PROGRESS])
    async def test_another_areas_house_answers_as_an_unknown_one_and_changes_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        bangkok_client: httpx.AsyncClient,
        path: str,
    ) -> None:
        own = await under_construction(
            app, client, province_code="10", district_code="1001", subdistrict_code="100101"
        )
        foreign = await under_construction(app, client)
        random = str(new_id())

        def body(house: str) -> dict[str, Any]:
            extra = (
                {"inspected_by": "ก"}
                if path == SIGN_OFFS
                else {
                    "milestone": "materials_delivered",
                    "reported_by": "ก",
                }
            )
            return {"items": [{"house_work_id": own, **extra}, {"house_work_id": house, **extra}]}

        elsewhere = await bangkok_client.post(path, json=body(foreign))
        nowhere = await bangkok_client.post(path, json=body(random))

        assert elsewhere.status_code == nowhere.status_code == 422
        assert elsewhere.text.replace(foreign, "ID") == nowhere.text.replace(random, "ID")
        assert elsewhere.headers["content-type"] == nowhere.headers["content-type"]
        for house in (own, foreign):
            assert await _status(client, house) == ("under_construction", 0)
        assert await _events(app, "house.completed") == []
        assert await _events(app, "house.milestone_reached") == []

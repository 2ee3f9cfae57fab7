"""Projects: house works of one area built together, and whose planned end they follow."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from construction_factories import (
    UNKNOWN_ID,
    assign,
    create_project,
    plan_house,
    post,
    project_body,
)
from fastapi import FastAPI

from baan_shared.clock import thai_today as today
from baan_testkit.outbox import outbox_rows, payload


async def _house(client: httpx.AsyncClient, house_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/house-works/{house_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


class TestCreating:
    async def test_a_project_is_created_and_listed_by_area(self, client: httpx.AsyncClient) -> None:
        tambon = await create_project(client)
        canal = await create_project(
            client,
            name="ริมคลองลาดพร้าว ชุมชนบางบัว",
            programme="CANAL",
            community_name="ชุมชนบางบัว",
            province_code="10",
            district_code="1005",
            subdistrict_code="100502",
        )
        assert tambon["name"] == "บ้านพอเพียง ต.ศรีภูมิ"
        assert (tambon["planned_start_on"], tambon["planned_end_on"]) == (
            "2026-02-01",
            "2026-09-30",
        )
        assert (await client.get(f"/v1/projects/{canal['id']}")).json() == canal

        async def ids(**params: str) -> list[str]:
            return [
                p["id"] for p in (await client.get("/v1/projects", params=params)).json()["items"]
            ]

        assert await ids(programme="CANAL") == [canal["id"]]
        assert await ids(province_code="57") == [tambon["id"]]
        assert await ids(subdistrict_code="100502") == [canal["id"]]
        assert sorted(await ids()) == sorted([tambon["id"], canal["id"]])

    async def test_an_end_before_the_start_or_a_code_outside_its_area_is_422_naming_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/v1/projects",
            json=project_body(
                planned_start_on="2026-09-30", planned_end_on="2026-02-01", district_code="1005"
            ),
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert {e["field"] for e in response.json()["errors"]} == {
            "body.planned_end_on",
            "body.district_code",
            "body.subdistrict_code",
        }
        assert (await client.get("/v1/projects")).json()["items"] == []

    async def test_an_unknown_project_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/v1/projects/{UNKNOWN_ID}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestAssigning:
    async def test_assigned_house_works_follow_the_projects_planned_end(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        first, second = await plan_house(app), await plan_house(app)
        before = await _house(client, first)
        assert (before["project_id"], before["due_on"]) == (None, None)

        await assign(client, project["id"], first, second)

        for house_id in (first, second):
            house = await _house(client, house_id)
            assert house["project_id"] == project["id"]
            assert (house["planned_end_on"], house["due_on"]) == (None, "2026-09-30")
        listed = (await client.get("/v1/house-works", params={"project_id": project["id"]})).json()[
            "items"
        ]
        assert sorted(h["id"] for h in listed) == sorted([first, second])

    async def test_house_events_after_joining_name_the_project(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        await assign(client, project["id"], house_id)

        await post(client, house_id, "ready", reported_by="ผู้ประสานงาน")

        events = {r.type: payload(r) for r in await outbox_rows(app)}
        assert events["house.planned"]["project_id"] is None
        assert events["house.ready_to_build"]["project_id"] == project["id"]

    async def test_a_house_works_own_planned_end_overrides_the_projects_until_cleared(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        await assign(client, project["id"], house_id)

        own = await client.put(
            f"/v1/house-works/{house_id}/planned-end",
            json={"reported_by": "ผู้ประสานงาน", "planned_end_on": "2026-12-31"},
        )
        assert own.status_code == 200, own.text
        assert (own.json()["planned_end_on"], own.json()["due_on"]) == ("2026-12-31", "2026-12-31")

        cleared = await client.put(
            f"/v1/house-works/{house_id}/planned-end",
            json={"reported_by": "ผู้ประสานงาน", "planned_end_on": None},
        )
        assert cleared.json()["due_on"] == "2026-09-30"

    async def test_assigning_twice_to_the_same_project_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        await assign(client, project["id"], house_id)
        before = await _house(client, house_id)
        await assign(client, project["id"], house_id)
        assert await _house(client, house_id) == before

    async def test_a_house_work_in_another_project_is_409_and_nothing_moves(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        first, second = await create_project(client), await create_project(client, name="อีก")
        moved, free = await plan_house(app), await plan_house(app)
        await assign(client, first["id"], moved)

        response = await client.post(
            f"/v1/projects/{second['id']}/house-works", json={"house_work_ids": [free, moved]}
        )

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["project_id"] == first["id"]
        assert (await _house(client, moved))["project_id"] == first["id"]
        assert (await _house(client, free))["project_id"] is None

    async def test_a_house_work_of_another_programme_or_area_is_422_naming_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        fits = await plan_house(app)
        canal = await plan_house(app, programme="CANAL")
        elsewhere = await plan_house(app, subdistrict_code="570102")

        response = await client.post(
            f"/v1/projects/{project['id']}/house-works",
            json={"house_work_ids": [fits, canal, elsewhere]},
        )

        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["body.house_work_ids.1", "body.house_work_ids.2"]
        assert "CANAL" in errors[0]["reason"] and "subdistrict_code" in errors[1]["reason"]
        assert (await _house(client, fits))["project_id"] is None

    async def test_a_finished_house_work_cannot_join_a_project(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        await post(client, house_id, "cancel", reported_by="ผู้ประสานงาน", reason="ย้ายออก")

        response = await client.post(
            f"/v1/projects/{project['id']}/house-works", json={"house_work_ids": [house_id]}
        )

        assert response.status_code == 409
        assert response.json()["current_status"] == "cancelled"

    @pytest.mark.parametrize("unknown", ["project", "house"])
    async def test_an_unknown_project_is_404_an_unknown_house_work_422_nothing_changes(
        self, app: FastAPI, client: httpx.AsyncClient, unknown: str
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        project_id = UNKNOWN_ID if unknown == "project" else project["id"]
        ids = [house_id] + ([UNKNOWN_ID] if unknown == "house" else [])

        response = await client.post(
            f"/v1/projects/{project_id}/house-works", json={"house_work_ids": ids}
        )

        # A missing project is a 404; a missing house work in the body an unknown reference.
        assert response.status_code == (404 if unknown == "project" else 422)
        assert UNKNOWN_ID in response.json()["detail"]
        if unknown == "house":
            assert response.json()["errors"] == [
                {
                    "field": "body.house_work_ids.1",
                    "value": UNKNOWN_ID,
                    "reason": "no house work with this id exists in the client's areas",
                    "code": "unknown-reference",
                }
            ]
        assert (await _house(client, house_id))["project_id"] is None
        assert [r.type for r in await outbox_rows(app)] == ["house.planned"]


class TestOwnPlannedEnd:
    async def test_a_planned_end_before_the_plan_is_422_and_on_a_finished_work_409(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app)
        early = await client.put(
            f"/v1/house-works/{house_id}/planned-end",
            json={"reported_by": "x", "planned_end_on": "2025-01-01"},
        )
        assert early.status_code == 422
        assert [e["field"] for e in early.json()["errors"]] == ["body.planned_end_on"]

        await post(client, house_id, "cancel", reported_by="x", reason="ย้ายออก")
        late = await client.put(
            f"/v1/house-works/{house_id}/planned-end",
            json={"reported_by": "x", "planned_end_on": (today() + timedelta(days=9)).isoformat()},
        )
        assert late.status_code == 409
        assert (await _house(client, house_id))["planned_end_on"] is None


class TestRescheduling:
    async def test_a_new_project_end_moves_the_houses_that_follow_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        follows, own = await plan_house(app), await plan_house(app)
        await assign(client, project["id"], follows, own)
        await client.put(
            f"/v1/house-works/{own}/planned-end",
            json={"reported_by": "x", "planned_end_on": "2026-10-31"},
        )

        response = await client.patch(
            f"/v1/projects/{project['id']}", json={"planned_end_on": "2026-12-15"}
        )

        assert response.status_code == 200, response.text
        assert response.json()["planned_end_on"] == "2026-12-15"
        assert response.json()["planned_start_on"] == "2026-02-01"
        assert (await _house(client, follows))["due_on"] == "2026-12-15"
        assert (await _house(client, own))["due_on"] == "2026-10-31"

    async def test_an_end_before_the_start_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        response = await client.patch(
            f"/v1/projects/{project['id']}", json={"planned_end_on": "2026-01-01"}
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.planned_end_on"]
        assert (await client.get(f"/v1/projects/{project['id']}")).json() == project
        missing = await client.patch(f"/v1/projects/{UNKNOWN_ID}", json={"name": "x"})
        assert missing.status_code == 404


class TestSummary:
    async def test_a_projects_houses_money_and_labour_in_one_place(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        yesterday = (today() - timedelta(days=1)).isoformat()
        project = await create_project(
            client, planned_start_on="2026-01-01", planned_end_on=yesterday
        )
        late = await plan_house(app, estimated_cost_satang=2_000_000)
        started = await plan_house(app, estimated_cost_satang=3_000_000)
        await plan_house(app)  # not in the project
        await assign(client, project["id"], late, started)
        await post(client, started, "ready", reported_by="x")
        await client.put(
            f"/v1/house-works/{started}/planned-end",
            json={"reported_by": "x", "planned_end_on": (today() + timedelta(days=30)).isoformat()},
        )
        order = (
            await client.post(
                f"/v1/projects/{project['id']}/purchase-orders",
                json={
                    "item": "ไม้",
                    "quantity": 10,
                    "unit": "ท่อน",
                    "unit_price_satang": 50_000,
                    "supplier": "โรงไม้",
                    "ordered_by": "x",
                },
            )
        ).json()
        await client.post(
            f"/v1/purchase-orders/{order['id']}/deliveries",
            json={"quantity": 10, "received_by": "x"},
        )
        await client.post(
            f"/v1/purchase-orders/{order['id']}/allocations",
            json={"house_work_id": late, "quantity": 4, "allocated_by": "x"},
        )
        await client.post(
            f"/v1/house-works/{late}/labour",
            json={"kind": "community", "person_days": 7, "reported_by": "x"},
        )

        summary = (await client.get(f"/v1/projects/{project['id']}/summary")).json()

        assert summary == {
            "project_id": project["id"],
            "house_works": 2,
            "by_status": {"planned": 1, "ready_to_build": 1},
            "overdue": 1,
            "estimated_cost_satang": 5_000_000,
            "ordered_satang": 500_000,
            "allocated_satang": 200_000,
            "labour_person_days": 7,
        }
        assert (await client.get(f"/v1/projects/{UNKNOWN_ID}/summary")).status_code == 404


class TestUnassigning:
    async def test_a_house_work_leaves_the_project_and_its_planned_end(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        await assign(client, project["id"], house_id)

        response = await client.delete(f"/v1/projects/{project['id']}/house-works/{house_id}")

        assert response.status_code == 200, response.text
        assert (response.json()["project_id"], response.json()["due_on"]) == (None, None)
        assert (await _house(client, house_id))["project_id"] is None

    async def test_a_house_that_received_the_projects_materials_stays_409(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        await assign(client, project["id"], house_id)
        order = (
            await client.post(
                f"/v1/projects/{project['id']}/purchase-orders",
                json={
                    "item": "ไม้",
                    "quantity": 2,
                    "unit": "ท่อน",
                    "unit_price_satang": 50_000,
                    "supplier": "โรงไม้",
                    "ordered_by": "x",
                },
            )
        ).json()
        await client.post(
            f"/v1/purchase-orders/{order['id']}/deliveries",
            json={"quantity": 2, "received_by": "x"},
        )
        await client.post(
            f"/v1/purchase-orders/{order['id']}/allocations",
            json={"house_work_id": house_id, "quantity": 1, "allocated_by": "x"},
        )

        response = await client.delete(f"/v1/projects/{project['id']}/house-works/{house_id}")

        assert response.status_code == 409
        assert response.json()["allocated_satang"] == 50_000
        assert (await _house(client, house_id))["project_id"] == project["id"]

    async def test_a_house_not_in_the_project_is_404(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        house_id = await plan_house(app)
        for project_id, house in [(project["id"], house_id), (UNKNOWN_ID, house_id)]:
            response = await client.delete(f"/v1/projects/{project_id}/house-works/{house}")
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"


class TestBulkReports:
    """A build team reports a whole project's houses in one request."""

    async def test_every_planned_house_is_made_ready_then_started_on_one_day(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        houses = [await plan_house(app) for _ in range(3)]
        await assign(client, project["id"], *houses)
        await post(client, houses[2], "cancel", reported_by="x", reason="ย้ายออก")
        base = f"/v1/projects/{project['id']}/house-works"

        ready = await client.post(
            f"{base}/ready", json={"reported_by": "ทีมช่าง", "ready_on": "2026-09-25"}
        )
        assert ready.status_code == 200, ready.text
        assert sorted(ready.json()["moved"]) == sorted(houses[:2])
        started = await client.post(
            f"{base}/start", json={"reported_by": "ทีมช่าง", "started_on": "2026-10-02"}
        )
        assert sorted(started.json()["moved"]) == sorted(houses[:2])

        for house_id in houses[:2]:
            house = await _house(client, house_id)
            assert (house["status"], house["ready_on"], house["started_on"]) == (
                "under_construction",
                "2026-09-25",
                "2026-10-02",
            )
        events = [payload(r) for r in await outbox_rows(app)]
        starts = [e for e in events if "started_on" in e]
        assert sorted(e["house_id"] for e in starts) == sorted(houses[:2])
        assert {(e["started_on"], e["fiscal_year"], e["project_id"]) for e in starts} == {
            ("2026-10-02", 2570, project["id"])
        }
        assert (await _house(client, houses[2]))["status"] == "cancelled"
        again = await client.post(f"{base}/start", json={"reported_by": "ทีมช่าง"})
        assert again.json() == {"moved": []}

    async def test_a_refusal_names_the_house_and_moves_none(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        late, early = await plan_house(app), await plan_house(app)
        await assign(client, project["id"], late, early)
        await post(client, late, "ready", reported_by="x", ready_on="2026-05-01")
        await post(client, early, "ready", reported_by="x", ready_on="2026-03-01")
        base = f"/v1/projects/{project['id']}/house-works"

        too_early = await client.post(
            f"{base}/start", json={"reported_by": "ทีม", "started_on": "2026-04-01"}
        )
        assert too_early.status_code == 422
        assert too_early.json()["house_work_id"] == late
        assert [e["field"] for e in too_early.json()["errors"]] == ["body.started_on"]

        planned = await plan_house(app)
        await assign(client, project["id"], planned)
        wrong_status = await client.post(
            f"{base}/start", json={"reported_by": "ทีม", "house_work_ids": [early, planned]}
        )
        assert wrong_status.status_code == 409
        assert (wrong_status.json()["house_work_id"], wrong_status.json()["current_status"]) == (
            planned,
            "planned",
        )
        outside = await plan_house(app)
        not_in_project = await client.post(
            f"{base}/start", json={"reported_by": "ทีม", "house_work_ids": [early, outside]}
        )
        assert not_in_project.status_code == 422
        assert [(e["field"], e["code"]) for e in not_in_project.json()["errors"]] == [
            ("body.house_work_ids.1", "not_in_project")
        ]
        unknown_house = await client.post(
            f"{base}/start", json={"reported_by": "ทีม", "house_work_ids": [early, UNKNOWN_ID]}
        )
        assert unknown_house.status_code == 422
        assert [(e["field"], e["code"]) for e in unknown_house.json()["errors"]] == [
            ("body.house_work_ids.1", "unknown-reference")
        ]
        unknown = await client.post(
            f"/v1/projects/{UNKNOWN_ID}/house-works/ready", json={"reported_by": "ทีม"}
        )
        assert unknown.status_code == 404
        for house_id in (late, early):
            assert (await _house(client, house_id))["status"] == "ready_to_build"
        assert not [r for r in await outbox_rows(app) if r.type == "house.construction_started"]

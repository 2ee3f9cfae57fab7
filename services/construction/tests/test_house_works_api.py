"""Reporting a house work from planned to completed (or cancelled) through the HTTP API."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from construction_factories import UNKNOWN_ID, plan_house, shared_house_fields
from fastapi import FastAPI

from baan_shared.clock import thai_today as today
from baan_testkit.outbox import outbox_rows, payload

COMMITTEE = "คณะกรรมการตรวจรับ ต.สันทราย"
# Reported dates lie in the past, whenever the suite runs.
STARTED_ON = (today() - timedelta(days=60)).isoformat()
COMPLETED_ON = (today() - timedelta(days=5)).isoformat()
BEFORE_START = (today() - timedelta(days=61)).isoformat()
READY_ON = (today() - timedelta(days=62)).isoformat()
FOUNDATION_ON = (today() - timedelta(days=40)).isoformat()
ROOF_ON = (today() - timedelta(days=10)).isoformat()


async def _post(client: httpx.AsyncClient, house_id: str, action: str, **body: Any) -> Any:
    response = await client.post(f"/v1/house-works/{house_id}/{action}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def _under_construction(app: FastAPI, client: httpx.AsyncClient, **overrides: Any) -> str:
    house_id = await plan_house(app, **overrides)
    await _post(client, house_id, "ready", reported_by="ผู้ประสานงาน")
    await _post(client, house_id, "start", reported_by="ผู้ประสานงาน")
    return house_id


def _complete_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "inspected_by": COMMITTEE,
        "actual_cost_satang": 1_850_000,
        "labour_days": 42,
    }
    body.update(overrides)
    return body


async def _snapshot(app: FastAPI, client: httpx.AsyncClient, house_id: str) -> dict[str, Any]:
    """Everything a user or a consumer could see of one house work."""
    return {
        "house": (await client.get(f"/v1/house-works/{house_id}")).json(),
        "updates": (await client.get(f"/v1/house-works/{house_id}/updates")).json(),
        "history": (await client.get(f"/v1/house-works/{house_id}/history")).json(),
        "events": [r.id for r in await outbox_rows(app)],
    }


class TestLifecycle:
    async def test_a_house_goes_from_planned_to_completed_and_says_so_on_the_bus(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(
            app,
            programme="CANAL",
            province_code="10",
            district_code="1005",
            subdistrict_code="100502",
            need="new_build",
        )
        ready = await _post(client, house_id, "ready", reported_by="ผู้ประสานงาน", ready_on=READY_ON)
        assert (ready["status"], ready["ready_on"]) == ("ready_to_build", READY_ON)

        started = await _post(
            client, house_id, "start", reported_by="ผู้ประสานงาน", started_on=STARTED_ON
        )
        assert (started["status"], started["started_on"]) == ("under_construction", STARTED_ON)

        await _post(
            client,
            house_id,
            "progress",
            reported_by="ช่างชุมชน",
            milestone="foundation",
            percent=20,
            reached_on=FOUNDATION_ON,
        )
        roofed = await _post(
            client,
            house_id,
            "progress",
            reported_by="ช่างชุมชน",
            milestone="roof",
            reached_on=ROOF_ON,
        )
        assert (roofed["progress_percent"], roofed["last_milestone"]) == (70, "roof")

        done = await _post(
            client, house_id, "complete", **_complete_body(completed_on=COMPLETED_ON)
        )
        assert done["status"] == "completed"
        assert done["progress_percent"] == 100
        assert done["completed_on"] == COMPLETED_ON
        assert done["inspected_by"] == COMMITTEE
        assert (done["actual_cost_satang"], done["labour_days"]) == (1_850_000, 42)

        rows = await outbox_rows(app)
        assert [r.type for r in rows] == [
            "house.planned",
            "house.ready_to_build",
            "house.construction_started",
            "house.milestone_reached",
            "house.milestone_reached",
            "house.completed",
        ]
        assert {r.topic for r in rows} == {"construction.houses"}
        assert {r.aggregateid for r in rows} == {house_id}
        shared = shared_house_fields(done)
        assert shared["programme"] == "CANAL"
        events = [payload(r) for r in rows]
        reported_on = [None, READY_ON, STARTED_ON, FOUNDATION_ON, ROOF_ON]
        for event, on in zip(events, [*reported_on, COMPLETED_ON], strict=True):
            expected = shared_house_fields(done, on)
            assert {k: event[k] for k in expected} == expected
        assert events[1]["ready_on"] == READY_ON
        assert events[2]["started_on"] == STARTED_ON
        assert [(e["milestone"], e["percent"]) for e in events[3:5]] == [
            ("foundation", 20),
            ("roof", 70),
        ]
        assert [e["reached_on"] for e in events[3:5]] == [FOUNDATION_ON, ROOF_ON]
        assert {k: events[5][k] for k in ("completed_on", "actual_cost_satang", "labour_days")} == {
            "completed_on": COMPLETED_ON,
            "actual_cost_satang": 1_850_000,
            "labour_days": 42,
        }

    async def test_start_date_defaults_to_today(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client)
        house = (await client.get(f"/v1/house-works/{house_id}")).json()
        assert house["started_on"] == today().isoformat()

    async def test_progress_history_lists_each_report_with_who_and_when(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client, need="new_build")
        for milestone in ["foundation", "structure", "walls"]:
            await _post(client, house_id, "progress", reported_by="ช่างชุมชน", milestone=milestone)

        updates = (await client.get(f"/v1/house-works/{house_id}/updates")).json()
        assert [(u["milestone"], u["percent"]) for u in updates] == [
            ("foundation", 20),
            ("structure", 50),
            ("walls", 85),
        ]
        assert {u["reported_by"] for u in updates} == {"ช่างชุมชน"}
        assert all(u["reported_at"] and u["reached_on"] == today().isoformat() for u in updates)

    async def test_status_history_records_who_moved_the_house_work(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client)
        await _post(client, house_id, "complete", **_complete_body())

        history = (await client.get(f"/v1/house-works/{house_id}/history")).json()
        assert [(h["from_status"], h["to_status"]) for h in history] == [
            (None, "planned"),
            ("planned", "ready_to_build"),
            ("ready_to_build", "under_construction"),
            ("under_construction", "completed"),
        ]
        assert history[0]["reported_by"] == "คณะกรรมการชุมชน"
        assert history[-1]["reported_by"] == COMMITTEE

    @pytest.mark.parametrize("stage", ["planned", "ready_to_build", "under_construction"])
    async def test_a_house_work_can_be_cancelled_with_a_reason_before_it_is_completed(
        self, app: FastAPI, client: httpx.AsyncClient, stage: str
    ) -> None:
        house_id = await plan_house(app)
        for action in {
            "planned": [],
            "ready_to_build": ["ready"],
            "under_construction": ["ready", "start"],
        }[stage]:
            await _post(client, house_id, action, reported_by="ผู้ประสานงาน")

        cancelled = await _post(
            client, house_id, "cancel", reported_by="ผู้ประสานงาน", reason="ครัวเรือนย้ายออกจากพื้นที่"
        )

        assert cancelled["status"] == "cancelled"
        assert cancelled["cancel_reason"] == "ครัวเรือนย้ายออกจากพื้นที่"
        assert cancelled["cancelled_on"] == today().isoformat()
        last = (await outbox_rows(app))[-1]
        assert last.type == "house.cancelled"
        assert payload(last) == {
            **shared_house_fields(cancelled, cancelled["cancelled_on"]),
            "reason": "ครัวเรือนย้ายออกจากพื้นที่",
        }


class TestRefusedChanges:
    @pytest.mark.parametrize(
        ("steps", "action", "current", "requested"),
        [
            ([], "start", "planned", "under_construction"),
            ([], "complete", "planned", "completed"),
            (["ready"], "ready", "ready_to_build", "ready_to_build"),
            (["ready"], "complete", "ready_to_build", "completed"),
            (["ready", "start"], "start", "under_construction", "under_construction"),
            (["ready", "start", "complete"], "cancel", "completed", "cancelled"),
            (["ready", "start", "complete"], "ready", "completed", "ready_to_build"),
            (["cancel"], "ready", "cancelled", "ready_to_build"),
            (["cancel"], "cancel", "cancelled", "cancelled"),
        ],
    )
    async def test_an_illegal_move_is_409_naming_both_statuses_and_changes_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        steps: list[str],
        action: str,
        current: str,
        requested: str,
    ) -> None:
        bodies = {
            "ready": {"reported_by": "ผู้ประสานงาน"},
            "start": {"reported_by": "ผู้ประสานงาน"},
            "complete": _complete_body(),
            "cancel": {"reported_by": "ผู้ประสานงาน", "reason": "ที่ดินไม่พร้อม"},
        }
        house_id = await plan_house(app)
        for step in steps:
            await _post(client, house_id, step, **bodies[step])
        before = await _snapshot(app, client, house_id)

        response = await client.post(f"/v1/house-works/{house_id}/{action}", json=bodies[action])

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (problem["current_status"], problem["requested_status"]) == (current, requested)
        assert current in problem["detail"] and requested in problem["detail"]
        assert await _snapshot(app, client, house_id) == before

    @pytest.mark.parametrize("steps", [[], ["ready"], ["ready", "start", "complete"]])
    async def test_progress_outside_construction_is_409_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient, steps: list[str]
    ) -> None:
        house_id = await plan_house(app)
        for step in steps:
            body = _complete_body() if step == "complete" else {"reported_by": "ผู้ประสานงาน"}
            await _post(client, house_id, step, **body)
        before = await _snapshot(app, client, house_id)

        response = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "ช่างชุมชน", "milestone": "repaired"},
        )

        assert response.status_code == 409
        assert response.json()["current_status"] == before["house"]["status"]
        assert await _snapshot(app, client, house_id) == before

    @pytest.mark.parametrize("late", ["foundation", "roof"])
    async def test_a_milestone_reported_again_or_out_of_order_is_409_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient, late: str
    ) -> None:
        house_id = await _under_construction(app, client, need="new_build")
        await _post(client, house_id, "progress", reported_by="ช่างชุมชน", milestone="roof")
        before = await _snapshot(app, client, house_id)

        response = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "ช่างชุมชน", "milestone": late},
        )

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert "reported out of order" in response.json()["detail"]
        problem = response.json()
        assert (problem["last_milestone"], problem["reported_milestone"]) == ("roof", late)
        assert await _snapshot(app, client, house_id) == before

    async def test_a_milestone_outside_the_houses_template_is_422_listing_the_template(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client, need="repair")
        before = await _snapshot(app, client, house_id)

        response = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "ช่างชุมชน", "milestone": "roof"},
        )

        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["field"] == "body.milestone"
        assert response.json()["milestones"] == ["materials_delivered", "repaired", "inspected"]
        assert await _snapshot(app, client, house_id) == before

    async def test_a_percent_other_than_the_templates_is_422(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client, need="repair")
        response = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "ช่างชุมชน", "milestone": "repaired", "percent": 60},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.percent"]
        assert "80" in response.json()["errors"][0]["reason"]

    async def test_the_inspection_milestone_needs_the_committees_sign_off(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client, need="repair")
        response = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "ช่างชุมชน", "milestone": "inspected"},
        )
        assert response.status_code == 409
        assert "sign-off" in response.json()["detail"]


class TestValidation:
    async def test_completion_without_the_inspection_sign_off_is_422_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client)
        before = await _snapshot(app, client, house_id)
        body = _complete_body()
        del body["inspected_by"]

        response = await client.post(f"/v1/house-works/{house_id}/complete", json=body)

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["body.inspected_by"]
        assert await _snapshot(app, client, house_id) == before

    async def test_every_invalid_field_is_named(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client)
        progress = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "", "milestone": "repaired", "percent": 0},
        )
        assert {e["field"] for e in progress.json()["errors"]} == {
            "body.reported_by",
            "body.percent",
        }
        completion = await client.post(
            f"/v1/house-works/{house_id}/complete",
            json=_complete_body(actual_cost_satang=-1, labour_days=-3, completed_on="soon"),
        )
        assert {e["field"] for e in completion.json()["errors"]} == {
            "body.actual_cost_satang",
            "body.labour_days",
            "body.completed_on",
        }

    async def test_percent_above_100_and_unknown_fields_are_refused(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await _under_construction(app, client)
        response = await client.post(
            f"/v1/house-works/{house_id}/progress",
            json={"reported_by": "ช่าง", "milestone": "repaired", "percent": 101, "status": "done"},
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"body.percent", "body.status"}

    async def test_a_start_date_in_the_future_is_422(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app)
        await _post(client, house_id, "ready", reported_by="ผู้ประสานงาน")
        tomorrow = (today() + timedelta(days=1)).isoformat()
        response = await client.post(
            f"/v1/house-works/{house_id}/start",
            json={"reported_by": "ผู้ประสานงาน", "started_on": tomorrow},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.started_on"]
        house = (await client.get(f"/v1/house-works/{house_id}")).json()
        assert house["status"] == "ready_to_build"

    async def test_completion_before_the_start_date_is_422_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app)
        await _post(client, house_id, "ready", reported_by="ผู้ประสานงาน", ready_on=READY_ON)
        await _post(client, house_id, "start", reported_by="ผู้ประสานงาน", started_on=STARTED_ON)
        before = await _snapshot(app, client, house_id)

        response = await client.post(
            f"/v1/house-works/{house_id}/complete", json=_complete_body(completed_on=BEFORE_START)
        )

        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.completed_on"]
        assert await _snapshot(app, client, house_id) == before

    async def test_cancelling_without_a_reason_is_422(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app)
        response = await client.post(
            f"/v1/house-works/{house_id}/cancel", json={"reported_by": "ผู้ประสานงาน"}
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.reason"]
        assert (await client.get(f"/v1/house-works/{house_id}")).json()["status"] == "planned"


class TestUnknownHouseWork:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("GET", "", None),
            ("GET", "/updates", None),
            ("GET", "/history", None),
            ("POST", "/ready", {"reported_by": "x"}),
            ("POST", "/start", {"reported_by": "x"}),
            ("POST", "/progress", {"reported_by": "x", "milestone": "m", "percent": 10}),
            ("POST", "/complete", _complete_body()),
            ("POST", "/cancel", {"reported_by": "x", "reason": "r"}),
        ],
    )
    async def test_an_unknown_id_is_404_problem_json(
        self, app: FastAPI, client: httpx.AsyncClient, method: str, path: str, body: Any
    ) -> None:
        response = await client.request(method, f"/v1/house-works/{UNKNOWN_ID}{path}", json=body)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert UNKNOWN_ID in response.json()["detail"]
        assert await outbox_rows(app) == []

    async def test_a_malformed_id_is_422_naming_the_path_parameter(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/house-works/not-a-uuid")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["path.house_work_id"]


class TestListing:
    async def test_cursor_pages_through_every_house_work_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        for _ in range(5):
            await plan_house(app)
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/house-works", params=params)).json()
            seen += [h["id"] for h in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 5

    async def test_filters_by_status_programme_province_and_household(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        rural = await plan_house(app)
        canal = await plan_house(
            app,
            programme="CANAL",
            province_code="10",
            district_code="1005",
            subdistrict_code="100502",
        )
        await _post(client, canal, "ready", reported_by="ผู้ประสานงาน")
        household = (await client.get(f"/v1/house-works/{rural}")).json()["household_id"]

        async def ids(**params: str) -> list[str]:
            response = await client.get("/v1/house-works", params=params)
            assert response.status_code == 200, response.text
            return [h["id"] for h in response.json()["items"]]

        assert await ids(status="ready_to_build") == [canal]
        assert await ids(status="planned") == [rural]
        assert await ids(programme="CANAL") == [canal]
        assert await ids(province_code="57") == [rural]
        assert await ids(household_id=household) == [rural]

    async def test_an_unknown_status_filter_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/house-works", params={"status": "finished"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.status"]


class TestReportedDates:
    """Build teams report after the fact: each step takes the day it happened."""

    async def test_each_step_takes_its_own_date_and_its_event_its_fiscal_year(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app, need="repair")  # approved 2026-01-15, FY 2569

        await _post(client, house_id, "ready", reported_by="ทีม", ready_on="2026-09-20")
        await _post(client, house_id, "start", reported_by="ทีม", started_on="2026-09-30")
        await _post(
            client,
            house_id,
            "progress",
            reported_by="ช่าง",
            milestone="repaired",
            reached_on="2026-10-01",
        )
        done = await _post(
            client, house_id, "complete", **_complete_body(completed_on="2026-10-03")
        )

        assert (done["ready_on"], done["started_on"], done["completed_on"]) == (
            "2026-09-20",
            "2026-09-30",
            "2026-10-03",
        )
        updates = (await client.get(f"/v1/house-works/{house_id}/updates")).json()
        assert [(u["milestone"], u["reached_on"]) for u in updates] == [
            ("repaired", "2026-10-01"),
            ("inspected", "2026-10-03"),
        ]
        events = {r.type: payload(r) for r in await outbox_rows(app)}
        assert events["house.planned"]["fiscal_year"] == 2569
        assert (
            events["house.ready_to_build"]["ready_on"],
            events["house.ready_to_build"]["fiscal_year"],
        ) == ("2026-09-20", 2569)
        assert events["house.construction_started"]["fiscal_year"] == 2569  # 30 Sep
        # 1 October opens fiscal year 2570.
        assert (
            events["house.milestone_reached"]["reached_on"],
            events["house.milestone_reached"]["fiscal_year"],
        ) == ("2026-10-01", 2570)
        assert events["house.completed"]["fiscal_year"] == 2570
        assert done["fiscal_year"] == 2569  # the house work keeps its approval's year

    @pytest.mark.parametrize(
        ("steps", "refused", "field"),
        [
            ([], ("ready", {"ready_on": "2026-01-14"}), "body.ready_on"),  # before planned
            (
                [("ready", {"ready_on": "2026-03-01"})],
                ("start", {"started_on": "2026-02-28"}),
                "body.started_on",
            ),
            (
                [("ready", {"ready_on": "2026-03-01"}), ("start", {"started_on": "2026-03-05"})],
                ("progress", {"milestone": "repaired", "reached_on": "2026-03-04"}),
                "body.reached_on",
            ),
            (
                [
                    ("ready", {"ready_on": "2026-03-01"}),
                    ("start", {"started_on": "2026-03-05"}),
                    ("progress", {"milestone": "materials_delivered", "reached_on": "2026-04-01"}),
                ],
                ("progress", {"milestone": "repaired", "reached_on": "2026-03-31"}),
                "body.reached_on",
            ),
            (
                [
                    ("ready", {"ready_on": "2026-03-01"}),
                    ("start", {"started_on": "2026-03-05"}),
                    ("progress", {"milestone": "repaired", "reached_on": "2026-04-01"}),
                ],
                ("complete", _complete_body(completed_on="2026-03-31")),
                "body.completed_on",
            ),
        ],
        ids=[
            "ready-before-planned",
            "start-before-ready",
            "reached-before-start",
            "reached-before-previous",
            "completed-before-last-milestone",
        ],
    )
    async def test_a_date_before_the_step_it_follows_is_422_and_changes_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        steps: list[tuple[str, dict[str, Any]]],
        refused: tuple[str, dict[str, Any]],
        field: str,
    ) -> None:
        house_id = await plan_house(app, need="repair")
        for action, body in steps:
            await _post(client, house_id, action, reported_by="ทีม", **body)
        before = await _snapshot(app, client, house_id)

        action, body = refused
        # Completion names its inspector instead of a reporter.
        who = {} if action == "complete" else {"reported_by": "ทีม"}
        response = await client.post(f"/v1/house-works/{house_id}/{action}", json={**who, **body})

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert await _snapshot(app, client, house_id) == before

    @pytest.mark.parametrize(
        ("action", "field"), [("ready", "ready_on"), ("progress", "reached_on")]
    )
    async def test_a_date_in_the_future_is_422(
        self, app: FastAPI, client: httpx.AsyncClient, action: str, field: str
    ) -> None:
        house_id = await (
            _under_construction(app, client, need="repair")
            if action == "progress"
            else plan_house(app, need="repair")
        )
        tomorrow = (today() + timedelta(days=1)).isoformat()
        response = await client.post(
            f"/v1/house-works/{house_id}/{action}",
            json={"reported_by": "ทีม", "milestone": "repaired", field: tomorrow}
            if action == "progress"
            else {"reported_by": "ทีม", field: tomorrow},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [f"body.{field}"]

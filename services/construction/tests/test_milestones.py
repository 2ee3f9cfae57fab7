"""Milestone templates per work type and programme, and a house's milestones as reached."""

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
    under_construction,
)
from fastapi import FastAPI

from baan_shared.clock import thai_today as today
from baan_shared.errors import Conflict, Unprocessable
from baan_shared.reference import Programme
from construction.house_works.models import WorkType
from construction.milestones.templates import (
    ALL,
    Milestone,
    Template,
    check_milestone,
    default_template,
    step,
    template_errors,
)


class TestTemplates:
    @pytest.mark.parametrize("template", ALL, ids=lambda t: t.name)
    def test_every_template_rises_to_the_inspection_at_100(self, template: Template) -> None:
        percents = [m.percent for m in template.milestones]
        assert percents == sorted(set(percents))
        assert template.milestones[-1].code == "inspected"
        assert percents[-1] == 100

    def test_a_canal_rebuild_reaches_structure_at_half_way(self) -> None:
        rebuild = default_template(Programme.CANAL, WorkType.REBUILD)
        assert check_milestone(rebuild, None, "structure", 50).percent == 50

    def test_a_repair_is_materials_then_repaired_then_inspected(self) -> None:
        repair = default_template(Programme.BAAN_PHO_PHIANG, WorkType.REPAIR)
        assert repair.codes() == ["materials_delivered", "repaired", "inspected"]

    def test_an_emergency_shelter_has_its_own_shorter_template(self) -> None:
        shelter = default_template(Programme.EMERGENCY, WorkType.NEW_BUILD)
        assert shelter.name == "emergency_shelter"
        assert default_template(Programme.EMERGENCY, WorkType.REPAIR).name == "repair"

    def test_milestones_may_skip_forward_but_never_go_back(self) -> None:
        build = default_template(Programme.BAAN_MANKONG, WorkType.NEW_BUILD)
        check_milestone(build, "foundation", "roof", None)
        with pytest.raises(Conflict, match="out of order"):
            check_milestone(build, "roof", "structure", None)
        with pytest.raises(Conflict, match="out of order"):
            check_milestone(build, "roof", "roof", None)

    def test_an_unknown_milestone_is_unprocessable(self) -> None:
        with pytest.raises(Unprocessable) as raised:
            check_milestone(default_template(Programme.CANAL, WorkType.REPAIR), None, "roof", None)
        assert raised.value.errors and raised.value.errors[0]["field"] == "body.milestone"

    def test_a_template_that_breaks_a_rule_names_each_field(self) -> None:
        errors = template_errors(
            (
                step("roof", 70, "หลังคา"),
                step("roof", 60, "หลังคา"),
                Milestone("finishing", 95, "งานตกแต่ง", 40),
                step("Bad Code", 99, ""),
            )
        )
        assert {(e["field"], e["code"]) for e in errors} == {
            ("body.milestones.1.code", "duplicate"),
            ("body.milestones.1.percent", "order"),
            ("body.milestones.1.schedule_percent", "order"),
            ("body.milestones.2.schedule_percent", "order"),
            ("body.milestones.3.code", "code"),
            ("body.milestones.3.label_th", "empty"),
            ("body.milestones.3.code", "last"),
            ("body.milestones.3.percent", "last"),
            ("body.milestones.3.schedule_percent", "last"),
        }

    @pytest.mark.parametrize("template", ALL, ids=lambda t: t.name)
    def test_every_default_template_passes_the_rules_an_administrator_must_follow(
        self, template: Template
    ) -> None:
        assert template_errors(template.milestones) == []


SIMPLE_REPAIR = {
    "name": "repair_with_roof",
    "updated_by": "ฝ่ายพัฒนาระบบ พอช.",
    "milestones": [
        {"code": "materials_delivered", "percent": 20, "label_th": "ส่งวัสดุ"},
        {"code": "roof_fixed", "percent": 60, "label_th": "ซ่อมหลังคา", "schedule_percent": 50},
        {"code": "inspected", "percent": 100, "label_th": "ตรวจรับ"},
    ],
}
REPAIR_PATH = "/v1/milestone-templates/BAAN_PHO_PHIANG/repair"


async def _milestones(client: httpx.AsyncClient, house_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/house-works/{house_id}/milestones")
    assert response.status_code == 200, response.text
    milestones: list[dict[str, Any]] = response.json()["milestones"]
    return milestones


class TestEditableTemplates:
    @pytest.fixture
    def client(self, admin_client: httpx.AsyncClient) -> httpx.AsyncClient:
        """Templates are national programme rules: an administrator changes them."""
        return admin_client

    async def test_every_programme_and_work_type_lists_its_template(
        self, client: httpx.AsyncClient
    ) -> None:
        templates = (await client.get("/v1/milestone-templates")).json()
        by_key = {(t["programme"], t["work_type"]): t for t in templates}
        assert len(by_key) == 6 * 4
        assert by_key[("EMERGENCY", "new_build")]["name"] == "emergency_shelter"
        assert by_key[("EMERGENCY", "repair")]["name"] == "repair"
        assert [m["code"] for m in by_key[("CANAL", "repair")]["milestones"]] == [
            "materials_delivered",
            "repaired",
            "inspected",
        ]
        assert not any(t["customised"] for t in templates)

    async def test_a_changed_template_applies_to_new_house_works_only(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        before = await plan_house(app, need="repair")

        response = await client.put(REPAIR_PATH, json=SIMPLE_REPAIR)

        assert response.status_code == 200, response.text
        changed = response.json()
        assert (changed["name"], changed["customised"], changed["version"]) == (
            "repair_with_roof",
            True,
            1,
        )
        assert [m["schedule_percent"] for m in changed["milestones"]] == [20, 50, 100]
        assert (await client.get(REPAIR_PATH)).json() == changed
        after = await plan_house(app, need="repair")
        other_programme = await plan_house(app, need="repair", programme="CANAL")
        assert [m["code"] for m in await _milestones(client, after)] == [
            "materials_delivered",
            "roof_fixed",
            "inspected",
        ]
        assert [m["code"] for m in await _milestones(client, before)] == [
            "materials_delivered",
            "repaired",
            "inspected",
        ]
        assert [m["code"] for m in await _milestones(client, other_programme)][1] == "repaired"
        house = (await client.get(f"/v1/house-works/{after}")).json()
        assert house["milestone_template"] == "repair_with_roof"

    async def test_the_new_template_decides_what_a_new_house_may_report(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        assert (await client.put(REPAIR_PATH, json=SIMPLE_REPAIR)).status_code == 200
        old = await under_construction(app, client, need="repair")  # planned after the change
        response = await client.post(
            f"/v1/house-works/{old}/progress",
            json={"reported_by": "ช่าง", "milestone": "repaired"},
        )
        assert response.status_code == 422
        assert response.json()["milestones"] == ["materials_delivered", "roof_fixed", "inspected"]
        done = await post(client, old, "progress", reported_by="ช่าง", milestone="roof_fixed")
        assert done["progress_percent"] == 60

    async def test_changing_it_again_counts_the_version(self, client: httpx.AsyncClient) -> None:
        await client.put(REPAIR_PATH, json=SIMPLE_REPAIR)
        again = await client.put(REPAIR_PATH, json={**SIMPLE_REPAIR, "name": None})
        assert (again.json()["version"], again.json()["name"]) == (2, "repair_with_roof")

    @pytest.mark.parametrize(
        ("milestones", "field"),
        [
            ([{"code": "inspected", "percent": 100, "label_th": "ตรวจรับ"}], "body.milestones"),
            (
                [
                    {"code": "a", "percent": 50, "label_th": "ก"},
                    {"code": "a", "percent": 100, "label_th": "ก"},
                ],
                "body.milestones.1.code",
            ),
            (
                [
                    {"code": "a", "percent": 50, "label_th": "ก"},
                    {"code": "inspected", "percent": 90, "label_th": "ตรวจรับ"},
                ],
                "body.milestones.1.percent",
            ),
            (
                [
                    {"code": "a", "percent": 50, "label_th": "ก"},
                    {"code": "b", "percent": 100, "label_th": "ข"},
                ],
                "body.milestones.1.code",
            ),
        ],
        ids=["only-inspection", "duplicate", "not-100", "last-not-inspection"],
    )
    async def test_an_invalid_template_is_422_naming_the_field_and_changes_nothing(
        self, client: httpx.AsyncClient, milestones: list[dict[str, Any]], field: str
    ) -> None:
        response = await client.put(
            REPAIR_PATH, json={"updated_by": "ฝ่ายระบบ", "milestones": milestones}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]
        assert (await client.get(REPAIR_PATH)).json()["customised"] is False

    async def test_an_unknown_programme_or_work_type_is_422(
        self, client: httpx.AsyncClient
    ) -> None:
        for path in ("/v1/milestone-templates/MOON/repair", "/v1/milestone-templates/CANAL/x"):
            response = await client.put(path, json=SIMPLE_REPAIR)
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"


def _days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


class TestPlannedDates:
    async def test_milestones_are_planned_through_the_projects_period(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app, need="repair")
        assert {m["planned_on"] for m in await _milestones(client, house_id)} == {None}
        project = await create_project(
            client, planned_start_on="2026-01-01", planned_end_on="2026-11-06"
        )  # 309 days

        await assign(client, project["id"], house_id)

        planned = [(m["code"], m["planned_on"]) for m in await _milestones(client, house_id)]
        # 30% of 309 days = 92.7 → 93; 80% = 247.2 → 247; the inspection on the planned end.
        assert planned == [
            ("materials_delivered", "2026-04-04"),
            ("repaired", "2026-09-05"),
            ("inspected", "2026-11-06"),
        ]

    async def test_rescheduling_the_project_moves_every_date_not_fixed_by_hand(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app, need="repair")
        project = await create_project(
            client, planned_start_on="2026-01-01", planned_end_on="2026-11-06"
        )
        await assign(client, project["id"], house_id)
        fixed = await client.put(
            f"/v1/house-works/{house_id}/milestones/repaired",
            json={"planned_on": "2026-06-30", "reported_by": "ทีมช่าง"},
        )
        assert fixed.status_code == 200, fixed.text
        assert (fixed.json()["planned_on_fixed"], fixed.json()["planned_by"]) == (True, "ทีมช่าง")

        response = await client.patch(
            f"/v1/projects/{project['id']}", json={"planned_end_on": "2026-12-31"}
        )
        assert response.status_code == 200, response.text

        planned = {m["code"]: m["planned_on"] for m in await _milestones(client, house_id)}
        assert planned == {
            "materials_delivered": "2026-04-20",  # 30% of 364 days = 109.2 → 109
            "repaired": "2026-06-30",
            "inspected": "2026-12-31",
        }
        reset = await client.put(
            f"/v1/house-works/{house_id}/milestones/repaired",
            json={"planned_on": None, "reported_by": "ทีมช่าง"},
        )
        assert (reset.json()["planned_on"], reset.json()["planned_on_fixed"]) == (
            "2026-10-19",  # 80% of 364 = 291.2 → 291
            False,
        )

    async def test_a_houses_own_planned_end_sets_its_inspection_date(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app, need="repair")  # planned on 2026-01-15
        response = await client.put(
            f"/v1/house-works/{house_id}/planned-end",
            json={"planned_end_on": "2026-02-14", "reported_by": "ผู้ประสานงาน"},
        )
        assert response.status_code == 200, response.text
        planned = [m["planned_on"] for m in await _milestones(client, house_id)]
        assert planned == ["2026-01-24", "2026-02-08", "2026-02-14"]

    async def test_a_bad_planned_date_change_is_refused_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client, need="repair")
        await post(client, house_id, "progress", reported_by="ช่าง", milestone="repaired")
        before = await _milestones(client, house_id)
        base = f"/v1/house-works/{house_id}/milestones"
        cases = [
            ("roof", {"planned_on": "2026-03-01", "reported_by": "x"}, 404),
            ("repaired", {"planned_on": "2026-03-01", "reported_by": "x"}, 409),
            ("inspected", {"planned_on": "2025-01-01", "reported_by": "x"}, 422),
            ("inspected", {"planned_on": "2026-03-01"}, 422),
        ]
        for code, body, expected in cases:
            response = await client.put(f"{base}/{code}", json=body)
            assert response.status_code == expected, (code, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        unknown_house = await client.put(
            f"/v1/house-works/{UNKNOWN_ID}/milestones/inspected",
            json={"planned_on": None, "reported_by": "x"},
        )
        assert unknown_house.status_code == 404
        assert await _milestones(client, house_id) == before


class TestOverdueMilestones:
    async def test_milestones_past_their_date_and_not_reached_or_passed_are_listed(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # A period that started 100 days ago and ends in 100 days: the first milestones are due.
        project = await create_project(
            client, planned_start_on=_days(-100), planned_end_on=_days(100)
        )
        late = await under_construction(app, client, need="new_build")
        skipped = await under_construction(app, client, need="new_build")
        elsewhere = await under_construction(
            app,
            client,
            need="new_build",
            province_code="50",
            district_code="5001",
            subdistrict_code="500101",
        )
        await assign(client, project["id"], late, skipped)
        # foundation is due on day 40 of 200, structure on day 100: both past or today.
        await post(client, skipped, "progress", reported_by="ช่าง", milestone="structure")
        await client.put(
            f"/v1/house-works/{elsewhere}/planned-end",
            json={"planned_end_on": _days(30), "reported_by": "x"},
        )

        listed = (
            await client.get("/v1/milestones/overdue", params={"project_id": project["id"]})
        ).json()["items"]

        assert [(i["house_work_id"], i["code"]) for i in listed] == [(late, "foundation")]
        assert listed[0]["planned_on"] == _days(-60)
        assert listed[0]["days_late"] == 60
        everywhere = (await client.get("/v1/milestones/overdue")).json()["items"]
        assert {i["house_work_id"] for i in everywhere} >= {late}
        assert skipped not in {i["house_work_id"] for i in everywhere}

    async def test_the_list_pages_by_cursor(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        project = await create_project(
            client, planned_start_on=_days(-300), planned_end_on=_days(-1)
        )
        houses = [await plan_house(app, need="repair") for _ in range(2)]
        await assign(client, project["id"], *houses)
        seen: list[tuple[str, str]] = []
        cursor = None
        while True:
            params = {
                "project_id": project["id"],
                "limit": 2,
                **({"cursor": cursor} if cursor else {}),
            }
            page = (await client.get("/v1/milestones/overdue", params=params)).json()
            seen += [(i["house_work_id"], i["code"]) for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(
            (h, c) for h in houses for c in ("materials_delivered", "repaired", "inspected")
        )


class TestHouseMilestonesApi:
    async def test_a_house_shows_its_milestones_marked_as_reached_up_to_the_sign_off(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client, need="repair")
        await post(client, house_id, "progress", reported_by="ช่างชุมชน", milestone="repaired")

        midway = (await client.get(f"/v1/house-works/{house_id}/milestones")).json()
        assert midway["template"] == "repair"
        assert [(m["code"], m["reached"]) for m in midway["milestones"]] == [
            ("materials_delivered", False),
            ("repaired", True),
            ("inspected", False),
        ]
        assert midway["milestones"][1]["reported_by"] == "ช่างชุมชน"

        await post(
            client,
            house_id,
            "complete",
            inspected_by="คณะกรรมการ",
            actual_cost_satang=1_000_000,
            labour_days=3,
        )
        done = (await client.get(f"/v1/house-works/{house_id}/milestones")).json()
        assert done["milestones"][-1] == {
            "code": "inspected",
            "percent": 100,
            "label_th": "ตรวจรับ",
            "schedule_percent": 100,
            "planned_on": None,
            "planned_on_fixed": False,
            "planned_by": None,
            "reached": True,
            "reached_on": today().isoformat(),
            "reported_by": "คณะกรรมการ",
        }

    async def test_an_unknown_house_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/v1/house-works/{UNKNOWN_ID}/milestones")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

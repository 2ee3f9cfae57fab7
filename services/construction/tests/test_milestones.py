"""Milestone templates per work type and programme, and a house's milestones as reached."""

import httpx
import pytest
from construction_factories import UNKNOWN_ID, post, under_construction
from fastapi import FastAPI

from baan_shared.clock import thai_today as today
from baan_shared.http.errors import Conflict, Unprocessable
from baan_shared.reference import Programme
from construction.house_works.models import WorkType
from construction.milestones.templates import ALL, Template, check_milestone, template_for


class TestTemplates:
    @pytest.mark.parametrize("template", ALL, ids=lambda t: t.name)
    def test_every_template_rises_to_the_inspection_at_100(self, template: Template) -> None:
        percents = [m.percent for m in template.milestones]
        assert percents == sorted(set(percents))
        assert template.milestones[-1].code == "inspected"
        assert percents[-1] == 100

    def test_a_canal_rebuild_reaches_structure_at_half_way(self) -> None:
        rebuild = template_for(Programme.CANAL, WorkType.REBUILD)
        assert check_milestone(rebuild, None, "structure", 50).percent == 50

    def test_a_repair_is_materials_then_repaired_then_inspected(self) -> None:
        repair = template_for(Programme.BAAN_PHO_PHIANG, WorkType.REPAIR)
        assert repair.codes() == ["materials_delivered", "repaired", "inspected"]

    def test_an_emergency_shelter_has_its_own_shorter_template(self) -> None:
        shelter = template_for(Programme.EMERGENCY, WorkType.NEW_BUILD)
        assert shelter.name == "emergency_shelter"
        assert template_for(Programme.EMERGENCY, WorkType.REPAIR).name == "repair"

    def test_milestones_may_skip_forward_but_never_go_back(self) -> None:
        build = template_for(Programme.BAAN_MANKONG, WorkType.NEW_BUILD)
        check_milestone(build, "foundation", "roof", None)
        with pytest.raises(Conflict, match="out of order"):
            check_milestone(build, "roof", "structure", None)
        with pytest.raises(Conflict, match="out of order"):
            check_milestone(build, "roof", "roof", None)

    def test_an_unknown_milestone_is_unprocessable(self) -> None:
        with pytest.raises(Unprocessable) as raised:
            check_milestone(template_for(Programme.CANAL, WorkType.REPAIR), None, "roof", None)
        assert raised.value.errors and raised.value.errors[0]["field"] == "body.milestone"


class TestApi:
    async def test_the_templates_are_listed_with_their_milestones(
        self, client: httpx.AsyncClient
    ) -> None:
        templates = {t["name"]: t for t in (await client.get("/v1/milestone-templates")).json()}
        assert set(templates) == {t.name for t in ALL}
        assert templates["emergency_shelter"]["programmes"] == ["EMERGENCY"]
        assert templates["repair"]["work_types"] == ["repair"]
        assert [m["code"] for m in templates["repair"]["milestones"]] == [
            "materials_delivered",
            "repaired",
            "inspected",
        ]

    async def test_a_house_shows_its_template_marked_as_reached_up_to_the_sign_off(
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
            "reached": True,
            "reached_on": today().isoformat(),
            "reported_by": "คณะกรรมการ",
        }

    async def test_an_unknown_house_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/v1/house-works/{UNKNOWN_ID}/milestones")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

"""Tambon plans through the API: lifecycle, versions, and bad input that stores nothing."""

from typing import Any

import httpx
import pytest
from survey_auth import ClientFor

from baan_shared.auth.scopes import SURVEY_READ, SURVEY_WRITE

TAMBON = "570101"  # ต.เวียง อ.เมืองเชียงราย จ.เชียงราย
ADMINISTRATION = "5570101"


RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


async def load_administrations(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/v1/local-administrations",
        json={
            "items": [
                {
                    "code": ADMINISTRATION,
                    "name_th": "เทศบาลนครเชียงราย",
                    "kind": "city_municipality",
                    "province_code": "57",
                    "district_code": "5701",
                },
                {
                    "code": "6100101",
                    "name_th": "องค์การบริหารส่วนจังหวัดอุทัยธานี",
                    "kind": "provincial",
                    "province_code": "61",
                },
            ]
        },
    )
    assert response.status_code == 200, response.text


def plan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subdistrict_code": TAMBON,
        "local_administration_code": ADMINISTRATION,
        "first_fiscal_year": 2566,
        "years": 3,
        "drafted_by": "เครือข่ายบ้านมั่นคงตำบลเวียง",
        "lines": [
            {
                "programme": "BAAN_PHO_PHIANG",
                "fiscal_year": 2566,
                "need": "repair",
                "households": 40,
                "budget_satang": 40 * 1_900_000,
                "communities": 3,
            },
            {
                "programme": "BAAN_PHO_PHIANG",
                "fiscal_year": 2567,
                "need": "rebuild",
                "households": 12,
                "budget_satang": 12 * 5_000_000,
                "communities": 2,
            },
        ],
    }
    body.update(overrides)
    return body


async def adopted_plan(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    created = await client.post("/v1/tambon-plans", json=plan_body(**overrides))
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    agreed = await client.post(
        f"/v1/tambon-plans/{plan_id}/agreement",
        json={"by": "สภาองค์กรชุมชนตำบลเวียง", "on": "2026-12-01"},
    )
    assert agreed.status_code == 200, agreed.text
    adopted = await client.post(
        f"/v1/tambon-plans/{plan_id}/adoption", json={"by": "นายกเทศมนตรี", "on": "2026-12-03"}
    )
    assert adopted.status_code == 200, adopted.text
    result: dict[str, Any] = adopted.json()
    return result


async def plans_stored(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/tambon-plans")).json()["items"])


async def outbox_types(app: Any) -> list[str]:
    from sqlmodel import col, select

    from baan_shared.outbox import OutboxMessage

    async with app.state.runtime.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        return [row.type for row in rows if row.type.startswith("tambon_plan.")]


@pytest.fixture(autouse=True)
async def administrations(client: httpx.AsyncClient) -> None:
    await load_administrations(client)


class TestLifecycle:
    async def test_a_plan_goes_from_draft_through_agreed_to_adopted_with_who_and_when(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        plan = await adopted_plan(client)
        assert plan["status"] == "adopted"
        assert (plan["agreed_by"], plan["agreed_on"]) == ("สภาองค์กรชุมชนตำบลเวียง", "2026-12-01")
        assert (plan["adopted_by"], plan["adopted_on"]) == ("นายกเทศมนตรี", "2026-12-03")
        assert (plan["first_fiscal_year"], plan["last_fiscal_year"], plan["version"]) == (
            2566,
            2568,
            1,
        )
        assert (plan["households"], plan["budget_satang"]) == (52, 136_000_000)
        assert (plan["province_code"], plan["district_code"]) == ("57", "5701")
        assert await outbox_types(app) == ["tambon_plan.adopted"]

    async def test_a_draft_cannot_be_adopted_before_the_council_agrees(
        self, client: httpx.AsyncClient
    ) -> None:
        plan_id = (await client.post("/v1/tambon-plans", json=plan_body())).json()["id"]
        response = await client.post(
            f"/v1/tambon-plans/{plan_id}/adoption", json={"by": "x", "on": "2026-12-03"}
        )
        assert response.status_code == 409
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (await client.get(f"/v1/tambon-plans/{plan_id}")).json()["status"] == "draft"

    async def test_a_new_version_supersedes_the_adopted_plan_and_history_is_kept(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        first = await adopted_plan(client)
        second = await adopted_plan(client, supersedes_plan_id=first["id"], years=5)
        assert (second["version"], second["status"]) == (2, "adopted")
        old = (await client.get(f"/v1/tambon-plans/{first['id']}")).json()
        assert (old["status"], old["superseded_by_plan_id"]) == ("superseded", second["id"])
        assert old["lines"] == first["lines"]
        listed = (await client.get("/v1/tambon-plans", params={"subdistrict_code": TAMBON})).json()
        assert sorted(p["version"] for p in listed["items"]) == [1, 2]
        assert await outbox_types(app) == [
            "tambon_plan.adopted",
            "tambon_plan.superseded",
            "tambon_plan.adopted",
        ]


class TestBadInput:
    async def test_a_second_adopted_plan_for_the_same_span_is_409_and_changes_nothing(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        first = await adopted_plan(client)
        created = await client.post("/v1/tambon-plans", json=plan_body(years=5))
        plan_id = created.json()["id"]
        await client.post(
            f"/v1/tambon-plans/{plan_id}/agreement", json={"by": "สภา", "on": "2026-12-05"}
        )
        response = await client.post(
            f"/v1/tambon-plans/{plan_id}/adoption", json={"by": "x", "on": "2026-12-06"}
        )
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == ["supersedes_plan_id"]
        assert (await client.get(f"/v1/tambon-plans/{plan_id}")).json()["status"] == "agreed"
        assert (await client.get(f"/v1/tambon-plans/{first['id']}")).json()["status"] == "adopted"
        assert await outbox_types(app) == ["tambon_plan.adopted"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"subdistrict_code": "579999"}, "body.subdistrict_code"),
            ({"local_administration_code": "9999999"}, "body.local_administration_code"),
            # An administration of another province does not co-plan this tambon.
            ({"local_administration_code": "6100101"}, "body.local_administration_code"),
            ({"years": 4}, "body.years"),
            ({"lines.0.fiscal_year": 2569}, "body.lines.0.fiscal_year"),
            ({"lines.1.fiscal_year": 2565}, "body.lines.1.fiscal_year"),
            ({"lines.0.households": -1}, "body.lines.0.households"),
            ({"lines.1.budget_satang": -100}, "body.lines.1.budget_satang"),
        ],
    )
    async def test_bad_plans_are_422_naming_the_field_and_store_nothing(
        self, client: httpx.AsyncClient, change: dict[str, Any], field: str
    ) -> None:
        body = plan_body()
        for key, value in change.items():
            if key.startswith("lines."):
                _, index, name = key.split(".")
                body["lines"][int(index)][name] = value
            else:
                body[key] = value
        response = await client.post("/v1/tambon-plans", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]]
        assert await plans_stored(client) == 0

    async def test_an_administration_list_with_one_bad_row_loads_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.put(
            "/v1/local-administrations",
            json={
                "items": [
                    {
                        "code": "1234567",
                        "name_th": "อบต.ก",
                        "kind": "subdistrict_administration",
                        "province_code": "57",
                        "district_code": "5701",
                    },
                    {
                        "code": "1234568",
                        "name_th": "อบต.ข",
                        "kind": "subdistrict_administration",
                        "province_code": "57",
                        "district_code": "1001",
                    },
                ]
            },
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.items.1.district_code"]
        assert (await client.get("/v1/local-administrations/1234567")).status_code == 404


class TestAreas:
    async def test_another_provinces_plan_is_nowhere_for_a_provincial_office(
        self, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        plan = await adopted_plan(client)
        async with client_for("bangkok-office", [SURVEY_READ, SURVEY_WRITE], ["10"]) as bangkok:
            missing = "01900000-0000-7000-8000-000000000000"
            theirs = await bangkok.get(f"/v1/tambon-plans/{plan['id']}")
            random = await bangkok.get(f"/v1/tambon-plans/{missing}")
            assert theirs.status_code == random.status_code == 404
            assert theirs.json()["detail"].replace(plan["id"], missing) == random.json()["detail"]
            assert (await bangkok.get("/v1/tambon-plans")).json()["items"] == []
            refused = await bangkok.post("/v1/tambon-plans", json=plan_body())
            assert refused.status_code == 403
            supersede = await bangkok.post(
                "/v1/tambon-plans",
                json=plan_body(
                    subdistrict_code="100101",
                    local_administration_code="1000000",
                    supersedes_plan_id=plan["id"],
                ),
            )
            assert supersede.status_code == 422
        assert await plans_stored(client) == 1


def plan_sheet(rows: list[list[object]]) -> bytes:
    header = [
        "รหัสตำบล",
        "รหัส อปท.",
        "ปีงบประมาณเริ่มต้น",
        "จำนวนปี",
        "ผู้จัดทำแผน",
        "โครงการ",
        "ปีงบประมาณ",
        "ความต้องการ",
        "จำนวนครัวเรือน",
        "งบประมาณ (บาท)",
        "จำนวนชุมชน",
    ]
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


PLAN = [TAMBON, ADMINISTRATION, 2566, 3, "เครือข่ายตำบลเวียง"]


class TestSheet:
    async def test_a_sheet_with_thai_headers_drafts_one_plan_per_tambon_and_span(
        self, client: httpx.AsyncClient
    ) -> None:
        sheet = plan_sheet(
            [
                [*PLAN, "บ้านพอเพียงชนบท", 2566, "ซ่อมแซม", 40, "760000", 3],
                [*PLAN, "บ้านพอเพียงชนบท", 2567, "สร้างใหม่", 12, "600000.50", 2],
                ["570102", ADMINISTRATION, 2566, 5, "เครือข่าย", "บ้านมั่นคง", 2570, "ย้าย", 8, "", 1],
            ]
        )
        response = await client.post(
            "/v1/tambon-plans/sheet", files={"file": ("plans.csv", sheet, "text/csv")}
        )
        assert response.status_code == 201, response.text
        plans = {p["subdistrict_code"]: p for p in response.json()["items"]}
        assert (plans[TAMBON]["households"], plans[TAMBON]["budget_satang"]) == (52, 136_000_050)
        assert [line["need"] for line in plans[TAMBON]["lines"]] == ["repair", "rebuild"]
        assert plans["570102"]["lines"][0]["programme"] == "BAAN_MANKONG"
        assert {p["status"] for p in plans.values()} == {"draft"}

    async def test_a_sheet_with_one_bad_cell_stores_nothing_and_names_row_and_column(
        self, client: httpx.AsyncClient
    ) -> None:
        sheet = plan_sheet(
            [
                [*PLAN, "บ้านพอเพียงชนบท", 2566, "ซ่อมแซม", 40, "760000", 3],
                [*PLAN, "บ้านพอเพียงชนบท", 2570, "ซ่อมแซม", 5, "1000", 1],
                [*PLAN, "บ้านพอเพียงชนบท", 2567, "ซ่อมแซม", -2, "1000", 1],
            ]
        )
        response = await client.post(
            "/v1/tambon-plans/sheet", files={"file": ("plans.csv", sheet, "text/csv")}
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {e["field"] for e in response.json()["errors"]} == {"file.row.4.households"}
        response = await client.post(
            "/v1/tambon-plans/sheet",
            files={
                "file": (
                    "plans.csv",
                    plan_sheet([[*PLAN, "บ้านพอเพียงชนบท", 2570, "ซ่อมแซม", 5, "1000", 1]]),
                    "text/csv",
                )
            },
        )
        assert [e["field"] for e in response.json()["errors"]] == ["file.row.2.fiscal_year"]
        assert await plans_stored(client) == 0

"""Registering, screening and selecting households through the HTTP API."""

import json

import httpx
from fastapi import FastAPI
from survey_factories import household_body, national_id

from baan_shared.auth import mask_national_id
from baan_testkit.outbox import outbox_rows


async def _register_and_screen(client: httpx.AsyncClient, **overrides: object) -> str:
    created = await client.post("/v1/households", json=household_body(**overrides))
    assert created.status_code == 201, created.text
    household_id = created.json()["id"]
    screened = await client.post(
        f"/v1/households/{household_id}/screen", json={"decided_by": "committee"}
    )
    assert screened.status_code == 200, screened.text
    return household_id


class TestRegister:
    async def test_thai_text_round_trips_and_national_id_is_masked(
        self, client: httpx.AsyncClient, no_pii_client: httpx.AsyncClient
    ) -> None:
        body = household_body(national_id=national_id(42))
        response = await client.post("/v1/households", json=body)
        assert response.status_code == 201
        data = response.json()
        assert data["head_name"] == "นางสมศรี ใจดี"
        assert data["village"] == "หมู่ 3 บ้านสันทราย"
        assert data["status"] == "surveyed"
        assert data["national_id_masked"] == mask_national_id(body["national_id"])
        # Shown in clear only to a client holding pii:read (the national one here).
        assert data["national_id"] == body["national_id"]
        masked = await no_pii_client.get(f"/v1/households/{data['id']}")
        assert body["national_id"] not in masked.text
        assert masked.json()["national_id"] == mask_national_id(body["national_id"])

    async def test_registering_writes_household_surveyed_to_the_outbox(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/v1/households", json=household_body())
        rows = await outbox_rows(app)
        assert [r.type for r in rows] == ["household.surveyed"]
        assert rows[0].aggregateid == response.json()["id"]
        assert rows[0].topic == "survey.households"

    async def test_bad_check_digit_is_a_422_naming_the_field_and_writes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        good = national_id(7)
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        response = await client.post("/v1/households", json=household_body(national_id=bad))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert [e["field"] for e in problem["errors"]] == ["body.national_id"]
        assert (await client.get("/v1/households")).json()["items"] == []
        assert await outbox_rows(app) == []

    async def test_every_invalid_field_is_named(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households",
            json=household_body(household_size=0, district_code="1001", programme="NOPE"),
        )
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"body.household_size", "body.district_code", "body.programme"}

    async def test_invalid_json_is_problem_json(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestScreening:
    async def test_approve_publishes_household_approved_with_area_and_cost(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = await _register_and_screen(client)
        response = await client.post(
            f"/v1/households/{household_id}/approve", json={"decided_by": "คณะกรรมการชุมชน"}
        )
        assert response.status_code == 200
        assert response.json()["status"] == "approved"
        assert response.json()["fiscal_year"] >= 2569
        approved = [r for r in await outbox_rows(app) if r.type == "household.approved"]
        assert len(approved) == 1
        payload = json.loads(approved[0].payload)
        assert payload["household_id"] == household_id
        assert payload["province_code"] == "57"
        assert payload["estimated_cost_satang"] == 2_000_000
        assert payload["approved_by"] == "คณะกรรมการชุมชน"

    async def test_approving_a_rejected_household_is_409_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = await _register_and_screen(client)
        rejected = await client.post(
            f"/v1/households/{household_id}/reject",
            json={"decided_by": "committee", "reason": "income above the limit"},
        )
        assert rejected.status_code == 200
        before = len(await outbox_rows(app))
        response = await client.post(
            f"/v1/households/{household_id}/approve", json={"decided_by": "committee"}
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["current_status"] == "rejected"
        assert (await client.get(f"/v1/households/{household_id}")).json()["status"] == "rejected"
        assert len(await outbox_rows(app)) == before

    async def test_reject_needs_a_reason(self, client: httpx.AsyncClient) -> None:
        household_id = await _register_and_screen(client)
        response = await client.post(
            f"/v1/households/{household_id}/reject", json={"decided_by": "committee"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.reason"

    async def test_the_same_national_id_cannot_be_approved_twice(
        self, client: httpx.AsyncClient
    ) -> None:
        same = national_id(99)
        first = await _register_and_screen(client, national_id=same, programme="CANAL")
        second = await _register_and_screen(client, national_id=same)
        assert (
            await client.post(f"/v1/households/{first}/approve", json={"decided_by": "c"})
        ).status_code == 200
        response = await client.post(f"/v1/households/{second}/approve", json={"decided_by": "c"})
        assert response.status_code == 409
        assert response.json()["duplicate_of"] == first

    async def test_history_records_who_and_when(self, client: httpx.AsyncClient) -> None:
        household_id = await _register_and_screen(client)
        await client.post(
            f"/v1/households/{household_id}/waitlist",
            json={"decided_by": "committee", "reason": "budget short this year"},
        )
        history = (await client.get(f"/v1/households/{household_id}/history")).json()
        assert [h["to_status"] for h in history] == ["surveyed", "screened", "waitlisted"]
        assert history[-1]["reason"] == "budget short this year"
        assert history[-1]["decided_by"] == "committee"

    async def test_unknown_household_is_404_problem_json(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households/0190f5d2-0000-7000-8000-000000000000/approve", json={"decided_by": "c"}
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestListing:
    async def test_cursor_pages_through_every_household_once(
        self, client: httpx.AsyncClient
    ) -> None:
        for _ in range(5):
            await client.post("/v1/households", json=household_body())
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/households", params=params)).json()
            seen += [h["id"] for h in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 5

    async def test_filters_by_status(self, client: httpx.AsyncClient) -> None:
        await client.post("/v1/households", json=household_body())
        screened = await _register_and_screen(client)
        page = (await client.get("/v1/households", params={"status": "screened"})).json()
        assert [h["id"] for h in page["items"]] == [screened]


class TestSearch:
    async def test_free_thai_text_finds_name_or_village(self, client: httpx.AsyncClient) -> None:
        wanted = (
            await client.post(
                "/v1/households", json=household_body(head_name="นายบุญมี ศรีสุข", village="บ้านดอย")
            )
        ).json()
        await client.post("/v1/households", json=household_body(head_name="นางมาลี ใจงาม"))
        by_name = (await client.get("/v1/households", params={"q": "บุญมี"})).json()
        assert [h["id"] for h in by_name["items"]] == [wanted["id"]]
        by_village = (await client.get("/v1/households", params={"q": "ดอย"})).json()
        assert [h["id"] for h in by_village["items"]] == [wanted["id"]]

    async def test_percent_in_the_text_is_literal(self, client: httpx.AsyncClient) -> None:
        await client.post("/v1/households", json=household_body())
        page = (await client.get("/v1/households", params={"q": "%"})).json()
        assert page["items"] == []

    async def test_filters_by_district(self, client: httpx.AsyncClient) -> None:
        inside = (await client.post("/v1/households", json=household_body())).json()
        await client.post(
            "/v1/households",
            json=household_body(district_code="5702", subdistrict_code="570202"),
        )
        page = (await client.get("/v1/households", params={"district_code": "5701"})).json()
        assert [h["id"] for h in page["items"]] == [inside["id"]]

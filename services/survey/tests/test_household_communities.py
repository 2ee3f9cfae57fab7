"""Households in a community (ชุมชน): registered there, and named on every event."""

import httpx
from fastapi import FastAPI
from survey_factories import household_body

from baan_testkit.outbox import outbox_rows, payload


async def _payloads(app: FastAPI, event_type: str) -> list[dict[str, object]]:
    return [payload(row) for row in await outbox_rows(app, event_type)]


async def _community(client: httpx.AsyncClient, subdistrict_code: str = "570101") -> str:
    response = await client.post(
        "/v1/communities",
        json={"name": "ชุมชนสันทราย", "kind": "community", "subdistrict_code": subdistrict_code},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestHouseholdsInACommunity:
    async def test_every_event_of_a_community_household_names_the_community(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        community_id = await _community(client)
        created = await client.post(
            "/v1/households", json=household_body(community_id=community_id)
        )
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]
        assert created.json()["community_id"] == community_id
        for step in ("screen", "approve"):
            response = await client.post(
                f"/v1/households/{household_id}/{step}", json={"decided_by": "committee"}
            )
            assert response.status_code == 200, response.text
        await client.post(
            f"/v1/households/{household_id}/waitlist",
            json={"decided_by": "committee", "reason": "budget"},
        )
        for event_type in ("household.surveyed", "household.approved", "household.waitlisted"):
            [payload] = await _payloads(app, event_type)
            assert payload["community_id"] == community_id, event_type

    async def test_a_household_outside_any_community_has_none_on_its_events(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await client.post("/v1/households", json=household_body())
        [payload] = await _payloads(app, "household.surveyed")
        assert payload["community_id"] is None

    async def test_a_community_round_registers_its_households_in_that_community(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        community_id = await _community(client)
        survey_round = await client.post(
            "/v1/survey-rounds",
            json={
                "subdistrict_code": "570101",
                "community_id": community_id,
                "run_by": "อาสาสมัคร",
                "started_on": "2026-10-01",
            },
        )
        assert survey_round.status_code == 201, survey_round.text
        created = await client.post(
            "/v1/households", json=household_body(survey_round_id=survey_round.json()["id"])
        )
        assert created.json()["community_id"] == community_id
        [payload] = await _payloads(app, "household.surveyed")
        assert payload["community_id"] == community_id

    async def test_a_community_in_another_subdistrict_is_refused_naming_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        elsewhere = await _community(client, subdistrict_code="570202")
        response = await client.post("/v1/households", json=household_body(community_id=elsewhere))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "body.community_id"
        assert (await client.get("/v1/households")).json()["items"] == []

    async def test_an_unknown_community_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households",
            json=household_body(community_id="0190f5d2-0000-7000-8000-000000000000"),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.community_id"

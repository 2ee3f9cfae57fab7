"""Communities in a sub-district, survey rounds, and households counted against them."""

import httpx
from survey_factories import household_body


async def _community(client: httpx.AsyncClient, subdistrict_code: str = "570101") -> str:
    response = await client.post(
        "/v1/communities",
        json={
            "name": "บ้านสันทราย",
            "kind": "village",
            "village_no": 3,
            "subdistrict_code": subdistrict_code,
        },
    )
    assert response.status_code == 201, response.text
    community_id: str = response.json()["id"]
    return community_id


async def _round(client: httpx.AsyncClient, **overrides: object) -> dict:
    body: dict[str, object] = {
        "subdistrict_code": "570101",
        "run_by": "สภาองค์กรชุมชนตำบลเวียง",
        "started_on": "2026-11-01",
        "households_in_area": 4,
    }
    body.update(overrides)
    response = await client.post("/v1/survey-rounds", json=body)
    assert response.status_code == 201, response.text
    result: dict = response.json()
    return result


class TestCommunities:
    async def test_community_is_placed_in_its_district_and_province(
        self, client: httpx.AsyncClient
    ) -> None:
        community_id = await _community(client)
        community = (await client.get(f"/v1/communities/{community_id}")).json()
        assert (community["province_code"], community["district_code"]) == ("57", "5701")
        listed = (await client.get("/v1/communities", params={"subdistrict_code": "570101"})).json()
        assert [c["id"] for c in listed["items"]] == [community_id]

    async def test_unknown_subdistrict_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/communities", json={"name": "x", "kind": "community", "subdistrict_code": "579999"}
        )
        assert [e["field"] for e in response.json()["errors"]] == ["body.subdistrict_code"]


class TestRounds:
    async def test_coverage_counts_the_households_registered_in_the_round(
        self, client: httpx.AsyncClient
    ) -> None:
        survey_round = await _round(client, community_id=await _community(client))
        assert (survey_round["households_counted"], survey_round["coverage"]) == (0, 0.0)
        for _ in range(3):
            created = await client.post(
                "/v1/households", json=household_body(survey_round_id=survey_round["id"])
            )
            assert created.status_code == 201, created.text
        await client.post("/v1/households", json=household_body())
        again = (await client.get(f"/v1/survey-rounds/{survey_round['id']}")).json()
        assert again["households_counted"] == 3
        assert again["coverage"] == 0.75
        in_round = (
            await client.get("/v1/households", params={"survey_round_id": survey_round["id"]})
        ).json()
        assert len(in_round["items"]) == 3

    async def test_coverage_is_null_while_the_area_size_is_unknown(
        self, client: httpx.AsyncClient
    ) -> None:
        survey_round = await _round(client, households_in_area=None)
        assert survey_round["coverage"] is None

    async def test_a_community_of_another_subdistrict_is_422(
        self, client: httpx.AsyncClient
    ) -> None:
        other = await _community(client, subdistrict_code="570102")
        response = await client.post(
            "/v1/survey-rounds",
            json={
                "subdistrict_code": "570101",
                "community_id": other,
                "run_by": "x",
                "started_on": "2026-11-01",
            },
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.community_id"]
        assert (await client.get("/v1/survey-rounds")).json()["items"] == []

    async def test_finishing_before_starting_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/survey-rounds",
            json={
                "subdistrict_code": "570101",
                "run_by": "x",
                "started_on": "2026-11-02",
                "finished_on": "2026-11-01",
            },
        )
        assert [e["field"] for e in response.json()["errors"]] == ["body.finished_on"]

    async def test_household_in_a_round_of_another_subdistrict_is_422(
        self, client: httpx.AsyncClient
    ) -> None:
        survey_round = await _round(client, subdistrict_code="570102")
        response = await client.post(
            "/v1/households", json=household_body(survey_round_id=survey_round["id"])
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.survey_round_id"]
        assert (await client.get("/v1/households")).json()["items"] == []

    async def test_household_in_an_unknown_round_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households",
            json=household_body(survey_round_id="0190f5d2-0000-7000-8000-000000000000"),
        )
        assert [e["field"] for e in response.json()["errors"]] == ["body.survey_round_id"]

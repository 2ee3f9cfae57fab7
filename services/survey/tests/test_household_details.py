"""Members, house condition, land, GPS point and notes: all optional, all round-trip."""

import httpx
from survey_factories import household_body


class TestDetails:
    async def test_members_land_and_point_round_trip(self, client: httpx.AsyncClient) -> None:
        body = household_body(
            members=[
                {"age": 67, "sex": "female", "chronic_illness": True},
                {"age": 12, "sex": "male"},
                {"age": 40, "sex": "male", "disability": True},
            ],
            house_condition="non_durable",
            land_tenure="permitted_use",
            land_parcel_ref="ส.ป.ก. 4-01 เลขที่ 1234",
            land_area_sq_wah=120,
            latitude=19.9105,
            longitude=99.8406,
            notes="หลังคารั่ว ฝาผนังไม้ผุ",
        )
        created = await client.post("/v1/households", json=body)
        assert created.status_code == 201, created.text
        household = (await client.get(f"/v1/households/{created.json()['id']}")).json()
        assert [m["age"] for m in household["members"]] == [67, 12, 40]
        assert household["members"][0]["chronic_illness"] is True
        assert household["land_parcel_ref"] == "ส.ป.ก. 4-01 เลขที่ 1234"
        assert household["notes"] == "หลังคารั่ว ฝาผนังไม้ผุ"
        assert (household["latitude"], household["longitude"]) == (19.9105, 99.8406)
        assert household["eligible"] is None

    async def test_a_first_slice_body_without_details_still_registers(
        self, client: httpx.AsyncClient
    ) -> None:
        created = await client.post("/v1/households", json=household_body())
        assert created.status_code == 201
        assert created.json()["members"] == []
        assert created.json()["house_condition"] is None

    async def test_more_members_than_household_size_is_422(self, client: httpx.AsyncClient) -> None:
        members = [{"age": 30, "sex": "female"}] * 3
        response = await client.post(
            "/v1/households", json=household_body(household_size=2, members=members)
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.members"]

    async def test_latitude_without_longitude_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/households", json=household_body(latitude=19.9))
        assert [e["field"] for e in response.json()["errors"]] == ["body.longitude"]

    async def test_point_outside_thailand_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households", json=household_body(latitude=-19.9, longitude=99.8)
        )
        assert response.status_code == 422
        assert "body.latitude" in [e["field"] for e in response.json()["errors"]]

    async def test_unknown_house_condition_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households", json=household_body(house_condition="haunted")
        )
        assert [e["field"] for e in response.json()["errors"]] == ["body.house_condition"]
        assert (await client.get("/v1/households")).json()["items"] == []

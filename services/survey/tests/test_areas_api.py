"""Reference geography under /v1/areas, and area codes checked at registration."""

import geothai
import httpx
import pytest
from survey_factories import household_body

from survey.areas import service as areas


class TestRegions:
    def test_every_province_belongs_to_exactly_one_regional_office(self) -> None:
        listed = [code for region in areas.regions() for code in region.province_codes]
        assert sorted(listed) == sorted(p.code for p in geothai.provinces())
        assert len(listed) == len(set(listed)) == 77
        assert len(areas.regions()) == 5

    async def test_provinces_can_be_listed_by_region(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/areas/provinces", params={"region": "N"})
        assert response.status_code == 200
        names = {p["name_en"] for p in response.json()}
        assert "Chiang Mai" in names
        assert "Bangkok" not in names

    async def test_an_unknown_region_is_refused_naming_the_parameter(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/areas/provinces", params={"region": "NORTH"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "query.region"


class TestBrowsing:
    async def test_province_districts_and_subdistricts_nest_with_thai_names(
        self, client: httpx.AsyncClient
    ) -> None:
        province = (await client.get("/v1/areas/provinces/57")).json()
        assert province["name_th"] == "เชียงราย"
        assert province["region_code"] == "N"
        districts = (await client.get("/v1/areas/provinces/57/districts")).json()
        assert "5701" in [d["code"] for d in districts]
        subdistricts = (await client.get("/v1/areas/districts/5701/subdistricts")).json()
        assert all(s["district_code"] == "5701" for s in subdistricts)
        assert "570101" in [s["code"] for s in subdistricts]

    @pytest.mark.parametrize(
        "path", ["/v1/areas/provinces/99", "/v1/areas/districts/9999/subdistricts"]
    )
    async def test_unknown_code_is_404_problem_json(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_malformed_code_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/areas/provinces/5")
        assert response.status_code == 422

    async def test_search_finds_thai_and_english_names(self, client: httpx.AsyncClient) -> None:
        thai = (await client.get("/v1/areas/search", params={"q": "เชียงราย"})).json()
        assert ("province", "57") in [(m["level"], m["code"]) for m in thai["items"]]
        english = (await client.get("/v1/areas/search", params={"q": "chiang rai"})).json()
        assert "57" in [m["code"] for m in english["items"]]


class TestRegistrationChecksAreas:
    async def test_unknown_subdistrict_is_422_naming_it(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households", json=household_body(subdistrict_code="570199")
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.subdistrict_code"]
        assert (await client.get("/v1/households")).json()["items"] == []

    async def test_subdistrict_of_another_district_is_422(self, client: httpx.AsyncClient) -> None:
        # 570202 exists, but in district 5702, not 5701.
        response = await client.post(
            "/v1/households", json=household_body(subdistrict_code="570202")
        )
        assert response.status_code == 422
        problem = response.json()
        assert [e["field"] for e in problem["errors"]] == ["body.subdistrict_code"]
        assert "not in district 5701" in problem["errors"][0]["reason"]

    async def test_unknown_province_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/households",
            json=household_body(
                province_code="99", district_code="9901", subdistrict_code="990101"
            ),
        )
        fields = {e["field"] for e in response.json()["errors"]}
        assert "body.province_code" in fields

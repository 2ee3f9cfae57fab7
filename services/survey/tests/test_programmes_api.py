"""Programme rules: seeded by migration, read by anyone, replaced by admins."""

import httpx


def _rules(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name_th": "บ้านพอเพียงชนบท",
        "name_en": "Baan Pho Phiang Chonnabot",
        "unit": "household",
        "income_limit_satang": 1_200_000,
        "allowed_house_conditions": ["dilapidated", "must_rebuild"],
        "allowed_tenures": ["own_title"],
        "updated_by": "admin@codi",
    }
    body.update(overrides)
    return body


class TestSeededProgrammes:
    async def test_every_programme_of_the_domain_is_seeded(self, client: httpx.AsyncClient) -> None:
        programmes = (await client.get("/v1/programmes")).json()
        assert {p["code"] for p in programmes} == {
            "BAAN_MANKONG",
            "BAAN_PHO_PHIANG",
            "LAND_REFORM",
            "CANAL",
            "HOMELESS",
            "EMERGENCY",
        }
        homeless = next(p for p in programmes if p["code"] == "HOMELESS")
        assert homeless["unit"] == "person"

    async def test_rural_programme_has_an_income_limit_in_satang(
        self, client: httpx.AsyncClient
    ) -> None:
        rural = (await client.get("/v1/programmes/BAAN_PHO_PHIANG")).json()
        assert rural["name_th"] == "บ้านพอเพียงชนบท"
        assert isinstance(rural["income_limit_satang"], int)
        assert "dilapidated" in rural["allowed_house_conditions"]


class TestEditingRules:
    async def test_put_replaces_the_rules_and_records_who(self, client: httpx.AsyncClient) -> None:
        response = await client.put("/v1/programmes/BAAN_PHO_PHIANG", json=_rules())
        assert response.status_code == 200, response.text
        again = (await client.get("/v1/programmes/BAAN_PHO_PHIANG")).json()
        assert again["income_limit_satang"] == 1_200_000
        assert again["allowed_house_conditions"] == ["dilapidated", "must_rebuild"]
        assert again["allowed_tenures"] == ["own_title"]
        assert again["updated_by"] == "admin@codi"

    async def test_unknown_condition_is_422_naming_the_field_and_changes_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        before = (await client.get("/v1/programmes/CANAL")).json()
        response = await client.put(
            "/v1/programmes/CANAL", json=_rules(allowed_house_conditions=["haunted"])
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"].startswith("body.allowed_house_conditions")
        assert (await client.get("/v1/programmes/CANAL")).json() == before

    async def test_negative_income_limit_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.put("/v1/programmes/CANAL", json=_rules(income_limit_satang=-1))
        assert [e["field"] for e in response.json()["errors"]] == ["body.income_limit_satang"]

    async def test_unknown_programme_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/programmes/NOPE")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

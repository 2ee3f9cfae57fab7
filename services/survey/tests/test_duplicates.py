"""Likely duplicates: same head of household at the same address under another ID."""

import httpx
from survey_factories import household_body, national_id

from survey.households.duplicates import duplicate_key


class TestKey:
    def test_titles_spaces_and_village_spelling_do_not_matter(self) -> None:
        assert duplicate_key("นางสาว สมศรี  ใจดี", "570101", "หมู่ที่ 3") == duplicate_key(
            "สมศรี ใจดี", "570101", "ม. 3"
        )

    def test_another_village_is_another_key(self) -> None:
        assert duplicate_key("สมศรี ใจดี", "570101", "หมู่ 3") != duplicate_key(
            "สมศรี ใจดี", "570101", "หมู่ 4"
        )


class TestFlagging:
    async def test_same_name_and_address_under_another_id_flags_both(
        self, client: httpx.AsyncClient
    ) -> None:
        first = (
            await client.post(
                "/v1/households", json=household_body(head_name="นางสมศรี ใจดี", village="หมู่ 3")
            )
        ).json()
        assert first["possible_duplicate"] is False
        second = (
            await client.post(
                "/v1/households",
                json=household_body(head_name="นาง สมศรี ใจดี", village="หมู่ที่ 3"),
            )
        ).json()
        assert second["possible_duplicate"] is True
        assert (await client.get(f"/v1/households/{first['id']}")).json()["possible_duplicate"]
        look_alikes = (await client.get(f"/v1/households/{first['id']}/possible-duplicates")).json()
        assert [h["id"] for h in look_alikes] == [second["id"]]
        flagged = (await client.get("/v1/households", params={"possible_duplicate": True})).json()
        assert {h["id"] for h in flagged["items"]} == {first["id"], second["id"]}

    async def test_same_national_id_is_not_a_look_alike(self, client: httpx.AsyncClient) -> None:
        same = national_id(321)
        first = (await client.post("/v1/households", json=household_body(national_id=same))).json()
        await client.post("/v1/households", json=household_body(national_id=same))
        assert (await client.get(f"/v1/households/{first['id']}/possible-duplicates")).json() == []

    async def test_other_head_names_are_not_flagged(self, client: httpx.AsyncClient) -> None:
        await client.post("/v1/households", json=household_body(head_name="นายสมชาย ดีใจ"))
        other = await client.post("/v1/households", json=household_body(head_name="นางมาลี ศรีสุข"))
        assert other.json()["possible_duplicate"] is False

    async def test_reviewer_clears_the_flag_with_a_note(self, client: httpx.AsyncClient) -> None:
        await client.post("/v1/households", json=household_body())
        second = (await client.post("/v1/households", json=household_body())).json()
        response = await client.post(
            f"/v1/households/{second['id']}/not-a-duplicate",
            json={"reviewed_by": "committee", "note": "mother and daughter share the name"},
        )
        assert response.status_code == 200
        assert response.json()["possible_duplicate"] is False
        assert "mother and daughter" in response.json()["notes"]

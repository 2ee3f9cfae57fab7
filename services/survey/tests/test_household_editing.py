"""Correcting households and members before a decision, only contact details after, with history."""

from typing import Any

import httpx
from survey_factories import household_body, national_id

from baan_shared.auth import mask_national_id


async def _register(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/households", json=household_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _patch(client: httpx.AsyncClient, household_id: str, **fields: Any) -> httpx.Response:
    return await client.patch(
        f"/v1/households/{household_id}", json={"edited_by": "อาสาสมัคร", **fields}
    )


async def _history(client: httpx.AsyncClient, household_id: str) -> list[dict[str, Any]]:
    return list((await client.get(f"/v1/households/{household_id}/history")).json())


class TestCorrectingAHousehold:
    async def test_a_correction_changes_only_the_fields_given_and_is_in_the_history(
        self, client: httpx.AsyncClient
    ) -> None:
        household = await _register(client, phone="0811111111")
        response = await _patch(
            client,
            household["id"],
            monthly_income_satang=250_000,
            village="หมู่ 4 บ้านใหม่",
            reason="surveyor typed the wrong income",
        )
        assert response.status_code == 200, response.text
        corrected = response.json()
        assert corrected["monthly_income_satang"] == 250_000
        assert corrected["village"] == "หมู่ 4 บ้านใหม่"
        assert corrected["head_name"] == household["head_name"]
        edits = [h for h in await _history(client, household["id"]) if h["kind"] == "edit"]
        assert {(e["field"], e["old_value"], e["new_value"]) for e in edits} == {
            ("monthly_income_satang", "450000", "250000"),
            ("village", "หมู่ 3 บ้านสันทราย", "หมู่ 4 บ้านใหม่"),
        }
        assert {e["edited_by"] for e in edits} == {"อาสาสมัคร"}
        assert {e["reason"] for e in edits} == {"surveyor typed the wrong income"}

    async def test_the_national_id_is_never_in_clear_in_the_history(
        self, client: httpx.AsyncClient
    ) -> None:
        old, new = national_id(5001), national_id(5002)
        household = await _register(client, national_id=old)
        response = await _patch(client, household["id"], national_id=new)
        assert response.status_code == 200, response.text
        history = await client.get(f"/v1/households/{household['id']}/history")
        assert old not in history.text and new not in history.text
        [edit] = [h for h in history.json() if h["kind"] == "edit"]
        assert (edit["old_value"], edit["new_value"]) == (
            mask_national_id(old),
            mask_national_id(new),
        )

    async def test_an_invalid_correction_is_a_422_naming_the_field_and_changes_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        household = await _register(client)
        good = national_id(5003)
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        response = await _patch(client, household["id"], national_id=bad, district_code="1001")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"body.national_id", "body.district_code"}
        assert "check digit" in str(response.json()["errors"])
        assert (await client.get(f"/v1/households/{household['id']}")).json() == household | {
            "members": []
        }
        assert [h["kind"] for h in await _history(client, household["id"])] == ["decision"]

    async def test_an_unknown_field_is_refused(self, client: httpx.AsyncClient) -> None:
        household = await _register(client)
        response = await _patch(client, household["id"], status="approved")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.status"]

    async def test_after_approval_only_contact_and_notes_change(
        self, client: httpx.AsyncClient
    ) -> None:
        household = await _register(client)
        for step in ("screen", "approve"):
            await client.post(
                f"/v1/households/{household['id']}/{step}", json={"decided_by": "committee"}
            )
        refused = await _patch(client, household["id"], monthly_income_satang=1, phone="0899999999")
        assert refused.status_code == 409
        assert refused.json()["locked_fields"] == ["monthly_income_satang"]
        detail = (await client.get(f"/v1/households/{household['id']}")).json()
        assert detail["monthly_income_satang"] == 450_000
        allowed = await _patch(client, household["id"], phone="0899999999", notes="ย้ายเบอร์โทร")
        assert allowed.status_code == 200, allowed.text
        assert allowed.json()["notes"] == "ย้ายเบอร์โทร"

    async def test_correcting_income_after_screening_judges_eligibility_again(
        self, client: httpx.AsyncClient
    ) -> None:
        household = await _register(client, monthly_income_satang=100_000)
        screened = await client.post(
            f"/v1/households/{household['id']}/screen", json={"decided_by": "committee"}
        )
        assert screened.json()["eligible"] is True
        response = await _patch(client, household["id"], monthly_income_satang=100_000_000)
        assert response.json()["eligible"] is False
        failed = [
            c["rule"] for c in response.json()["eligibility_checks"] if c["outcome"] == "fail"
        ]
        assert failed == ["income_limit"]

    async def test_correcting_a_name_into_a_look_alike_flags_both(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await _register(client, head_name="นายชัย ดีงาม")
        second = await _register(client, head_name="นายชาติ ดีงาม")
        assert not first["possible_duplicate"] and not second["possible_duplicate"]
        response = await _patch(client, second["id"], head_name="ชัย ดีงาม")
        assert response.json()["possible_duplicate"] is True
        again = (await client.get(f"/v1/households/{first['id']}")).json()
        assert again["possible_duplicate"] is True

    async def test_a_community_from_another_subdistrict_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        community = await client.post(
            "/v1/communities",
            json={"name": "ชุมชนริมน้ำ", "kind": "community", "subdistrict_code": "570202"},
        )
        household = await _register(client)
        response = await _patch(client, household["id"], community_id=community.json()["id"])
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.community_id"]

    async def test_household_size_below_the_listed_members_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        household = await _register(
            client, household_size=3, members=[{"age": 30, "sex": "male"}] * 3
        )
        response = await _patch(client, household["id"], household_size=2)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.household_size"]


class TestCorrectingMembers:
    async def test_members_are_added_corrected_and_removed_with_history(
        self, client: httpx.AsyncClient
    ) -> None:
        household = await _register(client, members=[{"age": 40, "sex": "male"}])
        base = f"/v1/households/{household['id']}/members"
        added = await client.post(
            base, json={"age": 70, "sex": "female", "chronic_illness": True, "edited_by": "อสม."}
        )
        assert added.status_code == 201, added.text
        assert added.json()["position"] == 2
        first_id = (await client.get(f"/v1/households/{household['id']}")).json()["members"][0][
            "id"
        ]
        corrected = await client.patch(f"{base}/{first_id}", json={"age": 41, "edited_by": "อสม."})
        assert corrected.status_code == 200, corrected.text
        removed = await client.delete(
            f"{base}/{added.json()['id']}", params={"edited_by": "อสม.", "reason": "ย้ายออก"}
        )
        assert removed.status_code == 204
        detail = (await client.get(f"/v1/households/{household['id']}")).json()
        assert [(m["position"], m["age"]) for m in detail["members"]] == [(1, 41)]
        edits = [
            (h["field"], h["old_value"], h["new_value"])
            for h in await _history(client, household["id"])
            if h["kind"] == "edit"
        ]
        assert edits == [
            ("members.2", None, "age 70, female, chronic illness"),
            ("members.1.age", "40", "41"),
            ("members.2", "age 70, female, chronic illness", None),
        ]

    async def test_no_more_members_than_the_household_size(self, client: httpx.AsyncClient) -> None:
        household = await _register(client, household_size=1, members=[{"age": 40, "sex": "male"}])
        response = await client.post(
            f"/v1/households/{household['id']}/members",
            json={"age": 5, "sex": "female", "edited_by": "อสม."},
        )
        assert response.status_code == 409
        assert "household_size" in response.json()["detail"]

    async def test_members_cannot_change_after_a_decision(self, client: httpx.AsyncClient) -> None:
        household = await _register(client)
        await client.post(f"/v1/households/{household['id']}/screen", json={"decided_by": "c"})
        await client.post(
            f"/v1/households/{household['id']}/reject",
            json={"decided_by": "c", "reason": "มีบ้านแล้ว"},
        )
        response = await client.post(
            f"/v1/households/{household['id']}/members",
            json={"age": 5, "sex": "female", "edited_by": "อสม."},
        )
        assert response.status_code == 409
        assert response.json()["current_status"] == "rejected"

    async def test_an_unknown_member_is_404(self, client: httpx.AsyncClient) -> None:
        household = await _register(client)
        response = await client.patch(
            f"/v1/households/{household['id']}/members/0190f5d2-0000-7000-8000-000000000000",
            json={"age": 3, "edited_by": "อสม."},
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_member_age_out_of_range_is_422(self, client: httpx.AsyncClient) -> None:
        household = await _register(client, members=[{"age": 40, "sex": "male"}])
        member_id = (await client.get(f"/v1/households/{household['id']}")).json()["members"][0][
            "id"
        ]
        response = await client.patch(
            f"/v1/households/{household['id']}/members/{member_id}",
            json={"age": 200, "edited_by": "อสม."},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.age"]

"""Per-area permissions beyond the plain lists: filters naming another province, every
change to another province's household, meeting minutes mixing provinces, moving a
household away, and the rules every area shares."""

from typing import Any

import httpx
import pytest
from survey_auth import ClientFor
from survey_factories import BANGKOK, CHIANG_RAI, household_body, seed_area

from baan_shared.auth.scopes import SURVEY_APPROVE, SURVEY_READ, SURVEY_WRITE

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
BANGKOK_STAFF = (SURVEY_READ, SURVEY_WRITE, SURVEY_APPROVE)


async def test_filters_naming_another_province_find_nothing(
    client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    ours = await seed_area(client, BANGKOK)
    theirs = await seed_area(client, CHIANG_RAI)
    their_filters: list[tuple[str, dict[str, Any]]] = [
        ("/v1/households", {"province_code": "57"}),
        ("/v1/households", {"district_code": "5701"}),
        ("/v1/households", {"subdistrict_code": "570101"}),
        ("/v1/households", {"community_id": theirs["community"]}),
        ("/v1/households", {"survey_round_id": theirs["survey_round"]}),
        ("/v1/households", {"q": "สมศรี"}),
        ("/v1/households/ranking", {"province_code": "57"}),
        ("/v1/households/ranking", {"subdistrict_code": "570101"}),
        ("/v1/communities", {"subdistrict_code": "570101"}),
        ("/v1/survey-rounds", {"subdistrict_code": "570101"}),
    ]

    for path, params in their_filters:
        response = await bangkok_client.get(path, params=params)
        assert response.status_code == 200, (path, params)
        found = [item.get("household", item)["id"] for item in response.json()["items"]]
        assert theirs["household"] not in found, (path, params)
        assert found in ([], [ours["household"]]), (path, params)
    export = await bangkok_client.get("/v1/households/export", params={"province_code": "57"})
    assert export.text.strip().splitlines()[1:] == []
    # The text search does find the client's own household of that name.
    searched = await bangkok_client.get("/v1/households", params={"q": "สมศรี"})
    assert [h["id"] for h in searched.json()["items"]] == [ours["household"]]


async def _their_household(client: httpx.AsyncClient) -> dict[str, Any]:
    """A Chiang Rai household before any decision, with a member and a photo."""
    body = household_body(**CHIANG_RAI, members=[{"age": 70, "sex": "female"}])
    created = await client.post("/v1/households", json=body)
    assert created.status_code == 201, created.text
    household = created.json()
    photo = await client.post(
        f"/v1/households/{household['id']}/photos",
        files={"file": ("photo", JPEG, "image/jpeg")},
        data={"subject": "house", "uploaded_by": "อาสาสมัคร"},
    )
    assert photo.status_code == 201, photo.text
    household["photo_id"] = photo.json()["id"]
    return household


async def test_every_change_to_another_provinces_household_is_404_and_changes_nothing(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    theirs = await _their_household(client)
    base = f"/v1/households/{theirs['id']}"
    member = theirs["members"][0]["id"]
    before = (await client.get(base)).json()
    history_before = (await client.get(f"{base}/history")).json()
    decision = {"decided_by": "committee", "reason": "เหตุผล"}

    async with client_for("bangkok-office", BANGKOK_STAFF, ["10"]) as bangkok:
        answers = {
            "add member": await bangkok.post(
                f"{base}/members", json={"age": 5, "sex": "male", "edited_by": "bkk"}
            ),
            "correct member": await bangkok.patch(
                f"{base}/members/{member}", json={"age": 71, "edited_by": "bkk"}
            ),
            "remove member": await bangkok.delete(
                f"{base}/members/{member}", params={"edited_by": "bkk"}
            ),
            "correct": await bangkok.patch(base, json={"notes": "x", "edited_by": "bkk"}),
            "not a duplicate": await bangkok.post(
                f"{base}/not-a-duplicate", json={"reviewed_by": "bkk", "note": "different"}
            ),
            "photo upload": await bangkok.post(
                f"{base}/photos",
                files={"file": ("photo", JPEG, "image/jpeg")},
                data={"subject": "land", "uploaded_by": "bkk"},
            ),
            "photo content": await bangkok.get(f"{base}/photos/{theirs['photo_id']}/content"),
            "screen": await bangkok.post(f"{base}/screen", json=decision),
            "reject": await bangkok.post(f"{base}/reject", json=decision),
            "waitlist": await bangkok.post(f"{base}/waitlist", json=decision),
            "approve": await bangkok.post(f"{base}/approve", json=decision),
        }

    assert {what: r.status_code for what, r in answers.items()} == dict.fromkeys(answers, 404)
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers.values())
    after = (await client.get(base)).json()
    assert (after["status"], after["notes"], after["members"]) == (
        before["status"],
        before["notes"],
        before["members"],
    )
    assert (await client.get(f"{base}/history")).json() == history_before
    assert len((await client.get(f"{base}/photos")).json()) == 1


async def test_minutes_mixing_provinces_apply_nothing(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    ours = (await client.post("/v1/households", json=household_body(**BANGKOK))).json()["id"]
    theirs = (await client.post("/v1/households", json=household_body(**CHIANG_RAI))).json()["id"]

    async with client_for("bangkok-committee", [SURVEY_READ, SURVEY_APPROVE], ["10"]) as bkk:
        response = await bkk.post(
            "/v1/household-decisions",
            json={
                "decided_by": "committee",
                "decisions": [
                    {"household_id": ours, "decision": "screen"},
                    {"household_id": theirs, "decision": "screen"},
                ],
            },
        )

    assert response.status_code == 422, response.text
    assert [f["index"] for f in response.json()["failures"]] == [1]
    assert [e["field"] for e in response.json()["errors"]] == ["body.decisions.1.household_id"]
    for household_id in (ours, theirs):
        assert (await client.get(f"/v1/households/{household_id}")).json()["status"] == "surveyed"


@pytest.mark.parametrize(
    "move",
    [
        {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"},
        {"district_code": "5701", "subdistrict_code": "570101"},
        {"subdistrict_code": "570101"},
    ],
)
async def test_a_household_cannot_be_moved_into_another_province(
    client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient, move: dict[str, str]
) -> None:
    ours = (await bangkok_client.post("/v1/households", json=household_body(**BANGKOK))).json()

    response = await bangkok_client.patch(
        f"/v1/households/{ours['id']}", json={"edited_by": "bkk", **move}
    )

    # Half a move (codes that do not nest) is 422 before anything else is judged.
    assert response.status_code == (403 if "province_code" in move else 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    after = (await client.get(f"/v1/households/{ours['id']}")).json()
    assert (after["province_code"], after["subdistrict_code"]) == ("10", "100101")


async def test_only_a_national_client_changes_rules_every_area_shares(
    client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    rules_before = (await client.get("/v1/programmes/BAAN_MANKONG")).json()
    weights_before = (await client.get("/v1/programmes/BAAN_MANKONG/ranking-weights")).json()

    rules = await bangkok_client.put(
        "/v1/programmes/BAAN_MANKONG",
        json={
            "name_th": rules_before["name_th"],
            "name_en": rules_before["name_en"],
            "unit": rules_before["unit"],
            "income_limit_satang": 1,
            "updated_by": "bkk",
        },
    )
    weights = await bangkok_client.put(
        "/v1/programmes/BAAN_MANKONG/ranking-weights",
        json={"income": 1, "condition": 0, "vulnerable": 0, "updated_by": "bkk"},
    )

    assert (rules.status_code, weights.status_code) == (403, 403)
    assert rules.json()["errors"][0]["field"] == "header.Authorization"
    assert (await client.get("/v1/programmes/BAAN_MANKONG")).json() == rules_before
    assert (
        await client.get("/v1/programmes/BAAN_MANKONG/ranking-weights")
    ).json() == weights_before

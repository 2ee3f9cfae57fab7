"""Per-area permissions: a Bangkok office sees, exports, ranks and reads only Bangkok's rows."""

import httpx
from fastapi import FastAPI
from survey_auth import ClientFor
from survey_factories import BANGKOK, CHIANG_RAI, household_body, seed_area

from baan_shared.auth import Principal
from baan_shared.auth.scopes import SURVEY_APPROVE, SURVEY_READ
from baan_testkit.areas import area_leaks

BANGKOK_OFFICE = Principal.of("bangkok-office", areas=["10"])


async def test_no_collection_leaks_another_province(
    app: FastAPI, client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    ours = await seed_area(client, BANGKOK)
    await seed_area(client, CHIANG_RAI)

    leaks = await area_leaks(
        bangkok_client, app, BANGKOK_OFFICE, params={"/v1/areas/search": {"q": "กรุงเทพ"}}
    )

    assert leaks == {}
    listed = (await bangkok_client.get("/v1/households")).json()["items"]
    assert [h["id"] for h in listed] == [ours["household"]]
    ranked = (await bangkok_client.get("/v1/households/ranking")).json()
    assert [h["household"]["id"] for h in ranked["items"]] == [ours["household"]]
    communities = (await bangkok_client.get("/v1/communities")).json()["items"]
    assert [c["id"] for c in communities] == [ours["community"]]
    rounds = (await bangkok_client.get("/v1/survey-rounds")).json()["items"]
    assert [r["id"] for r in rounds] == [ours["survey_round"]]


async def test_export_holds_only_the_clients_province(
    client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    ours = await seed_area(client, BANGKOK)
    await seed_area(client, CHIANG_RAI)

    export = await bangkok_client.get("/v1/households/export")

    assert export.status_code == 200
    lines = export.text.strip().splitlines()
    assert len(lines) == 2  # header and the Bangkok household
    assert ours["household"] in lines[1]


async def test_another_provinces_records_are_404(
    client: httpx.AsyncClient, bangkok_client: httpx.AsyncClient
) -> None:
    theirs = await seed_area(client, CHIANG_RAI)
    household = theirs["household"]

    for path in (
        f"/v1/households/{household}",
        f"/v1/households/{household}/history",
        f"/v1/households/{household}/eligibility",
        f"/v1/households/{household}/possible-duplicates",
        f"/v1/households/{household}/photos",
        f"/v1/communities/{theirs['community']}",
        f"/v1/survey-rounds/{theirs['survey_round']}",
    ):
        response = await bangkok_client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    edited = await bangkok_client.patch(
        f"/v1/households/{household}", json={"phone": "081-234-5678", "edited_by": "bkk"}
    )
    assert edited.status_code == 404


async def test_creating_in_another_province_is_403(bangkok_client: httpx.AsyncClient) -> None:
    household = await bangkok_client.post("/v1/households", json=household_body(**CHIANG_RAI))
    community = await bangkok_client.post(
        "/v1/communities",
        json={"name": "ชุมชน", "kind": "community", "subdistrict_code": "570101"},
    )

    assert household.status_code == 403
    assert household.json()["errors"][0]["field"] == "body.province_code"
    assert community.status_code == 403
    assert community.json()["errors"][0]["field"] == "body.subdistrict_code"
    assert (await bangkok_client.get("/v1/households")).json()["items"] == []


async def test_committee_minutes_treat_another_provinces_household_as_unknown(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    theirs = (await client.post("/v1/households", json=household_body(**CHIANG_RAI))).json()["id"]

    async with client_for("bangkok-committee", [SURVEY_READ, SURVEY_APPROVE], ["10"]) as committee:
        response = await committee.post(
            "/v1/household-decisions",
            json={
                "decided_by": "committee",
                "decisions": [{"household_id": theirs, "decision": "screen"}],
            },
        )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.decisions.0.household_id"
    assert (await client.get(f"/v1/households/{theirs}")).json()["status"] == "surveyed"

"""The survey features whose SQL differs most between backends, on real PostgreSQL:
bulk import (Core inserts, duplicate flags by subquery), ranking, search, programmes."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from survey_auth import ClientFor
from survey_factories import (
    BANGKOK,
    CHIANG_RAI,
    all_pages,
    csv_bytes,
    household_body,
    seed_area,
    seed_varied_households,
    sheet_row,
)

from baan_shared.auth import Principal
from baan_shared.auth.scopes import SURVEY_READ, SURVEY_WRITE
from baan_testkit.areas import area_leaks

pytestmark = pytest.mark.postgres


async def test_import_twice_flags_look_alikes_and_ranks_on_postgresql(
    pg_client: httpx.AsyncClient,
) -> None:
    await pg_client.post(
        "/v1/households", json=household_body(head_name="นายชัย ดีงาม", village="หมู่ 3")
    )
    rows = [sheet_row(**{"ชื่อหัวหน้าครัวเรือน": "นายชัย ดีงาม", "หมู่บ้าน": "หมู่ 3"})]
    rows += [sheet_row() for _ in range(600)] + [sheet_row(**{"รหัสตำบล": "570199"})]
    content = csv_bytes(rows)
    upload = {"file": ("s.csv", content)}
    first = await pg_client.post("/v1/household-imports", files=upload, data={"imported_by": "x"})
    assert first.status_code == 201, first.text
    assert (first.json()["rows_imported"], first.json()["rows_invalid"]) == (601, 1)
    again = await pg_client.post("/v1/household-imports", files=upload, data={"imported_by": "x"})
    assert (again.json()["rows_imported"], again.json()["rows_already_present"]) == (0, 601)
    flagged = (await pg_client.get("/v1/households", params={"possible_duplicate": True})).json()
    assert len(flagged["items"]) == 2
    found = (await pg_client.get("/v1/households", params={"q": "ชัย ดี"})).json()
    assert len(found["items"]) == 2

    household_id = flagged["items"][0]["id"]
    for step in ("screen", "approve"):
        response = await pg_client.post(
            f"/v1/households/{household_id}/{step}", json={"decided_by": "committee"}
        )
        assert response.status_code == 200, response.text
    assert response.json()["eligible"] is True
    ranking = (await pg_client.get("/v1/households/ranking")).json()
    assert [r["household"]["id"] for r in ranking["items"]] == [household_id]
    export = await pg_client.get("/v1/households/export", params={"format": "xlsx"})
    assert export.status_code == 200


async def test_a_registration_flags_its_look_alikes_in_its_one_statement_on_postgresql(
    pg_client: httpx.AsyncClient,
) -> None:
    # The household, its first transition and the look-alikes' flags: one statement.
    body = household_body(head_name="นางสมศรี ใจดี", village="หมู่ 3")
    first = (await pg_client.post("/v1/households", json=body)).json()
    body = household_body(head_name="นาง สมศรี ใจดี", village="หมู่ที่ 3")
    second = (await pg_client.post("/v1/households", json=body)).json()
    third = (await pg_client.post("/v1/households", json=household_body(village=None))).json()

    assert (first["possible_duplicate"], second["possible_duplicate"]) == (False, True)
    assert (await pg_client.get(f"/v1/households/{first['id']}")).json()["possible_duplicate"]
    assert third["possible_duplicate"] is False
    for household in (first, second, third):
        history = (await pg_client.get(f"/v1/households/{household['id']}/history")).json()
        assert [(h["kind"], h["to_status"]) for h in history] == [("decision", "surveyed")]


async def test_a_committee_meeting_of_a_thousand_decisions_on_postgresql(
    pg_client: httpx.AsyncClient,
) -> None:
    content = csv_bytes([sheet_row() for _ in range(1000)])
    upload = {"file": ("s.csv", content)}
    imported = await pg_client.post(
        "/v1/household-imports", files=upload, data={"imported_by": "x"}
    )
    assert imported.json()["rows_imported"] == 1000
    ids: list[str] = []
    cursor = None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = (await pg_client.get("/v1/households", params=params)).json()
        ids += [h["id"] for h in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    for decision in ("screen", "approve"):
        response = await pg_client.post(
            "/v1/household-decisions",
            json={
                "decided_by": "committee",
                "decided_on": "2019-03-15",
                "decisions": [{"household_id": i, "decision": decision} for i in ids],
            },
        )
        assert response.status_code == 200, response.text
    approved = (
        await pg_client.get("/v1/households", params={"status": "approved", "limit": 500})
    ).json()
    assert {h["fiscal_year"] for h in approved["items"]} == {2562}
    # Every column a decision moves is written by the meeting's one UPDATE.
    detail = (await pg_client.get(f"/v1/households/{ids[-1]}")).json()
    assert (detail["status"], detail["approved_by"], detail["eligible"]) == (
        "approved",
        "committee",
        True,
    )
    assert detail["approved_at"].startswith("2019-03-15")
    assert [c["outcome"] for c in detail["eligibility_checks"]]
    # Each meeting's transitions are recorded (one multi-row INSERT per meeting).
    history = (await pg_client.get(f"/v1/households/{ids[-1]}/history")).json()
    assert [(h["to_status"], h["decided_by"]) for h in history][1:] == [
        ("screened", "committee"),
        ("approved", "committee"),
    ]
    again = await pg_client.post(
        "/v1/household-decisions",
        json={"decided_by": "c", "decisions": [{"household_id": ids[0], "decision": "approve"}]},
    )
    assert again.status_code == 409


async def test_every_sort_pages_through_every_household_once_on_postgresql(
    pg_client: httpx.AsyncClient,
) -> None:
    await seed_varied_households(pg_client)
    for sort in ("-created_at", "head_name", "-monthly_income_satang", "-priority", "priority"):
        paged = await all_pages(pg_client, sort=sort)
        whole = (await pg_client.get("/v1/households", params={"sort": sort, "limit": 500})).json()
        assert [h["id"] for h in paged] == [h["id"] for h in whole["items"]], sort
        assert len({h["id"] for h in paged}) == 9, sort


async def test_the_same_file_uploaded_twice_at_once_registers_each_household_once(
    pg_client: httpx.AsyncClient,
) -> None:
    content = csv_bytes([sheet_row() for _ in range(1_100)])

    async def upload() -> dict[str, int]:
        response = await pg_client.post(
            "/v1/household-imports", files={"file": ("s.csv", content)}, data={"imported_by": "x"}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    first, second = await asyncio.gather(upload(), upload())
    assert first["rows_imported"] + second["rows_imported"] == 1_100
    assert first["rows_already_present"] + second["rows_already_present"] == 1_100
    export = await pg_client.get("/v1/households/export")
    assert len(export.content.decode("utf-8-sig").splitlines()) == 1 + 1_100


async def test_province_and_district_clients_see_only_their_areas_on_postgresql(
    pg_app: FastAPI, pg_client: httpx.AsyncClient, pg_client_for: ClientFor
) -> None:
    ours = await seed_area(pg_client, BANGKOK)
    theirs = await seed_area(pg_client, CHIANG_RAI)
    next_district = {"province_code": "10", "district_code": "1002", "subdistrict_code": "100201"}
    neighbour = await seed_area(pg_client, next_district)
    search = {"/v1/areas/search": {"q": "กรุงเทพ"}}

    for client_id, areas, seen in (
        ("bangkok-office", ["10"], {ours["household"], neighbour["household"]}),
        ("phra-nakhon-office", ["1001"], {ours["household"]}),
        ("san-sai-tambon", ["100101"], {ours["household"]}),
    ):
        principal = Principal.of(client_id, areas=areas)
        async with pg_client_for(client_id, [SURVEY_READ], areas) as partner:
            assert await area_leaks(partner, pg_app, principal, params=search) == {}
            listed = (await partner.get("/v1/households")).json()["items"]
            ranked = (await partner.get("/v1/households/ranking")).json()["items"]
            assert {h["id"] for h in listed} == seen, client_id
            assert {r["household"]["id"] for r in ranked} == seen, client_id
            for path in (
                f"/v1/households/{theirs['household']}",
                f"/v1/households/{theirs['household']}/history",
                f"/v1/communities/{theirs['community']}",
                f"/v1/survey-rounds/{theirs['survey_round']}",
            ):
                assert (await partner.get(path)).status_code == 404, (client_id, path)


async def test_an_import_with_another_provinces_rows_is_refused_whole_on_postgresql(
    pg_client: httpx.AsyncClient, pg_client_for: ClientFor
) -> None:
    bangkok_row = {"รหัสจังหวัด": "10", "รหัสอำเภอ": "1001", "รหัสตำบล": "100101"}
    rows = [sheet_row(**bangkok_row) for _ in range(600)] + [sheet_row()]
    upload = {"file": ("s.csv", csv_bytes(rows))}

    async with pg_client_for("bangkok-office", [SURVEY_READ, SURVEY_WRITE], ["10"]) as bangkok:
        refused = await bangkok.post(
            "/v1/household-imports", files=upload, data={"imported_by": "x"}
        )
        fixed = {"file": ("s.csv", csv_bytes(rows[:600]))}
        imported = await bangkok.post(
            "/v1/household-imports", files=fixed, data={"imported_by": "x"}
        )
        own_jobs = (await bangkok.get("/v1/household-imports")).json()["items"]
    async with pg_client_for("chiang-rai-office", [SURVEY_READ], ["57"]) as chiang_rai:
        other_jobs = (await chiang_rai.get("/v1/household-imports")).json()["items"]
        other_job = await chiang_rai.get(f"/v1/household-imports/{imported.json()['id']}")

    assert refused.status_code == 403, refused.text
    assert [e["row"] for e in refused.json()["errors"]] == [602]
    assert imported.status_code == 201, imported.text
    assert imported.json()["rows_imported"] == 600
    assert [j["id"] for j in own_jobs] == [imported.json()["id"]]
    assert other_jobs == []
    assert other_job.status_code == 404

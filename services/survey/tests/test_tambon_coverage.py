"""Survey coverage: when the whole tambon is surveyed, and the event that says so."""

import json
from typing import Any

import httpx
from fastapi import FastAPI
from survey_auth import ClientFor
from survey_factories import household_body

from baan_shared.auth.scopes import SURVEY_READ

TAMBON = "570101"


RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


async def community(client: httpx.AsyncClient, name: str) -> str:
    response = await client.post(
        "/v1/communities",
        json={"name": name, "kind": "village", "village_no": 1, "subdistrict_code": TAMBON},
    )
    assert response.status_code == 201, response.text
    community_id: str = response.json()["id"]
    return community_id


async def open_round(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"subdistrict_code": TAMBON, "run_by": "สภาองค์กรชุมชนตำบล", "started_on": "2026-11-01"}
    response = await client.post("/v1/survey-rounds", json={**body, **fields})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def coverage(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(f"/v1/tambons/{TAMBON}/coverage")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def coverage_events(app: FastAPI) -> list[dict[str, Any]]:
    from sqlmodel import col, select

    from baan_shared.outbox import OutboxMessage

    async with app.state.runtime.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        payloads = [row.payload for row in rows if row.type == "tambon.coverage_changed"]
    return [json.loads(p) if isinstance(p, str) else p for p in payloads]


async def test_the_tambon_is_surveyed_once_every_community_s_round_has_finished(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    first, second = await community(client, "บ้านเหนือ"), await community(client, "บ้านใต้")
    done = await open_round(client, community_id=first, finished_on="2026-11-10")
    assert done["finished_on"] == "2026-11-10"
    figures = await coverage(client)
    assert (figures["communities"], figures["communities_surveyed"]) == (2, 1)
    assert figures["whole_tambon_surveyed"] is False
    pending = await open_round(client, community_id=second)
    finished = await client.post(
        f"/v1/survey-rounds/{pending['id']}/finish", json={"finished_on": "2026-11-20"}
    )
    assert finished.status_code == 200, finished.text
    assert (await coverage(client))["whole_tambon_surveyed"] is True
    events = await coverage_events(app)
    assert [e["whole_tambon_surveyed"] for e in events] == [False, True]
    again = await client.post(
        f"/v1/survey-rounds/{pending['id']}/finish", json={"finished_on": "2026-11-21"}
    )
    assert again.status_code == 409
    assert len(await coverage_events(app)) == 2


async def test_household_coverage_is_counted_against_the_whole_tambon_round(
    client: httpx.AsyncClient,
) -> None:
    survey_round = await open_round(client)
    for _ in range(3):
        body = household_body(
            province_code="57",
            district_code="5701",
            subdistrict_code=TAMBON,
            survey_round_id=survey_round["id"],
        )
        assert (await client.post("/v1/households", json=body)).status_code == 201
    assert (await coverage(client))["households_in_area"] is None
    response = await client.post(
        f"/v1/survey-rounds/{survey_round['id']}/finish",
        json={"finished_on": "2026-11-30", "households_in_area": 4},
    )
    assert response.status_code == 200, response.text
    figures = await coverage(client)
    assert (figures["households_surveyed"], figures["households_in_area"]) == (3, 4)
    assert figures["household_coverage"] == 0.75
    assert figures["whole_tambon_surveyed"] is True


async def test_a_round_cannot_finish_before_it_started_and_nothing_changes(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    survey_round = await open_round(client)
    response = await client.post(
        f"/v1/survey-rounds/{survey_round['id']}/finish", json={"finished_on": "2026-10-01"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.finished_on"]
    assert (await coverage(client))["whole_tambon_surveyed"] is False
    assert await coverage_events(app) == []


async def test_another_provinces_tambon_is_answered_as_an_unknown_code(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    await open_round(client, finished_on="2026-11-10")
    async with client_for("bangkok-office", [SURVEY_READ], ["10"]) as bangkok:
        theirs = await bangkok.get(f"/v1/tambons/{TAMBON}/coverage")
        unknown = await bangkok.get("/v1/tambons/579999/coverage")
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["detail"].replace(TAMBON, "579999") == unknown.json()["detail"]

"""Every survey POST honours ``Idempotency-Key``: a retry gets the first answer and
registers or decides nothing twice; the key reused for another request is a 422."""

import httpx
from fastapi import FastAPI
from sqlmodel import func, select
from survey_factories import household_body, national_id

from survey.households.models import Household, HouseholdTransition


async def _count(app: FastAPI, model: type) -> int:
    async with app.state.runtime.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_a_retried_registration_gets_the_first_answer_and_registers_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = household_body()
    headers = {"Idempotency-Key": "survey-sheet-7-row-12"}

    first = await client.post("/v1/households", json=body, headers=headers)
    again = await client.post("/v1/households", json=body, headers=headers)

    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(app, Household) == 1


async def test_a_retried_committee_decision_is_recorded_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = (await client.post("/v1/households", json=household_body())).json()["id"]
    headers = {"Idempotency-Key": "meeting-2569-04-item-3"}
    decision = {"decided_by": "committee", "reason": "checked"}

    path = f"/v1/households/{household_id}/screen"

    first = await client.post(path, json=decision, headers=headers)
    after_first = await _count(app, HouseholdTransition)
    again = await client.post(path, json=decision, headers=headers)

    assert first.status_code == 200, first.text
    assert (again.status_code, again.json()) == (200, first.json())
    assert await _count(app, HouseholdTransition) == after_first


async def test_a_key_reused_for_another_household_is_a_422_naming_the_header(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = {"Idempotency-Key": "reused"}
    await client.post("/v1/households", json=household_body(), headers=headers)

    other = await client.post(
        "/v1/households", json=household_body(national_id=national_id(9901)), headers=headers
    )

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"
    assert await _count(app, Household) == 1

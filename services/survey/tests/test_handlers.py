"""What survey does with the events it consumes."""

import uuid

import httpx
from fastapi import FastAPI
from sqlmodel import col, select
from survey_factories import household_body

from baan_shared.events import CloudEvent
from baan_shared.outbox import OutboxMessage
from survey.handlers import SUBSCRIPTIONS

on_grant_rejected = SUBSCRIPTIONS.handlers["grant.rejected"]


def _grant_rejected(household_id: str) -> CloudEvent:
    return CloudEvent(
        source="/services/finance",
        type="grant.rejected",
        subject=str(uuid.uuid4()),
        data={
            "grant_id": str(uuid.uuid4()),
            "household_id": household_id,
            "programme": "BAAN_PHO_PHIANG",
            "province_code": "57",
            "reason": "no budget left for province 57",
        },
    )


async def test_a_rejected_grant_waitlists_the_approved_household_for_budget(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = (await client.post("/v1/households", json=household_body())).json()["id"]
    for step in ("screen", "approve"):
        await client.post(f"/v1/households/{household_id}/{step}", json={"decided_by": "c"})
    async with app.state.runtime.session_factory() as session:
        await on_grant_rejected(session, _grant_rejected(household_id))
        await session.commit()
    household = (await client.get(f"/v1/households/{household_id}")).json()
    assert household["status"] == "waitlisted"
    assert household["status_reason"].startswith("budget")
    history = (await client.get(f"/v1/households/{household_id}/history")).json()
    assert history[-1]["decided_by"] == "finance"


async def test_a_household_waitlisted_for_budget_approved_again_is_announced_again(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = (await client.post("/v1/households", json=household_body())).json()["id"]
    for step in ("screen", "approve"):
        await client.post(f"/v1/households/{household_id}/{step}", json={"decided_by": "c"})
    rejected = _grant_rejected(household_id)
    for _ in range(2):  # a redelivery finds the household no longer approved: no change
        async with app.state.runtime.session_factory() as session:
            await on_grant_rejected(session, rejected)
            await session.commit()
    response = await client.post(
        "/v1/household-decisions",
        json={
            "decided_by": "คณะกรรมการ",
            "decisions": [{"household_id": household_id, "decision": "approve"}],
        },
    )
    assert response.status_code == 200, response.text
    async with app.state.runtime.session_factory() as session:
        rows = await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.position)))
        types = [r.type for r in rows.all()]
    assert types == [
        "household.surveyed",
        "household.approved",
        "household.waitlisted",
        "household.approved",
    ]

"""What survey does with the events it consumes."""

import uuid

import httpx
from fastapi import FastAPI
from survey_factories import household_body

from baan_shared.events import CloudEvent
from baan_testkit.delivery import deliver
from baan_testkit.events import replay
from baan_testkit.outbox import outbox_rows


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
    await deliver(app, _grant_rejected(household_id))
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
    # A redelivery is caught by the inbox; the same facts under a new id find the
    # household no longer approved: no change.
    await deliver(app, rejected, rejected, replay(rejected))
    response = await client.post(
        "/v1/household-decisions",
        json={
            "decided_by": "คณะกรรมการ",
            "decisions": [{"household_id": household_id, "decision": "approve"}],
        },
    )
    assert response.status_code == 200, response.text
    types = [r.type for r in await outbox_rows(app)]
    assert types == [
        "household.surveyed",
        "household.approved",
        "household.waitlisted",
        "household.approved",
    ]

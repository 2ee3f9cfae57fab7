"""Finance's answer back on the match request (issue 19), on SQLite and PostgreSQL:
the agency's approved match shows waiting for a budget with finance's reason, then
paid with the date and the amount; paid is final; a local administration's match
has no payment from finance."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from welfare_testing import contribute, join, register_fund, years_ago

from baan_shared.clock import thai_today
from baan_shared.events.catalog import WelfareMatchPaid, WelfareMatchWaiting
from baan_testkit.delivery import deliver
from baan_testkit.events import cloud_event, replay

DECIDE = {"approve": True, "decided_by": "CODI welfare desk"}


async def _approved(client: httpx.AsyncClient, matcher: str = "agency") -> dict[str, Any]:
    """A fund, a member's year of contributions and its match approved."""
    fund = await register_fund(client)
    member = await join(client, fund["id"], 11, years_ago(3))
    year = thai_today().year - 1
    await contribute(client, member["id"], 36_500, date(year, 6, 1), "R-1")
    asked = await client.post(
        f"/v1/funds/{fund['id']}/match-requests",
        json={
            "matcher": matcher,
            "matcher_name": None if matcher == "agency" else "อบต.",
            "amount_satang": 36_500,
            "period_from": f"{year}-01-01",
            "period_to": f"{year}-12-31",
            "requested_by": "treasurer",
        },
    )
    assert asked.status_code == 201, asked.text
    approved = await client.post(f"/v1/match-requests/{asked.json()['id']}/decision", json=DECIDE)
    assert approved.status_code == 200, approved.text
    return {"fund": fund, "request": approved.json()}


def _facts(fund: dict[str, Any], request_id: str) -> dict[str, Any]:
    return {
        "welfare_fund_id": fund["id"],
        "province_code": fund["province_code"],
        "district_code": fund["district_code"],
        "subdistrict_code": fund["subdistrict_code"],
        "match_request_id": request_id,
        "amount_satang": 36_500,
        "fiscal_year": 2569,
    }


async def _shown(client: httpx.AsyncClient, fund_id: str, request_id: str) -> dict[str, Any]:
    listed = await client.get(f"/v1/funds/{fund_id}/match-requests")
    assert listed.status_code == 200, listed.text
    [found] = [r for r in listed.json()["items"] if r["id"] == request_id]
    return dict(found)


async def test_the_match_shows_waiting_for_a_budget_then_paid(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    approved = await _approved(client)
    fund, request = approved["fund"], approved["request"]
    assert request["payment_status"] is None  # finance has not answered yet
    facts = _facts(fund, request["id"])
    reason = "no WELFARE_MATCH budget for FY 2569 covers tambon " + fund["subdistrict_code"]
    await deliver(app, cloud_event(WelfareMatchWaiting(**facts, reason=reason)))
    waiting = await _shown(client, fund["id"], request["id"])
    assert (waiting["payment_status"], waiting["payment_reason"]) == ("waiting_for_budget", reason)
    assert (waiting["paid_at"], waiting["paid_satang"]) == (None, None)
    assert waiting["status"] == "approved"  # the decision stands; only the money waits
    paid_at = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    paid = cloud_event(WelfareMatchPaid(**facts, paid_at=paid_at, budget_id=uuid.uuid4()))
    await deliver(app, paid)
    shown = await _shown(client, fund["id"], request["id"])
    assert (shown["payment_status"], shown["payment_reason"]) == ("paid", None)
    assert datetime.fromisoformat(shown["paid_at"]) == paid_at
    assert shown["paid_satang"] == 36_500
    # Paid is final: a waiting heard late, or the paid event again, changes nothing.
    late = cloud_event(WelfareMatchWaiting(**facts, reason="too little free"))
    await deliver(app, late, replay(paid))
    assert await _shown(client, fund["id"], request["id"]) == shown


async def test_a_local_match_has_no_payment_and_an_unknown_request_is_ignored(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    approved = await _approved(client, matcher="local_administration")
    fund, request = approved["fund"], approved["request"]
    assert request["payment_status"] is None
    stranger = _facts(fund, str(uuid.uuid4()))
    applied = await deliver(
        app, cloud_event(WelfareMatchPaid(**stranger, paid_at=datetime.now(UTC)))
    )
    assert applied == [True]  # consumed, not parked: finance pays only what welfare sent
    assert (await _shown(client, fund["id"], request["id"]))["payment_status"] is None

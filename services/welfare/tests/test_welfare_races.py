"""Writes racing each other, on SQLite and PostgreSQL: the fund's books and a member's
yearly limits hold whatever order the database runs them in."""

import asyncio
from typing import Any

import httpx
from welfare_testing import claim, contribute, join, register_fund, years_ago

from baan_shared.clock import thai_today


async def _books(client: httpx.AsyncClient, fund_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/v1/funds/{fund_id}/books")).json())


async def test_two_claims_racing_for_the_last_nights_of_the_year_cannot_both_pass(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    member = await join(client, fund["id"], 60, years_ago(2))
    today = thai_today()
    assert (await claim(client, member["id"], "hospital", today, nights=6)).status_code == 201
    answers = await asyncio.gather(
        *(claim(client, member["id"], "hospital", today, nights=3) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    listed = (await client.get(f"/v1/funds/{fund['id']}/claims")).json()["items"]
    assert sum(c["nights"] for c in listed) == 9


async def test_benefits_racing_for_the_last_of_a_fund_never_overdraw_it(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    members = [await join(client, fund["id"], 70 + i, years_ago(2)) for i in range(3)]
    await client.post(
        f"/v1/funds/{fund['id']}/income",
        json={"amount_satang": 100_000, "received_on": thai_today().isoformat(), "reference": "S"},
    )
    claims = []
    for member in members:
        filed = await claim(client, member["id"], "hospital", thai_today(), nights=2)
        await client.post(
            f"/v1/claims/{filed.json()['id']}/decision",
            json={"approve": True, "decided_by": "committee"},
        )
        claims.append(filed.json()["id"])
    paid = await asyncio.gather(
        *(
            client.post(f"/v1/claims/{c}/payment", json={"paid_on": thai_today().isoformat()})
            for c in claims
        )
    )
    # 100,000 satang pays two claims of 40,000; the third finds 20,000 left.
    assert sorted(p.status_code for p in paid) == [200, 200, 409]
    books = await _books(client, fund["id"])
    assert (books["benefits_paid_satang"], books["balance_satang"], books["balanced"]) == (
        80_000,
        20_000,
        True,
    )
    movements = (await client.get(f"/v1/funds/{fund['id']}/movements")).json()["items"]
    assert [m["sequence"] for m in movements] == [1, 2, 3]


async def test_contributions_recorded_together_all_land_once(client: httpx.AsyncClient) -> None:
    fund = await register_fund(client)
    member = await join(client, fund["id"], 80, years_ago(1))
    answers = await asyncio.gather(
        *(contribute(client, member["id"], 3_000, thai_today(), f"R-{i}") for i in range(5)),
        contribute(client, member["id"], 3_000, thai_today(), "R-0"),
    )
    assert sorted(a.status_code for a in answers) == [201] * 5 + [409]
    books = await _books(client, fund["id"])
    assert (books["contributions_satang"], books["movements"], books["balanced"]) == (
        15_000,
        5,
        True,
    )
    assert (await client.get(f"/v1/members/{member['id']}")).json()["paid_satang"] == 15_000


async def test_claim_sheets_racing_for_the_last_nights_of_the_year_cannot_both_pass(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    member = await join(client, fund["id"], 90, years_ago(2))
    today = thai_today()
    assert (await claim(client, member["id"], "hospital", today, nights=6)).status_code == 201
    row = {
        "member_id": member["id"],
        "kind": "hospital",
        "event_date": today.isoformat(),
        "nights": 3,
        "claimed_by": "the member",
    }
    answers = await asyncio.gather(
        *(client.post(f"/v1/funds/{fund['id']}/claim-sheets", json={"rows": [row]}) for _ in "ab")
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    listed = (await client.get(f"/v1/funds/{fund['id']}/claims")).json()["items"]
    assert sum(c["nights"] for c in listed) == 9


async def test_payment_runs_racing_for_the_last_of_a_fund_never_overdraw_it(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    await client.post(
        f"/v1/funds/{fund['id']}/income",
        json={"amount_satang": 100_000, "received_on": thai_today().isoformat(), "reference": "S"},
    )
    runs = []
    for i in range(2):
        member = await join(client, fund["id"], 95 + i, years_ago(2))
        filed = await claim(client, member["id"], "hospital", thai_today(), nights=3)
        await client.post(
            f"/v1/claims/{filed.json()['id']}/decision",
            json={"approve": True, "decided_by": "committee"},
        )
        runs.append({"paid_on": thai_today().isoformat(), "claim_ids": [filed.json()["id"]]})
    paid = await asyncio.gather(
        *(client.post(f"/v1/funds/{fund['id']}/claim-payments", json=run) for run in runs)
    )
    # 100,000 satang pays one claim of 60,000; the other finds 40,000 left.
    assert sorted(p.status_code for p in paid) == [200, 409]
    books = await _books(client, fund["id"])
    assert (books["benefits_paid_satang"], books["movements"], books["balanced"]) == (
        60_000,
        2,
        True,
    )

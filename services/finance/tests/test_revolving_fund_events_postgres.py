"""Fund events on PostgreSQL under concurrency: movements racing on one fund are
numbered 1..n without gap or tie, and each event's balance-after is the fund's
balance at that point, so the highest sequence always carries the final balance.

Needs the ``baan`` pytest plugin (deploy/local), which starts a throwaway
PostgreSQL server; skipped when it is not loaded (``-p no:baan``).
"""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import national_headers

from baan_testkit.outbox import outbox_events

pytestmark = pytest.mark.postgres

DEPOSITS = 12


async def test_deposits_racing_on_one_fund_are_numbered_in_balance_order(
    pg_app: FastAPI,
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=pg_app),
        base_url="http://finance",
        headers=national_headers(),
    ) as http:
        opened = await http.post(
            "/v1/revolving-funds",
            json={
                "scope": "community",
                "code": "KLONG-02",
                "name": "กองทุนชุมชนริมคลอง",
                "province_code": "10",
            },
        )
        assert opened.status_code == 201, opened.text
        fund_id = opened.json()["id"]
        # Different amounts, so each balance-after tells which deposits preceded it.
        answers = await asyncio.gather(
            *(
                http.post(
                    f"/v1/revolving-funds/{fund_id}/deposits",
                    json={"amount_satang": 100_000 * (n + 1), "reference": f"SEED-{n}"},
                )
                for n in range(DEPOSITS)
            )
        )
        assert [a.status_code for a in answers] == [200] * DEPOSITS
        fund = (await http.get(f"/v1/revolving-funds/{fund_id}")).json()

    moved = sorted(
        await outbox_events(pg_app, "revolving_fund.balance_changed"), key=lambda e: e["sequence"]
    )
    assert [e["sequence"] for e in moved] == list(range(1, DEPOSITS + 1))
    running = 0
    for event in moved:
        running += event["change_satang"]
        assert event["balance_satang"] == running
    assert (
        moved[-1]["balance_satang"]
        == fund["balance_satang"]
        == sum(100_000 * (n + 1) for n in range(DEPOSITS))
    )

"""Issue 14, finding 1: a partner bound to province 50 lent province 57's fund's money.

With a token bound to province 50, ``POST /v1/loans`` for a borrower in province 50
naming province 57's revolving fund in ``revolving_fund_id`` answered 201, and
``POST /v1/loans/{id}/disburse`` of that loan (``financed_by_fund: true``) took the
money out of province 57's fund. The fund must be unknown to the partner (the 422
an unknown fund gets, naming ``body.revolving_fund_id``), and the fund untouched.
"""

from __future__ import annotations

from typing import Any

from cross_area.routes import random_id
from cross_area.seed import loan_body
from cross_area.stage import ELSEWHERE, OWN, Stage
from cross_area.walk import MASK, snapshot


def _masked(body: dict[str, Any], identifier: str) -> str:
    return str(body).replace(identifier, MASK)


async def test_a_partner_cannot_lend_another_provinces_fund(stage: Stage) -> None:
    world = await stage.world("finance")
    fund_57 = world.ids[ELSEWHERE]["revolving_fund_id"]
    async with world.national() as national:
        fund_before = (await national.get(f"/v1/revolving-funds/{fund_57}")).json()
    before = await snapshot(world)

    nowhere_id = random_id()
    async with world.partner() as partner:
        elsewhere = await partner.post("/v1/loans", json=loan_body(OWN, fund_57))
        nowhere = await partner.post("/v1/loans", json=loan_body(OWN, nowhere_id))
        disbursed = None
        if elsewhere.status_code == 201:
            disbursed = await partner.post(
                f"/v1/loans/{elsewhere.json()['id']}/disburse",
                json={"disbursed_on": "2026-01-01"},
            )

    async with world.national() as national:
        fund_after = (await national.get(f"/v1/revolving-funds/{fund_57}")).json()
    after = await snapshot(world)
    assert nowhere.status_code == 422
    assert [e["field"] for e in nowhere.json()["errors"]] == ["body.revolving_fund_id"]
    assert (elsewhere.status_code, _masked(elsewhere.json(), fund_57)) == (
        nowhere.status_code,
        _masked(nowhere.json(), nowhere_id),
    ), f"province 57's fund lent to province 50 ({disbursed and disbursed.status_code})"
    assert fund_after == fund_before, "province 57's fund was drawn on"
    assert after == before

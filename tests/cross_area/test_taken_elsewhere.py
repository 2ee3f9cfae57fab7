"""Issue 14: a national uniqueness rule broken by another area's record says only that
the value is taken and who can resolve it (``taken_elsewhere``), never the other
record's id, programme, area or amount; and the refused write changes nothing.

One case per rule a partner can reach: a national ID approved in another area, a
payment reference used on another area's loan, a community fund code held by another
area's fund (a sub-district fund's code is its area's, which the partner cannot name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from cross_area.seed import household_body, ok
from cross_area.stage import CALLERS, PLACES, Caller, Stage, World
from cross_area.walk import snapshot

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

Attempt = Callable[[World, Caller, httpx.AsyncClient], Awaitable[httpx.Response]]


async def _approve_a_national_id_approved_elsewhere(
    world: World, caller: Caller, client: httpx.AsyncClient
) -> httpx.Response:
    """The caller's own household, with the national ID of one approved elsewhere."""
    own, elsewhere = world.ids[caller.own], world.ids[caller.elsewhere]
    async with world.national() as national:
        twin = await ok(
            await national.post(
                "/v1/households",
                json=household_body(caller.own, national_id=elsewhere["approved_national_id"])
                | {"community_id": own["community_id"], "survey_round_id": own["survey_round_id"]},
            ),
            201,
        )
        await ok(
            await national.post(f"/v1/households/{twin['id']}/screen", json={"decided_by": "x"})
        )
    return await client.post(
        f"/v1/households/{twin['id']}/approve", json={"decided_by": "คณะกรรมการ"}
    )


async def _repay_with_a_reference_used_elsewhere(
    world: World, caller: Caller, client: httpx.AsyncClient
) -> httpx.Response:
    return await client.post(
        f"/v1/loans/{world.ids[caller.own]['loan_id']}/repayments",
        json={
            "payment_reference": f"PAY-{caller.elsewhere}-1",
            "amount_satang": 50_000,
            "paid_on": "2026-03-01",
        },
    )


async def _open_a_fund_whose_code_is_held_elsewhere(
    world: World, caller: Caller, client: httpx.AsyncClient
) -> httpx.Response:
    """A community fund (its code is the community's own) named as one elsewhere."""
    return await client.post(
        "/v1/revolving-funds",
        json={
            "scope": "community",
            "code": f"CF-{caller.elsewhere}",
            "name": "กองทุนชุมชน",
            "province_code": PLACES[caller.own]["province_code"],
        },
    )


RULES: dict[str, tuple[str, Attempt]] = {
    "survey national ID approved elsewhere": ("survey", _approve_a_national_id_approved_elsewhere),
    "finance payment reference used elsewhere": (
        "finance",
        _repay_with_a_reference_used_elsewhere,
    ),
    "finance fund code held elsewhere": ("finance", _open_a_fund_whose_code_is_held_elsewhere),
}


def _secrets(world: World, caller: Caller) -> list[str]:
    """What the answer must not hold: the other area's ids (with or without dashes)."""
    ids = [value for value in world.ids[caller.elsewhere].values() if UUID.match(value)]
    return ids + [value.replace("-", "") for value in ids]


UNREACHABLE = {
    ("finance fund code held elsewhere", "district-5001"): (
        "a community fund lies in its province: a district-bound client may not open one (403)"
    ),
    ("finance fund code held elsewhere", "subdistrict-500101"): (
        "a community fund lies in its province: a sub-district-bound client may not open one"
    ),
}
"""(rule, caller) pairs the caller cannot reach, and why."""


@pytest.mark.parametrize(
    ("rule", "caller"),
    [
        pytest.param(rule, caller, id=f"{rule}-{caller.name}")
        for rule in RULES
        for caller in CALLERS
        if (rule, caller.name) not in UNREACHABLE
    ],
)
async def test_taken_elsewhere_names_nothing_of_the_other_record(
    stage: Stage, rule: str, caller: Caller
) -> None:
    service, attempt = RULES[rule]
    world = await stage.world(service)
    async with world.caller(caller) as client:
        before = await snapshot(world)
        answer = await attempt(world, caller, client)
        after = await snapshot(world)
    body: Any = answer.json()
    text = json.dumps(body, ensure_ascii=False)
    assert answer.status_code == 409, text
    assert [e.get("code") for e in body.get("errors", [])] == ["taken-elsewhere"], text
    assert not [secret for secret in _secrets(world, caller) if secret in text], text
    if rule != "survey national ID approved elsewhere":  # that one registers the twin first
        assert after == before

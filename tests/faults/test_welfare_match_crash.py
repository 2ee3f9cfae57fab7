"""Finance killed while it consumes welfare's approved matches (issue 19): nothing lost,
nothing paid twice.

Welfare funds in one province each record a member's year of contributions and ask the
agency for its 1:1 match; finance holds a WELFARE_MATCH budget for the province. The
matches are approved in welfare one after another while finance is killed (SIGKILL)
after the first half, so some ``welfare_match.approved`` events are in flight (read,
maybe paid, offset not committed) and the rest are published while it is down. Once
finance is back, every approved match must be paid exactly once from the budget (one
payment row each, the budget's disbursed = the matches' sum, the ledger's welfare match
expense the same), and ``baan-reconcile`` (now reading welfare too) must find every
service in agreement.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import geothai
import pytest
from faults.breakage import Profile
from faults.reconciling import reconcile_once_settled
from faults.table import ROWS, FaultRow
from faults.workload import until_answered
from platform_harness import Platform, eventually
from stdnum.th import pin

from baan_shared.clock import utcnow
from baan_shared.fiscal import fiscal_year_at

pytestmark = [
    pytest.mark.faults,
    pytest.mark.e2e,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.timeout(1800),
]

PROVINCE = "45"  # Roi Et: no other fault works there
A_YEAR = 36_500  # one baht a day
SETTLE_SECONDS = 300.0


def _national_id(serial: int) -> str:
    base = f"3450{serial:08d}"
    return base + pin.calc_check_digit(base)


async def _fund_asking_for_its_match(welfare: Any, tambon: str, serial: int) -> str:
    """A fund in ``tambon`` with one member who paid a year; its agency match request."""
    fund = await until_answered(
        welfare,
        "POST",
        "/v1/funds",
        json={
            "kind": "tambon",
            "name": f"กองทุนสวัสดิการชุมชนตำบล {tambon}",
            "subdistrict_code": tambon,
            "registered_on": "2015-01-01",
            "committee": [{"name": "นางบุญมี ใจดี", "role": "chair"}],
        },
    )
    assert fund.status_code == 201, fund.text
    fund_id = fund.json()["id"]
    member = await until_answered(
        welfare,
        "POST",
        "/v1/members",
        json={
            "fund_id": fund_id,
            "national_id": _national_id(serial),
            "name": f"สมาชิก {serial}",
            "joined_on": "2020-01-01",
        },
    )
    assert member.status_code == 201, member.text
    paid = await until_answered(
        welfare,
        "POST",
        "/v1/contributions",
        json={
            "member_id": member.json()["id"],
            "paid_on": "2025-06-30",
            "amount_satang": A_YEAR,
            "reference": f"R-{serial}",
        },
    )
    assert paid.status_code == 201, paid.text
    asked = await until_answered(
        welfare,
        "POST",
        f"/v1/funds/{fund_id}/match-requests",
        json={
            "matcher": "agency",
            "period_from": "2025-01-01",
            "period_to": "2025-12-31",
            "amount_satang": A_YEAR,
            "requested_by": "เหรัญญิกกองทุน",
        },
    )
    assert asked.status_code == 201, asked.text
    return str(asked.json()["id"])


async def _approve(welfare: Any, request_id: str) -> None:
    answer = await until_answered(
        welfare,
        "POST",
        f"/v1/match-requests/{request_id}/decision",
        json={"approve": True, "decided_by": "ฝ่ายสวัสดิการ พอช."},
        headers={"Idempotency-Key": f"approve-{request_id}"},
    )
    assert answer.status_code == 200, answer.text


async def test_finance_killed_while_consuming_approved_matches_pays_each_once(
    fault_platform: Platform, fault_profile: Profile
) -> None:
    platform = fault_platform
    funds = fault_profile.households
    tambons = [s.code for d in geothai.districts(PROVINCE) for s in geothai.subdistricts(d.code)]
    async with platform.client("finance") as finance:
        budget = await until_answered(
            finance,
            "POST",
            "/v1/budgets",
            json={
                "programme": "WELFARE_MATCH",
                "fiscal_year": fiscal_year_at(utcnow()),
                "area_level": "province",
                "area_code": PROVINCE,
                "amount_satang": funds * A_YEAR,
            },
        )
        assert budget.status_code == 201, budget.text
    budget_id = budget.json()["budget"]["id"]
    async with platform.client("welfare") as welfare:
        requests = [await _fund_asking_for_its_match(welfare, tambons[n], n) for n in range(funds)]
        half = funds // 2
        for request_id in requests[:half]:
            await _approve(welfare, request_id)
        platform.services["finance"].kill()  # SIGKILL while it consumes the first half
        crashed_at = time.monotonic()
        for request_id in requests[half:]:
            await _approve(welfare, request_id)
    await asyncio.sleep(fault_profile.service_down_seconds)
    platform.services["finance"].start()
    await asyncio.to_thread(platform.services["finance"].wait_live)

    async def all_paid() -> list[dict[str, Any]] | None:
        async with platform.client("finance") as finance:
            answer = await until_answered(
                finance, "GET", "/v1/welfare-match-payments", params={"limit": 500}
            )
        rows: list[dict[str, Any]] = answer.json()["items"]
        paid = {r["match_request_id"] for r in rows if r["status"] == "paid"}
        return rows if paid >= set(requests) else None

    try:
        rows = await eventually(all_paid, timeout=SETTLE_SECONDS, what="every match paid")
        recovered_in: float | None = time.monotonic() - crashed_at
    except AssertionError:
        recovered_in = None
        async with platform.client("finance") as finance:
            rows = (await finance.get("/v1/welfare-match-payments")).json()["items"]
    ours = [r for r in rows if r["match_request_id"] in set(requests)]
    paid_ids = [r["match_request_id"] for r in ours if r["status"] == "paid"]
    lost = len(set(requests) - set(paid_ids))
    duplicated = len(paid_ids) - len(set(paid_ids))
    async with platform.client("finance") as finance:
        spent = (await until_answered(finance, "GET", f"/v1/budgets/{budget_id}")).json()
    reconciled = await reconcile_once_settled(platform, within=SETTLE_SECONDS)
    ROWS.append(
        FaultRow(
            fault="finance killed (SIGKILL) while consuming welfare's approved matches",
            in_flight=funds,
            lost=lost,
            duplicated=duplicated,
            recovered_in=recovered_in,
            notes=f"{funds} agency matches, {funds - half} approved while finance was down; "
            f"budget disbursed {spent['disbursed_satang']} of {funds * A_YEAR} satang",
        )
    )
    assert (lost, duplicated) == (0, 0), ours
    assert all(r["budget_id"] == budget_id for r in ours), ours
    assert (spent["disbursed_satang"], spent["free_satang"]) == (funds * A_YEAR, 0)
    assert reconciled[0] == 0, reconciled[1]

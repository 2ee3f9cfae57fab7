"""The agency's match of a welfare fund, through the running services and Kafka
(issue 19): welfare approves it, finance keeps it waiting while no WELFARE_MATCH budget
covers the fund and pays it when one is allocated, and welfare's match request shows
each in turn (waiting_for_budget with finance's reason, then paid: when, how much)."""

from datetime import datetime, timedelta
from typing import Any

import geothai
import httpx
import pytest
from platform_harness import Platform, eventually
from survey_feed import national_ids

from baan_shared.clock import thai_today, utcnow
from baan_shared.fiscal import fiscal_year_at

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

YEAR_OF_DUES = 36_500
national_id = national_ids(1_9613_0000_001)
"""A range of its own (the tambon's district), clashing with no other test's."""


def last_tambon() -> str:
    """The official list's last tambon: no other test registers a fund there (the
    welfare acceptance takes tambons from the front of the list), and no WELFARE_MATCH
    budget covers it until this test allocates one."""
    province = list(geothai.provinces())[-1]
    district = list(geothai.districts(province.code))[-1]
    return str(list(geothai.subdistricts(district.code))[-1].code)


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


async def test_welfare_shows_the_agency_s_match_waiting_for_a_budget_then_paid(
    platform: Platform,
) -> None:
    tambon = last_tambon()
    day = (thai_today() - timedelta(days=1)).isoformat()
    async with platform.client("welfare") as welfare, platform.client("finance") as finance:
        fund = await ok(
            await welfare.post(
                "/v1/funds",
                json={
                    "kind": "tambon",
                    "name": f"กองทุนสวัสดิการชุมชนตำบล {tambon}",
                    "subdistrict_code": tambon,
                    "registered_on": "2010-06-01",
                    "committee": [{"name": "นางสมศรี ใจดี", "role": "chair"}],
                },
            ),
            201,
        )
        member = await ok(
            await welfare.post(
                "/v1/members",
                json={
                    "fund_id": fund["id"],
                    "national_id": national_id(),
                    "name": "สมาชิก 1",
                    "joined_on": "2011-01-01",
                },
            ),
            201,
        )
        await ok(
            await welfare.post(
                "/v1/contributions",
                json={
                    "member_id": member["id"],
                    "amount_satang": YEAR_OF_DUES,
                    "paid_on": day,
                    "reference": "DUES-1",
                },
            ),
            201,
        )
        request = await ok(
            await welfare.post(
                f"/v1/funds/{fund['id']}/match-requests",
                json={
                    "matcher": "agency",
                    "period_from": day,
                    "period_to": day,
                    "amount_satang": YEAR_OF_DUES,
                    "requested_by": "คณะกรรมการกองทุน",
                },
            ),
            201,
        )
        await ok(
            await welfare.post(
                f"/v1/match-requests/{request['id']}/decision",
                json={"approve": True, "decided_by": "พอช."},
            )
        )

        async def shown(status: str) -> dict[str, Any] | None:
            listed = await ok(await welfare.get(f"/v1/funds/{fund['id']}/match-requests"))
            [row] = [r for r in listed["items"] if r["id"] == request["id"]]
            return row if row["payment_status"] == status else None

        waiting = await eventually(
            lambda: shown("waiting_for_budget"), timeout=60, what="welfare to hear it waits"
        )
        assert "no WELFARE_MATCH budget" in waiting["payment_reason"]
        assert tambon in waiting["payment_reason"]
        assert (waiting["status"], waiting["paid_at"], waiting["paid_satang"]) == (
            "approved",
            None,
            None,
        )
        budget = await ok(
            await finance.post(
                "/v1/budgets",
                json={
                    "programme": "WELFARE_MATCH",
                    "fiscal_year": fiscal_year_at(utcnow()),
                    "area_level": "district",
                    "area_code": tambon[:4],
                    "amount_satang": 10 * YEAR_OF_DUES,
                },
            ),
            201,
        )
        paid = await eventually(lambda: shown("paid"), timeout=60, what="welfare to hear it paid")
        assert (paid["paid_satang"], paid["payment_reason"]) == (YEAR_OF_DUES, None)
        assert paid["paid_at"] is not None
        payments = await ok(
            await finance.get("/v1/welfare-match-payments", params={"status": "paid"})
        )
        [payment] = [p for p in payments["items"] if p["match_request_id"] == request["id"]]
        assert (payment["status"], payment["budget_id"]) == ("paid", budget["budget"]["id"])
        assert datetime.fromisoformat(payment["paid_at"]) == datetime.fromisoformat(paid["paid_at"])

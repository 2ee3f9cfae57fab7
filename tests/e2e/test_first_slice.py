"""The first slice, end to end, over the real broker and real PostgreSQL:

register → approve → household.approved → construction opens the house work →
progress to completed → house.completed → finance pays the grant's tranches →
reporting counts the household by programme and province.
"""

from typing import Any

import pytest
from platform_harness import (
    Platform,
    approve_new_household,
    eventually,
    house_work_of,
    household_body,
)

from baan_shared.clock import utcnow
from baan_shared.fiscal import fiscal_year_at

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

CANAL_GRANT_SATANG = 147_000 * 100


async def _allocate_budget(finance: Any, province_code: str, amount_satang: int) -> None:
    """Finance grants only from a budget: allocate this fiscal year's for the province."""
    response = await finance.post(
        "/v1/budgets",
        json={
            "programme": "CANAL",
            "fiscal_year": fiscal_year_at(utcnow()),
            "area_level": "province",
            "area_code": province_code,
            "amount_satang": amount_satang,
        },
    )
    assert response.status_code == 201, response.text


async def _report_row(platform: Platform, programme: str, province: str) -> dict[str, Any] | None:
    async with platform.client("reporting") as reporting:
        response = await reporting.get(
            "/v1/reports/progress", params={"programme": programme, "province_code": province}
        )
    rows = response.json()["rows"] if response.status_code == 200 else []
    return rows[0] if rows else None


async def test_a_canal_household_goes_from_survey_to_the_report(platform: Platform) -> None:
    # Province 12 (Nonthaburi) is used by this test alone, so its counts are exact.
    area = {"province_code": "12", "district_code": "1201", "subdistrict_code": "120101"}
    async with (
        platform.client("survey") as survey,
        platform.client("construction") as construction,
        platform.client("finance") as finance,
    ):
        await _allocate_budget(finance, "12", CANAL_GRANT_SATANG)
        household_id = await approve_new_household(survey, programme="CANAL", **area)

        async def planned() -> dict[str, Any] | None:
            return await house_work_of(construction, household_id)

        house = await eventually(planned, what="construction to open the house work")
        assert house["status"] == "planned"
        assert house["programme"] == "CANAL"
        assert house["province_code"] == "12"

        base = f"/v1/house-works/{house['id']}"
        steps: list[tuple[str, dict[str, Any]]] = [
            ("ready", {"reported_by": "ทีมช่างชุมชน"}),
            ("start", {"reported_by": "ทีมช่างชุมชน"}),
            ("progress", {"reported_by": "ทีมช่างชุมชน", "milestone": "structure", "percent": 50}),
            (
                "complete",
                {
                    "inspected_by": "คณะกรรมการตรวจรับชุมชน",
                    "actual_cost_satang": 48_500_000,
                    "labour_days": 42,
                },
            ),
        ]
        for step, body in steps:
            response = await construction.post(f"{base}/{step}", json=body)
            assert response.status_code == 200, f"{step}: {response.text}"
        assert response.json()["status"] == "completed"

        async def fully_paid() -> dict[str, Any] | None:
            response = await finance.get(f"/v1/grants/by-household/{household_id}")
            if response.status_code != 200:
                return None
            grant: dict[str, Any] = response.json()
            return grant if grant["disbursed_satang"] == CANAL_GRANT_SATANG else None

        grant = await eventually(fully_paid, what="finance to pay every tranche")
        assert grant["entitled_satang"] == CANAL_GRANT_SATANG
        assert grant["outstanding_satang"] == 0
        assert [d["amount_satang"] for d in grant["disbursements"]] == [5_880_000, 8_820_000]
        assert all(d["payment_reference"] for d in grant["disbursements"])

        balance = (await finance.get("/v1/ledger/trial-balance")).json()
        assert balance["debit_satang"] == balance["credit_satang"]
        assert balance["balanced"] is True

    async def counted() -> dict[str, Any] | None:
        row = await _report_row(platform, "CANAL", "12")
        return row if row and row["completed"] == 1 else None

    row = await eventually(counted, what="reporting to count the completed house")
    assert row["approved"] == 1
    assert row["grant_disbursed_satang"] == CANAL_GRANT_SATANG


async def test_a_rejected_household_never_reaches_construction(platform: Platform) -> None:
    async with platform.client("survey") as survey, platform.client("construction") as construction:
        created = await survey.post(
            "/v1/households",
            json=household_body(
                province_code="13", district_code="1301", subdistrict_code="130101"
            ),
        )
        household_id = created.json()["id"]
        await survey.post(f"/v1/households/{household_id}/screen", json={"decided_by": "c"})
        rejected = await survey.post(
            f"/v1/households/{household_id}/reject",
            json={"decided_by": "c", "reason": "รายได้เกินเกณฑ์"},
        )
        assert rejected.status_code == 200
        approve = await survey.post(
            f"/v1/households/{household_id}/approve", json={"decided_by": "c"}
        )
        assert approve.status_code == 409

        # A household approved afterwards in the same province does reach construction,
        # so by then the rejection has been read too: nothing was created for it.
        later = await approve_new_household(
            survey, province_code="13", district_code="1301", subdistrict_code="130101"
        )

        async def later_planned() -> dict[str, Any] | None:
            return await house_work_of(construction, later)

        await eventually(later_planned, what="the later household's house work")
        assert await house_work_of(construction, household_id) is None

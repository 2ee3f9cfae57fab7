"""Target against achieved, read through GET /v1/reports/targets.

Events are dated in FY 2562 (Oct 2018 - Sep 2019) like the agency's half-year
report in DOMAIN.md; achievements count by when each milestone happened.
"""

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_factories import (
    BAAN_PHO_PHIANG,
    CANAL,
    MAY_2019,
    NOV_2018,
    Household,
    apply_events,
    cloud_event,
    households,
    latest_time,
    target,
)

from baan_shared.events.catalog import HouseholdApproved
from reporting.achievements.service import percent


async def set_targets(client: httpx.AsyncClient, *targets: dict[str, Any]) -> None:
    response = await client.put("/v1/targets", json={"targets": list(targets)})
    assert response.status_code == 200, response.text


async def report(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/reports/targets", params={"fiscal_year": 2562, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["area_code"],
        row["target"],
        row["approved"],
        row["started"],
        row["completed"],
        row["completed_percent"],
    )


class TestTargetAgainstAchieved:
    def test_achievement_beyond_the_target_shows_in_full(self) -> None:
        assert percent(12_543, 11_500) == 109.1
        assert percent(3_084, 7_069) == 43.6
        assert percent(5, None) is None

    async def test_half_year_report_counts_what_was_done_in_the_half_beyond_its_target(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await set_targets(client, target(quantity=4))
        events = households(5, "completed", start=NOV_2018)
        await apply_events(app, events)
        body = await report(client, period="h1", level="province", programme=BAAN_PHO_PHIANG)
        assert [figures(row) for row in body["rows"]] == [("57", 4, 5, 5, 5, 125.0)]
        assert body["rows"][0]["area_name_th"] == "เชียงราย"
        assert body["period"]["label_th"] == "ปีงบประมาณ 2562 ครึ่งปีแรก (ต.ค. 2561 - มี.ค. 2562)"
        assert body["period"]["label_en"] == "FY2019 H1 (Oct 2018 - Mar 2019)"
        assert datetime.fromisoformat(body["as_of"]) == latest_time(events)

    async def test_milestones_count_in_the_half_year_in_which_they_happened(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, households(2, "completed", start=NOV_2018))
        await apply_events(app, households(1, "under_construction", start=MAY_2019))
        first = await report(client, period="h1", level="country")
        second = await report(client, period="h2", level="country")
        year = await report(client, period="year", level="country")
        assert [figures(r) for r in first["totals"]] == [("TH", None, 2, 2, 2, None)]
        assert [figures(r) for r in second["totals"]] == [("TH", None, 1, 1, 0, None)]
        assert [figures(r) for r in year["totals"]] == [("TH", None, 3, 3, 2, None)]

    async def test_the_half_year_ends_at_midnight_in_bangkok(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # Approved 23:10 on 31 March in Bangkok (16:10 UTC): still the first half.
        late_march = datetime(2019, 3, 31, 15, 10, tzinfo=UTC)
        await apply_events(app, households(1, "approved", start=late_march))
        first = await report(client, period="h1", level="country")
        second = await report(client, period="h2", level="country")
        assert first["totals"][0]["approved"] == 1
        assert second["totals"] == []

    async def test_households_set_aside_or_cancelled_do_not_count_as_achieved(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, households(1, "waitlisted", start=NOV_2018))
        await apply_events(app, households(1, "cancelled", start=NOV_2018))
        await apply_events(app, households(1, "approved", start=NOV_2018))
        body = await report(client, period="h1", level="country")
        # The cancelled house's household was still approved; the waitlisted one not.
        assert [figures(r) for r in body["totals"]] == [("TH", None, 2, 0, 0, None)]

    async def test_each_programme_gets_its_own_rows_and_totals(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await set_targets(
            client,
            target(quantity=2),
            target(programme=CANAL, area_code="10", quantity=4),
        )
        await apply_events(app, households(1, "completed", start=NOV_2018))
        await apply_events(
            app, households(2, "under_construction", start=NOV_2018, province="10", programme=CANAL)
        )
        body = await report(client, period="h1", level="country")
        assert [
            (r["programme"], r["target"], r["started"], r["started_percent"])
            for r in body["totals"]
        ] == [
            (BAAN_PHO_PHIANG, 2, 1, 50.0),
            (CANAL, 4, 2, 50.0),
        ]


class TestDrillDown:
    async def test_a_region_without_its_own_target_sums_its_provinces_targets(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await set_targets(client, target(quantity=3), target(area_code="50", quantity=2))
        await apply_events(app, households(4, "completed", start=NOV_2018))
        body = await report(client, period="h1", programme=BAAN_PHO_PHIANG)
        north = [r for r in body["rows"] if r["area_code"] == "N"]
        assert [figures(r) for r in north] == [("N", 5, 4, 4, 4, 80.0)]
        assert len(body["rows"]) == 5  # every regional office, with or without figures
        assert [figures(r) for r in body["totals"]] == [("TH", 5, 4, 4, 4, 80.0)]

    async def test_a_target_set_for_the_region_wins_over_the_sum_of_its_provinces(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await set_targets(
            client, target(quantity=3), target(area_level="region", area_code="N", quantity=8)
        )
        body = await report(client, period="h1", programme=BAAN_PHO_PHIANG, region="N")
        assert [figures(r) for r in body["rows"]] == [("N", 8, 0, 0, 0, 0.0)]

    async def test_region_to_province_to_district_to_subdistrict(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await set_targets(client, target(quantity=3), target(area_code="50", quantity=2))
        await apply_events(app, households(2, "completed", start=NOV_2018))
        await apply_events(app, households(1, "completed", start=NOV_2018, province="10"))
        provinces = await report(client, period="h1", level="province", region="N")
        assert [figures(r) for r in provinces["rows"]] == [
            ("50", 2, 0, 0, 0, 0.0),
            ("57", 3, 2, 2, 2, 66.7),
        ]
        districts = await report(client, period="h1", level="district", province_code="57")
        assert [figures(r) for r in districts["rows"]] == [("5701", None, 2, 2, 2, None)]
        assert [figures(r) for r in districts["totals"]] == [("57", 3, 2, 2, 2, 66.7)]
        subdistricts = await report(client, period="h1", level="subdistrict", district_code="5701")
        assert [figures(r) for r in subdistricts["rows"]] == [("570101", None, 2, 2, 2, None)]

    async def test_subdistricts_reached_count_each_tambon_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await set_targets(client, target(unit="subdistricts", quantity=2))
        await apply_events(app, households(3, "completed", start=NOV_2018))
        body = await report(client, period="h1", level="province", unit="subdistricts")
        assert [figures(r) for r in body["rows"]] == [("57", 2, 1, 1, 1, 50.0)]


class TestMonthlySeries:
    async def test_households_per_month_and_to_date_across_the_half(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, households(2, "completed", start=NOV_2018))
        await apply_events(app, households(1, "approved", start=datetime(2019, 1, 10, tzinfo=UTC)))
        body = await report(client, period="h1", level="country")
        months = [
            (m["label_th"], m["approved"], m["completed"], m["approved_to_date"])
            for m in body["months"]
        ]
        assert months == [
            ("ต.ค. 2561", 0, 0, 0),
            ("พ.ย. 2561", 2, 2, 2),
            ("ธ.ค. 2561", 0, 0, 2),
            ("ม.ค. 2562", 1, 0, 3),
            ("ก.พ. 2562", 0, 0, 3),
            ("มี.ค. 2562", 0, 0, 3),
        ]
        assert body["months"][0]["label_en"] == "Oct 2018"


class TestBadQueries:
    async def problem(self, client: httpx.AsyncClient, status: int, **params: Any) -> list[str]:
        response = await client.get("/v1/reports/targets", params=params)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        return [e["field"] for e in response.json().get("errors") or []]

    async def test_fiscal_year_is_required_and_in_the_buddhist_era(
        self, client: httpx.AsyncClient
    ) -> None:
        assert "query.fiscal_year" in await self.problem(client, 422)
        assert "query.fiscal_year" in await self.problem(client, 422, fiscal_year=2019)

    async def test_an_unknown_region_or_province_is_not_found(
        self, client: httpx.AsyncClient
    ) -> None:
        await self.problem(client, 404, fiscal_year=2562, region="XX")
        await self.problem(client, 404, fiscal_year=2562, province_code="99")

    async def test_filters_that_contradict_each_other_name_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        fields = await self.problem(client, 422, fiscal_year=2562, region="S", province_code="57")
        assert fields == ["query.province_code"]
        fields = await self.problem(
            client, 422, fiscal_year=2562, province_code="57", district_code="1038"
        )
        assert fields == ["query.district_code"]
        fields = await self.problem(
            client, 422, fiscal_year=2562, level="region", province_code="57"
        )
        assert fields == ["query.level"]


class TestDatedMilestones:
    async def test_a_decision_minuted_late_counts_in_the_period_of_its_meeting(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        """Survey records a committee's decisions dated by the meeting (decided_on):
        the event is published today, the approval counts in FY 2562 H1."""
        household = Household(fiscal_year=2562)
        recorded_today = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
        approval = HouseholdApproved(
            **household.area(),
            fiscal_year=2562,
            household_size=4,
            need="rebuild",
            estimated_cost_satang=2_000_000,
            approved_at=NOV_2018,
            approved_by="คณะกรรมการชุมชน",
        )
        await apply_events(app, [cloud_event(approval, time=recorded_today)])
        (total,) = (await report(client, period="h1"))["totals"]
        assert total["approved"] == 1
        (now,) = (await client.get("/v1/reports/targets", params={"fiscal_year": 2570})).json()[
            "totals"
        ] or [{"approved": 0}]
        assert now["approved"] == 0

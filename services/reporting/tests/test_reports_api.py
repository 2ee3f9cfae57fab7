"""Reports over events applied through the real handlers, read through the HTTP API."""

import random
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import national_headers
from reporting_factories import (
    BAAN_PHO_PHIANG,
    CANAL,
    CANAL_GRANT,
    Household,
    StartApp,
    apply_events,
    cloud_event,
    journey,
    latest_time,
    realistic_mix,
)

from baan_shared.events.catalog import GrantDisbursed
from baan_shared.ids import new_id
from reporting.handlers import SUBSCRIPTIONS


def counts(**given: int) -> dict[str, int]:
    names = [
        "surveyed",
        "approved",
        "ready_to_build",
        "under_construction",
        "completed",
        "waitlisted",
        "rejected",
        "cancelled",
        "grant_approved_satang",
        "grant_disbursed_satang",
    ]
    return {name: given.get(name, 0) for name in names}


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def get(app: FastAPI, url: str, **params: Any) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://reporting", headers=national_headers()
    ) as http:
        response = await http.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = without_links(response.json())
    return body


def without_links(found: Any) -> Any:
    """The figures without their drill-down links (test_drilldown.py follows those)."""
    if isinstance(found, dict):
        return {k: without_links(v) for k, v in found.items() if k != "drill_down"}
    if isinstance(found, list):
        return [without_links(v) for v in found]
    return found


class TestProgress:
    async def test_counts_by_programme_and_province_after_a_realistic_mix(
        self, app: FastAPI
    ) -> None:
        await apply_events(app, realistic_mix())
        report = await get(app, "/v1/reports/progress")
        assert report["rows"] == [
            {
                "programme": BAAN_PHO_PHIANG,
                "province_code": "10",
                **counts(
                    surveyed=1,
                    approved=1,
                    completed=1,
                    grant_approved_satang=2_000_000,
                    grant_disbursed_satang=2_000_000,
                ),
            },
            {
                "programme": BAAN_PHO_PHIANG,
                "province_code": "57",
                **counts(
                    surveyed=6,
                    approved=3,
                    ready_to_build=1,
                    under_construction=1,
                    completed=1,
                    waitlisted=1,
                    cancelled=1,
                    grant_approved_satang=4 * 2_000_000,
                    # completed 100%, under construction 70%, ready 30%
                    grant_disbursed_satang=2_000_000 + 1_400_000 + 600_000,
                ),
            },
            {
                "programme": CANAL,
                "province_code": "10",
                **counts(
                    surveyed=4,
                    approved=3,
                    under_construction=1,
                    completed=1,
                    rejected=1,
                    grant_approved_satang=3 * CANAL_GRANT,
                    grant_disbursed_satang=CANAL_GRANT + 4_410_000 + 5_880_000,
                ),
            },
        ]
        assert report["totals"] == counts(
            surveyed=11,
            approved=7,
            ready_to_build=1,
            under_construction=2,
            completed=3,
            waitlisted=1,
            rejected=1,
            cancelled=1,
            grant_approved_satang=8_000_000 + 2_000_000 + 3 * CANAL_GRANT,
            grant_disbursed_satang=4_000_000 + 2_000_000 + 24_990_000,
        )

    async def test_events_in_any_order_give_the_same_report(self, start_app: StartApp) -> None:
        events = realistic_mix()
        in_order = await start_app()
        await apply_events(in_order, events)
        expected = [
            await get(in_order, "/v1/reports/progress"),
            await get(in_order, "/v1/reports/funnel"),
        ]
        for seed in (1, 2, 3):
            shuffled = await start_app()
            await apply_events(shuffled, random.Random(seed).sample(events, k=len(events)))
            assert [
                await get(shuffled, "/v1/reports/progress"),
                await get(shuffled, "/v1/reports/funnel"),
            ] == expected, f"seed {seed}"

    async def test_filters_by_programme_province_and_fiscal_year(self, app: FastAPI) -> None:
        await apply_events(app, realistic_mix())
        later = Household(programme=CANAL, province_code="10", fiscal_year=2569)
        await apply_events(app, journey("completed", household=later, grant_satang=CANAL_GRANT))

        canal = await get(app, "/v1/reports/progress", programme=CANAL)
        assert [(r["programme"], r["province_code"]) for r in canal["rows"]] == [(CANAL, "10")]
        assert canal["totals"]["completed"] == 2

        chiang_rai = await get(app, "/v1/reports/progress", province_code="57")
        assert chiang_rai["totals"]["surveyed"] == 6

        fy2569 = await get(app, "/v1/reports/progress", fiscal_year=2569)
        assert fy2569["totals"] == counts(
            surveyed=1,
            approved=1,
            completed=1,
            grant_approved_satang=CANAL_GRANT,
            grant_disbursed_satang=CANAL_GRANT,
        )

    async def test_an_empty_projection_reports_zeros_and_no_as_of(self, app: FastAPI) -> None:
        report = await get(app, "/v1/reports/progress")
        assert report == {"as_of": None, "rows": [], "totals": counts()}


class TestMoney:
    async def test_tranches_in_any_order_and_redelivered_sum_once(self, app: FastAPI) -> None:
        events = journey("completed", grant_satang=3_000_000)
        tranches = [e for e in events if e.type == "grant.disbursed"]
        others = [e for e in events if e.type != "grant.disbursed"]
        await apply_events(app, others + tranches[::-1])
        # A redelivery the inbox did not catch (e.g. a replay) must not pay twice.
        async with app.state.runtime.session_factory() as session:
            await SUBSCRIPTIONS.handlers["grant.disbursed"](session, tranches[1])
            await session.commit()
        totals = (await get(app, "/v1/reports/progress"))["totals"]
        assert totals["grant_approved_satang"] == 3_000_000
        assert totals["grant_disbursed_satang"] == 3_000_000

    async def test_a_second_grant_adds_to_the_first(self, app: FastAPI) -> None:
        household = Household()
        first = journey("ready_to_build", household=household, grant_satang=1_000_000)
        second_grant = GrantDisbursed(
            **household.area(),
            grant_id=new_id(),
            fiscal_year=household.fiscal_year,
            tranche=1,
            amount_satang=500_000,
            payment_reference="PAY-2-1",
            disbursed_total_satang=500_000,
        )
        later = latest_time(first) + timedelta(days=1)
        await apply_events(app, [*first, cloud_event(second_grant, time=later)])
        totals = (await get(app, "/v1/reports/progress"))["totals"]
        assert totals["grant_disbursed_satang"] == 300_000 + 500_000


class TestFunnel:
    async def test_counts_per_stage_and_how_many_got_that_far(self, app: FastAPI) -> None:
        await apply_events(app, realistic_mix())
        funnel = await get(app, "/v1/reports/funnel")
        assert funnel["households"] == 11
        assert {s["stage"]: (s["households"], s["reached"]) for s in funnel["stages"]} == {
            "surveyed": (1, 11),
            "approved": (1, 7),
            "ready_to_build": (1, 6),
            "under_construction": (2, 5),
            "completed": (3, 3),
            "waitlisted": (1, 1),
            "rejected": (1, 1),
            "cancelled": (1, 1),
        }

    async def test_funnel_of_one_programme_in_one_province(self, app: FastAPI) -> None:
        await apply_events(app, realistic_mix())
        funnel = await get(app, "/v1/reports/funnel", programme=CANAL, province_code="10")
        at_stage = {s["stage"]: s["households"] for s in funnel["stages"]}
        assert funnel["households"] == 4
        assert at_stage["completed"] == 1
        assert at_stage["rejected"] == 1


class TestFreshness:
    async def test_as_of_is_the_latest_event_time_in_every_report(self, app: FastAPI) -> None:
        events = realistic_mix()
        await apply_events(app, random.Random(7).sample(events, k=len(events)))
        latest = latest_time(events)
        for url in ("/v1/reports/progress", "/v1/reports/funnel", "/v1/reports/freshness"):
            assert when((await get(app, url))["as_of"]) == latest, url

    async def test_freshness_per_stream(self, app: FastAPI) -> None:
        events = realistic_mix()
        await apply_events(app, events)
        freshness = await get(app, "/v1/reports/freshness")
        streams = {s["stream"]: s for s in freshness["streams"]}
        assert sorted(streams) == ["construction.houses", "finance.grants", "survey.households"]
        for name, stream in streams.items():
            of_stream = [e for e in events if e.type.split(".")[0] == _aggregate(name)]
            assert stream["events_applied"] == len(of_stream)
            assert when(stream["last_event_time"]) == latest_time(of_stream)
        assert when(freshness["last_applied_at"]) is not None

    async def test_nothing_applied_yet(self, app: FastAPI) -> None:
        freshness = await get(app, "/v1/reports/freshness")
        assert freshness == {"as_of": None, "last_applied_at": None, "streams": []}


def _aggregate(stream: str) -> str:
    return {
        "survey.households": "household",
        "construction.houses": "house",
        "finance.grants": "grant",
    }[stream]


class TestValidation:
    @pytest.mark.parametrize(
        ("url", "params", "field"),
        [
            ("/v1/reports/progress", {"programme": "NOPE"}, "query.programme"),
            ("/v1/reports/progress", {"province_code": "5"}, "query.province_code"),
            ("/v1/reports/progress", {"province_code": "ab"}, "query.province_code"),
            ("/v1/reports/progress", {"fiscal_year": "2019"}, "query.fiscal_year"),
            ("/v1/reports/funnel", {"programme": "baan_mankong"}, "query.programme"),
            ("/v1/reports/funnel", {"province_code": "570"}, "query.province_code"),
        ],
    )
    async def test_a_bad_filter_is_a_422_naming_the_field(
        self, client: httpx.AsyncClient, url: str, params: dict[str, str], field: str
    ) -> None:
        response = await client.get(url, params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]

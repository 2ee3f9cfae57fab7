"""Coverage and the other units: communities and sub-districts reached, persons, centres."""

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_factories import NOV_2018, Household, apply_events, journey, target

from baan_shared.ids import new_id

MANKONG, HOMELESS = "BAAN_MANKONG", "HOMELESS"


async def report(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/v1/reports/targets", params={"fiscal_year": 2562, "period": "h1", **params}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def settle(app: FastAPI, plan: list[tuple[str, str, Any, str]]) -> None:
    """(programme, province, community, stage) per household, a day apart in FY 2562 H1."""
    for day, (programme, province, community, stage) in enumerate(plan):
        household = Household(
            programme=programme, province_code=province, fiscal_year=2562, community_id=community
        )
        await apply_events(
            app, journey(stage, household=household, start=NOV_2018 + timedelta(days=day))
        )


class TestCoverage:
    async def test_communities_and_subdistricts_reached_per_area_and_in_total(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        lat_phrao, wiang = new_id(), new_id()
        await settle(
            app,
            [
                (MANKONG, "10", lat_phrao, "completed"),
                (MANKONG, "10", lat_phrao, "completed"),
                (MANKONG, "10", None, "approved"),  # in no community: no community reached
                (MANKONG, "57", wiang, "under_construction"),
                (MANKONG, "57", new_id(), "surveyed"),  # reached no milestone: not covered
            ],
        )
        body = await report(client, level="province")
        rows = {r["area_code"]: r for r in body["rows"]}
        assert (rows["10"]["communities_reached"], rows["10"]["subdistricts_reached"]) == (1, 1)
        assert (rows["57"]["communities_reached"], rows["57"]["subdistricts_reached"]) == (1, 1)
        (total,) = body["totals"]
        assert (total["communities_reached"], total["subdistricts_reached"]) == (2, 2)

    async def test_a_community_target_counts_distinct_communities_not_households(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        response = await client.put(
            "/v1/targets",
            json={
                "targets": [
                    target(programme=MANKONG, area_code="10", unit="communities", quantity=4)
                ]
            },
        )
        assert response.status_code == 200, response.text
        first, second = new_id(), new_id()
        await settle(app, [(MANKONG, "10", c, "completed") for c in (first, first, second)])
        (total,) = (await report(client, unit="communities", programme=MANKONG))["totals"]
        assert (total["target"], total["completed"], total["completed_percent"]) == (4, 2, 50.0)

    async def test_persons_count_the_members_of_each_household(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await settle(app, [(HOMELESS, "10", None, "completed")] * 3)
        (total,) = (await report(client, unit="persons"))["totals"]
        assert total["completed"] == 3 * 4  # the factory's households have 4 members

    async def test_homeless_centres_under_construction_show_as_started_not_completed(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        """The half-year table's last line: 2 centres targeted, under construction."""
        response = await client.put(
            "/v1/targets",
            json={
                "targets": [
                    target(
                        programme=HOMELESS,
                        area_level="country",
                        area_code="TH",
                        unit="centres",
                        quantity=2,
                    )
                ]
            },
        )
        assert response.status_code == 200, response.text
        bangkok, chiang_rai = new_id(), new_id()
        await settle(
            app,
            [
                (HOMELESS, "10", bangkok, "under_construction"),
                (HOMELESS, "10", bangkok, "under_construction"),
                (HOMELESS, "57", chiang_rai, "under_construction"),
            ],
        )
        (total,) = (await report(client, unit="centres", level="country"))["totals"]
        assert (total["target"], total["started"], total["completed"]) == (2, 2, 0)

"""The query API: any cut of programme × fiscal years × area, with chosen measures."""

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_factories import BAAN_PHO_PHIANG, NOV_2018, apply_events, households, target


async def query(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    return await client.get("/v1/query", params=params)


class TestQuery:
    async def test_a_series_across_fiscal_years_with_only_the_measures_asked_for(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await client.put(
            "/v1/targets",
            json={
                "targets": [
                    target(period="year", quantity=4),
                    target(period="year", fiscal_year=2563, quantity=10),
                ]
            },
        )
        await apply_events(app, households(5, "completed", start=NOV_2018))
        next_year = datetime(2019, 11, 4, 2, 0, tzinfo=UTC)  # FY 2563
        await apply_events(app, households(2, "completed", start=next_year))
        response = await query(
            client,
            fiscal_year=[2562, 2563],
            measures=["target", "completed", "completed_percent"],
            level="province",
            programme=BAAN_PHO_PHIANG,
        )
        assert response.status_code == 200, response.text
        cells = response.json()["cells"]
        assert [
            (c["fiscal_year"], c["area_name_en"], c["period_label_en"], c["measures"])
            for c in cells
        ] == [
            (
                2562,
                "Chiang Rai",
                "FY2019",
                {"target": 4, "completed": 5, "completed_percent": 125.0},
            ),
            (
                2563,
                "Chiang Rai",
                "FY2020",
                {"target": 10, "completed": 2, "completed_percent": 20.0},
            ),
        ]
        assert response.json()["as_of"] is not None

    async def test_an_unknown_measure_or_a_common_era_year_names_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await query(client, fiscal_year=2562, measures="happiness")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"].startswith("query.measures")
        response = await query(client, fiscal_year=[2562, 2019], measures="completed")
        assert response.status_code == 422
        # The error names the year that is not B.E., the second one.
        assert [e["field"] for e in response.json()["errors"]] == ["query.fiscal_year.1"]
        response = await query(client, fiscal_year=2562, measures="completed", region="XX")
        assert response.status_code == 404

    async def test_coverage_measures_count_distinct_subdistricts(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, households(3, "completed", start=NOV_2018))
        response = await query(
            client, fiscal_year=2562, measures=["completed", "subdistricts_reached"]
        )
        assert response.status_code == 200, response.text
        (cell,) = response.json()["cells"]
        assert cell["measures"] == {"completed": 3, "subdistricts_reached": 1}

"""Targets for a client bound to areas (docs/adr/0003-partner-access.md): a provincial
office reads its provinces' targets, never a region's or the country's, and only a
national client sets them."""

from typing import Any

import httpx
import pytest
from conftest import ClientFor
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES
from reporting_factories import BAAN_PHO_PHIANG, NOV_2018, apply_events, households, target

from baan_shared.auth.scopes import ADMIN, REPORTS_READ, REPORTS_WRITE

# FY 2562 H1 targets: Chiang Rai (57) and Chiang Mai (50) in the North, Bangkok (10)
# in BVE, the North and BVE as regions, and the country.
PLAN = [
    target(quantity=3),
    target(area_code="50", quantity=20),
    target(area_code="10", quantity=40),
    target(area_level="region", area_code="N", quantity=500),
    target(area_level="region", area_code="BVE", quantity=600),
    target(area_level="country", area_code="TH", quantity=9_000),
]


@pytest.fixture
async def planned(app: FastAPI, client: httpx.AsyncClient) -> FastAPI:
    response = await client.put("/v1/targets", json={"targets": PLAN})
    assert response.status_code == 200, response.text
    # Two households completed in Chiang Rai, one in Bangkok.
    await apply_events(app, households(2, "completed", start=NOV_2018, province="57"))
    await apply_events(app, households(1, "completed", start=NOV_2018, province="10"))
    return app


async def _get(http: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _rows(report: dict[str, Any], key: str = "rows") -> list[tuple[Any, ...]]:
    return [(r["area_code"], r["target"], r["completed"]) for r in report[key]]


class TestReadingTargets:
    async def test_a_provincial_office_lists_only_its_provinces_targets(
        self, planned: FastAPI, chiang_rai_client: httpx.AsyncClient, client: httpx.AsyncClient
    ) -> None:
        mine = await _get(chiang_rai_client, "/v1/targets")
        assert [(t["area_level"], t["area_code"]) for t in mine["targets"]] == [("province", "57")]
        everything = await _get(client, "/v1/targets")
        assert len(everything["targets"]) == len(PLAN)

    async def test_its_region_row_is_its_own_provinces_target_and_achievement(
        self, planned: FastAPI, chiang_rai_client: httpx.AsyncClient, client: httpx.AsyncClient
    ) -> None:
        query = {"fiscal_year": 2562, "period": "h1", "programme": BAAN_PHO_PHIANG}
        mine = await _get(chiang_rai_client, "/v1/reports/targets", **query)
        # One row, its own region; the North's target (500) is not Chiang Rai's figure.
        assert _rows(mine) == [("N", 3, 2)]
        assert _rows(mine, "totals") == [("TH", 3, 2)]
        national = await _get(client, "/v1/reports/targets", **query)
        assert ("N", 500, 2) in _rows(national)
        assert _rows(national, "totals") == [("TH", 9_000, 3)]

    async def test_by_province_it_gets_its_province_only(
        self, planned: FastAPI, chiang_rai_client: httpx.AsyncClient
    ) -> None:
        mine = await _get(
            chiang_rai_client,
            "/v1/reports/targets",
            fiscal_year=2562,
            period="h1",
            level="province",
        )
        assert _rows(mine) == [("57", 3, 2)]
        north = await _get(
            chiang_rai_client,
            "/v1/reports/targets",
            fiscal_year=2562,
            period="h1",
            level="province",
            region="N",
        )
        assert _rows(north) == [("57", 3, 2)]  # not Chiang Mai's 20
        assert _rows(north, "totals") == [("N", 3, 2)]

    async def test_a_district_office_has_no_target_a_province_target_is_not_its_figure(
        self, planned: FastAPI, client_for: ClientFor
    ) -> None:
        async with client_for("mueang-chiang-rai", NATIONAL_SCOPES, ["5701"]) as district:
            listed = await _get(district, "/v1/targets")
            report = await _get(
                district, "/v1/reports/targets", fiscal_year=2562, period="h1", level="district"
            )
        assert listed["targets"] == []
        assert _rows(report) == [("5701", None, 2)]

    async def test_the_query_api_gives_the_same_targets(
        self, planned: FastAPI, chiang_rai_client: httpx.AsyncClient
    ) -> None:
        body = await _get(
            chiang_rai_client,
            "/v1/query",
            fiscal_year=2562,
            period="h1",
            level="region",
            measures=["target", "completed"],
        )
        assert [(c["area_code"], c["measures"]) for c in body["cells"]] == [
            ("N", {"target": 3, "completed": 2})
        ]


class TestSettingTargets:
    async def test_a_provincial_office_may_not_set_targets_even_its_own(
        self, app: FastAPI, chiang_rai_client: httpx.AsyncClient, client: httpx.AsyncClient
    ) -> None:
        response = await chiang_rai_client.put("/v1/targets", json={"targets": [target()]})
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        [error] = response.json()["errors"]
        assert error["field"] == "body.targets"
        assert "national" in error["reason"]
        assert (await _get(client, "/v1/targets"))["targets"] == []

    async def test_an_admin_client_sets_targets(
        self, app: FastAPI, client_for: ClientFor, client: httpx.AsyncClient
    ) -> None:
        # ``admin`` means every area (it does not replace reports:write).
        async with client_for("planner", [ADMIN, REPORTS_READ, REPORTS_WRITE], []) as admin:
            response = await admin.put("/v1/targets", json={"targets": [target()]})
        assert response.status_code == 200, response.text
        assert len((await _get(client, "/v1/targets"))["targets"]) == 1

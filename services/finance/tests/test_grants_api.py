"""Reading grants over HTTP: filters, pages, and problems for what does not exist."""

import uuid

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import construction_started, household_approved

from baan_shared.ids import new_id
from baan_testkit.delivery import deliver


async def _grant(app: FastAPI, **overrides: object) -> uuid.UUID:
    household_id = new_id()
    await deliver(app, household_approved(household_id, **overrides))
    return household_id


pytestmark = pytest.mark.usefixtures("funded")


class TestListing:
    async def test_filters_by_programme_province_and_household(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        canal = str(await _grant(app))
        rural = str(
            await _grant(
                app,
                programme="BAAN_PHO_PHIANG",
                province_code="57",
                district_code="5701",
                subdistrict_code="570101",
                estimated_cost_satang=2_000_000,
            )
        )

        def households(page: httpx.Response) -> list[str]:
            assert page.status_code == 200, page.text
            return [g["household_id"] for g in page.json()["items"]]

        assert households(await client.get("/v1/grants", params={"programme": "CANAL"})) == [canal]
        assert households(await client.get("/v1/grants", params={"province_code": "57"})) == [rural]
        assert households(await client.get("/v1/grants", params={"household_id": rural})) == [rural]
        assert households(await client.get("/v1/grants", params={"status": "approved"})) == [
            canal,
            rural,
        ]

    async def test_cursor_pages_through_every_grant_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        for _ in range(5):
            await _grant(app)
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/grants", params=params)).json()
            seen += [g["id"] for g in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 5

    async def test_a_bad_filter_is_a_422_naming_the_field(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/grants", params={"province_code": "Bangkok"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["query.province_code"]


class TestReading:
    async def test_a_grant_shows_its_disbursements(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = await _grant(app)
        await deliver(app, construction_started(household_id))
        grant_id = (await client.get(f"/v1/grants/by-household/{household_id}")).json()["grant_id"]
        detail = (await client.get(f"/v1/grants/{grant_id}")).json()
        assert detail["amount_satang"] == 14_700_000
        assert detail["disbursed_satang"] == 5_880_000
        assert detail["outstanding_satang"] == 8_820_000
        assert detail["status"] == "disbursing"
        [tranche] = detail["disbursements"]
        assert tranche["tranche"] == 1
        assert tranche["stage"] == "house.construction_started"

    async def test_unknown_grant_is_404_problem_json(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/v1/grants/{new_id()}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_household_without_a_grant_is_404_problem_json(
        self, client: httpx.AsyncClient
    ) -> None:
        household = new_id()
        response = await client.get(f"/v1/grants/by-household/{household}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        # The one text of a missing record (issue 14: another area's says the same).
        assert response.json()["detail"] == f"household {household}'s grant does not exist"

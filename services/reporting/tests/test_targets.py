"""Targets: set per programme × fiscal year or half × area × unit, read back, checked whole."""

from typing import Any

import httpx
from reporting_factories import CANAL, target


async def put(client: httpx.AsyncClient, *targets: dict[str, Any]) -> httpx.Response:
    return await client.put("/v1/targets", json={"targets": list(targets)})


async def all_targets(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/targets", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["targets"]
    return found


class TestSettingTargets:
    async def test_a_target_set_is_read_back_with_the_area_named_in_thai_and_english(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(client, target())
        assert response.status_code == 200, response.text
        [stored] = await all_targets(client)
        assert stored["quantity"] == 11_500
        assert (stored["area_name_th"], stored["area_name_en"]) == ("เชียงราย", "Chiang Rai")

    async def test_setting_the_same_target_again_replaces_its_quantity(
        self, client: httpx.AsyncClient
    ) -> None:
        await put(client, target(quantity=11_500))
        await put(client, target(quantity=12_000))
        assert [t["quantity"] for t in await all_targets(client)] == [12_000]

    async def test_targets_for_region_country_and_other_units_live_side_by_side(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(
            client,
            target(area_level="region", area_code="N", quantity=40_000),
            target(area_level="country", area_code="TH", period="year", quantity=60_000),
            target(unit="subdistricts", quantity=120),
            target(programme=CANAL, area_code="10", quantity=7_069),
        )
        assert response.status_code == 200, response.text
        north = await all_targets(client, area_level="region", area_code="N")
        assert [(t["area_name_en"], t["quantity"]) for t in north] == [("North", 40_000)]
        assert len(await all_targets(client)) == 4
        assert [t["quantity"] for t in await all_targets(client, programme=CANAL)] == [7_069]

    async def test_filters_narrow_the_list_to_one_fiscal_year_and_period(
        self, client: httpx.AsyncClient
    ) -> None:
        await put(client, target(fiscal_year=2562), target(fiscal_year=2563, period="year"))
        found = await all_targets(client, fiscal_year=2563, period="year")
        assert [(t["fiscal_year"], t["period"]) for t in found] == [(2563, "year")]


class TestBadTargets:
    async def expect_nothing_set(
        self, client: httpx.AsyncClient, response: httpx.Response, field: str
    ) -> None:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]]
        assert await all_targets(client) == []

    async def test_a_unit_the_programme_does_not_count_in_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(client, target(), target(area_code="50", unit="persons"))
        await self.expect_nothing_set(client, response, "body.targets.1.unit")

    async def test_an_unknown_province_or_region_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(client, target(area_code="99"))
        await self.expect_nothing_set(client, response, "body.targets.0.area_code")
        response = await put(client, target(area_level="region", area_code="XX"))
        await self.expect_nothing_set(client, response, "body.targets.0.area_code")

    async def test_targets_below_province_level_are_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(client, target(area_level="district", area_code="5701"))
        await self.expect_nothing_set(client, response, "body.targets.0.area_level")

    async def test_the_same_target_twice_in_one_request_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(client, target(quantity=1), target(quantity=2))
        await self.expect_nothing_set(client, response, "body.targets.1")

    async def test_a_negative_quantity_or_a_year_in_the_common_era_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await put(client, target(quantity=-1))
        await self.expect_nothing_set(client, response, "body.targets.0.quantity")
        response = await put(client, target(fiscal_year=2019))
        await self.expect_nothing_set(client, response, "body.targets.0.fiscal_year")

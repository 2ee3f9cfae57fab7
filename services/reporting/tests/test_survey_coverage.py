"""Tambon coverage in reporting: an area is surveyed when every tambon in it is."""

from datetime import UTC, datetime
from typing import Any

import geothai
import httpx
from fastapi import FastAPI
from reporting_factories import apply_events

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import TambonCoverageChanged
from baan_testkit.events import cloud_event

RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


def changed(code: str, whole: bool, *, hour: int = 9, households: int = 10) -> CloudEvent:
    data = TambonCoverageChanged(
        province_code=code[:2],
        district_code=code[:4],
        subdistrict_code=code,
        communities=2,
        communities_surveyed=2 if whole else 1,
        households_surveyed=households,
        households_in_area=20,
        whole_tambon_surveyed=whole,
        as_of=datetime(2026, 11, 20, hour, tzinfo=UTC),
    )
    return cloud_event(data)


async def rows(client: httpx.AsyncClient, **params: Any) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/reports/survey-coverage", params=params)
    assert response.status_code == 200, response.text
    return {row["area_code"]: row for row in response.json()["rows"]}


async def test_a_district_is_surveyed_once_all_its_tambons_are_and_late_events_change_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    district = "5701"
    tambons = [s.code for s in geothai.subdistricts(district)]
    await apply_events(app, [changed(code, True) for code in tambons[:-1]])
    await apply_events(app, [changed(tambons[-1], False, hour=8)])
    found = (await rows(client, level="district", province_code="57"))[district]
    assert (found["tambons"], found["tambons_surveyed_whole"]) == (len(tambons), len(tambons) - 1)
    assert found["whole_area_surveyed"] is False
    await apply_events(app, [changed(tambons[-1], True, hour=10, households=20)])
    await apply_events(app, [changed(tambons[-1], False, hour=9)])  # older: ignored
    found = (await rows(client, level="district", province_code="57"))[district]
    assert found["whole_area_surveyed"] is True
    assert found["households_surveyed"] == 10 * (len(tambons) - 1) + 20
    province = (await rows(client, level="province"))["57"]
    assert province["whole_area_surveyed"] is False
    assert province["tambons_surveyed_whole"] == len(tambons)


async def test_a_provincial_office_sees_only_its_province(
    app: FastAPI, chiang_rai_client: httpx.AsyncClient
) -> None:
    await apply_events(app, [changed("570101", True), changed("103801", True)])
    assert set(await rows(chiang_rai_client, level="province")) == {"57"}
    assert (await rows(chiang_rai_client, level="country"))["TH"]["tambons_surveyed_whole"] == 1

"""The long view: historical records added to what the platform counted, places once."""

from typing import Any

import httpx
from fastapi import FastAPI
from reporting_factories import Household, apply_events, journey

from baan_shared.ids import new_id

RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


def record(programme: str, year: int, kind: str, key: str, **figures: Any) -> dict[str, Any]:
    return {
        "programme": programme,
        "fiscal_year": year,
        "place_kind": kind,
        "place_key": key,
        "source": "รายงานประจำปี",
        **figures,
    }


async def load(client: httpx.AsyncClient, items: list[dict[str, Any]]) -> httpx.Response:
    return await client.put("/v1/historical-achievements", json={"items": items})


async def cumulative(client: httpx.AsyncClient, first: int, last: int) -> dict[str, Any]:
    response = await client.get(
        "/v1/reports/cumulative", params={"from_year": first, "to_year": last}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_history_and_platform_add_up_and_a_tambon_in_both_counts_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    loaded = await load(
        client,
        [
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "570101", households=40),
            record("BAAN_PHO_PHIANG", 2561, "subdistrict", "570101", households=10),
            record("BAAN_PHO_PHIANG", 2561, "subdistrict", "400101", households=5),
            record("HOMELESS", 2562, "centre", "ศูนย์เชียงใหม่", persons=120),
            record("EMERGENCY", 2565, "none", "ไฟไหม้ 2565", households=9),
            record("BAAN_MANKONG", 2546, "community", "ชุมชนบ่อนไก่", households=30),
        ],
    )
    assert loaded.status_code == 200, loaded.text
    # One rural household completed on the platform in FY 2568, in tambon 570101 too.
    await apply_events(app, journey("completed", household=Household(province_code="57")))

    report = await cumulative(client, 2546, 2568)
    rows = {row["programme"]: row for row in report["rows"]}
    rural = rows["BAAN_PHO_PHIANG"]
    assert (rural["tambons"], rural["households"], rural["reached"]) == (2, 56, 56)
    assert (rural["historical"]["households"], rural["platform"]["households"]) == (55, 1)
    assert (rows["HOMELESS"]["centres"], rows["HOMELESS"]["reached"]) == (1, 120)
    assert rows["HOMELESS"]["unit"] == "persons"
    assert rows["BAAN_MANKONG"]["communities"] == 1
    assert report["total"] == 56 + 120 + 9 + 30

    # From 2561 to 2565 only: the 2560 record, the 2546 one and the platform's are out.
    narrower = {r["programme"]: r for r in (await cumulative(client, 2561, 2565))["rows"]}
    assert narrower["BAAN_PHO_PHIANG"]["households"] == 15
    assert "BAAN_MANKONG" not in narrower


async def test_loading_the_same_records_twice_counts_them_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    items = [record("CANAL", 2562, "community", "ชุมชนริมคลองลาดพร้าว", households=70)]
    await load(client, items)
    await load(client, items)
    report = await cumulative(client, 2546, 2565)
    assert report["total"] == 70


async def test_bad_records_are_422_naming_the_field_and_nothing_is_loaded(
    client: httpx.AsyncClient,
) -> None:
    response = await load(
        client,
        [
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "570101", households=40),
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "579999", households=1),
            record("CANAL", 2560, "community", "x", households=-3),
        ],
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert "body.items.2.households" in fields
    response = await load(
        client,
        [
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "570101", households=40),
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "579999", households=1),
        ],
    )
    assert [e["field"] for e in response.json()["errors"]] == ["body.items.1.place_key"]
    assert (await cumulative(client, 2546, 2570))["rows"] == []
    backwards = await client.get(
        "/v1/reports/cumulative", params={"from_year": 2565, "to_year": 2546}
    )
    assert backwards.status_code == 422
    assert [e["field"] for e in backwards.json()["errors"]] == ["query.to_year"]


async def test_a_provincial_office_reads_only_its_provinces_and_cannot_load_history(
    app: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    await load(
        client,
        [
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "570101", households=40),
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "400101", households=7),
            record("EMERGENCY", 2565, "none", "ทั้งประเทศ", households=9),
        ],
    )
    rows = (await cumulative(chiang_rai_client, 2546, 2565))["rows"]
    assert [(r["programme"], r["households"]) for r in rows] == [("BAAN_PHO_PHIANG", 40)]
    refused = await load(
        chiang_rai_client, [record("CANAL", 2562, "community", str(new_id()), households=1)]
    )
    assert refused.status_code == 403
    assert (await cumulative(client, 2546, 2565))["total"] == 56


async def test_the_cumulative_report_exports_with_thai_headers_and_the_total(
    client: httpx.AsyncClient,
) -> None:
    await load(client, [record("HOMELESS", 2562, "centre", "ศูนย์ขอนแก่น", persons=100)])
    response = await client.get(
        "/v1/reports/cumulative/export", params={"from_year": 2546, "to_year": 2565}
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("โครงการ / Programme")
    assert lines[-1].endswith(",100")

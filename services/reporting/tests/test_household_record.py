"""One household's record (GET /v1/reports/households/{household_id}): what reporting
knows of a household the drill-down lists, on SQLite and on PostgreSQL.

Every household a list shows links to its record; a client bound to areas gets for
another area's household exactly what a random id gets (docs/adr/0003).
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES
from reporting_factories import CANAL_GRANT, Household, apply_events, journey

from baan_testkit.auth import ClientFor

START = datetime(2018, 11, 5, 3, 0, tzinfo=UTC)  # FY 2562


RUN_ON_BOTH_DATABASES = True  # conftest runs each test on SQLite, then PostgreSQL


CHIANG_RAI = Household(programme="BAAN_PHO_PHIANG", province_code="57", fiscal_year=2562)
BANGKOK = Household(programme="CANAL", province_code="10", fiscal_year=2562)


@pytest.fixture
async def two_provinces(app: FastAPI) -> FastAPI:
    """A completed Chiang Rai household and a Bangkok canal household under construction."""
    await apply_events(app, journey("completed", household=CHIANG_RAI, start=START))
    await apply_events(
        app,
        journey(
            "under_construction",
            household=BANGKOK,
            start=START + timedelta(days=3),
            grant_satang=CANAL_GRANT,
        ),
    )
    return app


async def _record(client: httpx.AsyncClient, household_id: object) -> dict[str, Any]:
    response = await client.get(f"/v1/reports/households/{household_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_household_of_the_list_opens_as_its_record_with_areas_stage_dates_and_money(
    two_provinces: FastAPI, client: httpx.AsyncClient
) -> None:
    listed = (await client.get("/v1/reports/households", params={"stage": "completed"})).json()
    [item] = listed["items"]
    record = await _record(client, item["household_id"])
    assert record["household_id"] == str(CHIANG_RAI.household_id)
    # What the list said of it, and more.
    assert {key: record[key] for key in item} == item
    assert (record["programme"], record["stage"], record["fiscal_year"]) == (
        "BAAN_PHO_PHIANG",
        "completed",
        2562,
    )
    assert record["region"] == "N" and record["region_name_th"] and record["region_name_en"]
    assert (record["province_name_th"], record["province_name_en"]) == ("เชียงราย", "Chiang Rai")
    assert record["district_code"] == "5701" and record["district_name_en"]
    assert record["subdistrict_code"] == "570101" and record["subdistrict_name_th"]
    assert record["household_size"] == 4
    # Each step dated: surveyed, approved, planned, ready, started, completed.
    for step in ("surveyed_at", "approved_on", "planned_at", "ready_at", "started_on"):
        assert record[step] is not None, step
    assert record["completed_on"].startswith("2018-11-05")
    assert record["cancelled_at"] is record["rejected_at"] is None
    # Its grant, paid in three tranches.
    assert record["grant_approved_satang"] == record["grant_paid_satang"] == 2_000_000
    assert [
        (g["amount_satang"], g["disbursed_satang"], g["tranches_paid"]) for g in record["grants"]
    ] == [(2_000_000, 2_000_000, 3)]
    assert record["household_path"] == f"/v1/households/{CHIANG_RAI.household_id}"
    assert record["as_of"] is not None
    # Reporting holds no personal data: nothing to mask, nothing to leak.
    assert not {"national_id", "head_name", "name", "phone"} & set(record)

    building = await _record(client, BANGKOK.household_id)
    assert (building["programme"], building["stage"]) == ("CANAL", "under_construction")
    assert building["completed_on"] is None
    assert building["grant_approved_satang"] == CANAL_GRANT
    assert building["grant_paid_satang"] == CANAL_GRANT * 7 // 10  # two tranches of three
    assert building["progress_percent"] == 60


def _masked(response: httpx.Response, household_id: object) -> tuple[int, str, str]:
    return (
        response.status_code,
        response.headers["content-type"],
        response.text.replace(str(household_id), "<id>"),
    )


async def test_another_provinces_household_answers_as_a_random_id_does(
    two_provinces: FastAPI, client_for: ClientFor
) -> None:
    async with client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as chiang_rai:
        own = await chiang_rai.get(f"/v1/reports/households/{CHIANG_RAI.household_id}")
        elsewhere = await chiang_rai.get(f"/v1/reports/households/{BANGKOK.household_id}")
        nowhere_id = uuid.uuid4()
        nowhere = await chiang_rai.get(f"/v1/reports/households/{nowhere_id}")
    assert own.status_code == 200
    assert own.json()["province_code"] == "57"
    assert _masked(elsewhere, BANGKOK.household_id) == _masked(nowhere, nowhere_id)
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"] == "application/problem+json"
    assert "Bangkok" not in elsewhere.text and "CANAL" not in elsewhere.text
    # A district office of another district of Chiang Rai does not see it either.
    async with client_for("mae-chan-office", NATIONAL_SCOPES, ["5702"]) as mae_chan:
        other_district = await mae_chan.get(f"/v1/reports/households/{CHIANG_RAI.household_id}")
        random_id = await mae_chan.get(f"/v1/reports/households/{nowhere_id}")
    assert _masked(other_district, CHIANG_RAI.household_id) == _masked(random_id, nowhere_id)


async def test_a_malformed_id_is_a_422_naming_the_path_parameter(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.get("/v1/reports/households/not-an-id")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "path.household_id"

"""Revolving-fund measures in the query API: each programme × area cell carries what the
money report shows for that programme's funds (those serving it or the place as a whole),
at any level it can place them, the same in every year asked for, and only in the
caller's areas."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES
from reporting_factories import BAAN_PHO_PHIANG, NOV_2018, apply_events, households
from test_revolving_fund_money import BAHT, OPENED_AT, Fund

from baan_shared.reference import Programme

FUND_MEASURES = [
    "revolving_funds",
    "revolving_fund_balance_satang",
    "revolving_fund_in_satang",
    "revolving_fund_out_satang",
]
HELD = 33_000 * BAHT  # what Fund.story() leaves in a fund: 53,000 in, 20,000 out


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, database_url: Callable[[], str]
) -> Callable[[], str]:
    """On SQLite and PostgreSQL, like the other query tests' SQL."""
    if request.param == "sqlite":
        return database_url
    make_database = request.getfixturevalue("make_postgres_database")
    return lambda: str(make_database("reporting"))


async def query(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/query", params={"fiscal_year": 2562, **params})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def balances(result: dict[str, Any]) -> dict[tuple[str, str | None], int]:
    return {
        (c["programme"], c["area_code"]): c["measures"]["revolving_fund_balance_satang"]
        for c in result["cells"]
    }


class TestFundMeasures:
    async def test_a_programmes_cell_holds_its_own_funds_and_the_places_not_anothers(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        rural = Fund(programme=BAAN_PHO_PHIANG)
        place = Fund(subdistrict_code="570102")
        canal = Fund(subdistrict_code="570103", programme="CANAL")
        await apply_events(app, [*rural.story(), *place.story(), *canal.story()])
        await apply_events(app, [canal.moved("loan", -5_000 * BAHT)])
        result = await query(
            client, measures=FUND_MEASURES, level="province", programme=BAAN_PHO_PHIANG
        )
        [cell] = result["cells"]
        assert (cell["programme"], cell["area_code"]) == (BAAN_PHO_PHIANG, "57")
        assert cell["measures"] == {
            "revolving_funds": 2,
            "revolving_fund_balance_satang": 2 * HELD,
            "revolving_fund_in_satang": 2 * 53_000 * BAHT,
            "revolving_fund_out_satang": 2 * 20_000 * BAHT,
        }
        canal_cells = await query(
            client, measures=["revolving_fund_balance_satang"], level="province", programme="CANAL"
        )
        assert balances(canal_cells) == {("CANAL", "57"): HELD + (HELD - 5_000 * BAHT)}

    async def test_without_a_programme_a_places_fund_is_in_every_programmes_cell(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, [*Fund().story(), *Fund(programme="CANAL").story()])
        result = await query(client, measures=["revolving_fund_balance_satang"], level="region")
        assert balances(result) == {
            (programme.value, "N"): 2 * HELD if programme == Programme.CANAL else HELD
            for programme in Programme
        }

    async def test_fund_measures_sit_beside_the_programmes_own_in_one_cell(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, households(3, "completed", start=NOV_2018))
        await apply_events(app, Fund().story())
        result = await query(
            client,
            measures=["completed", "revolving_fund_balance_satang"],
            level="province",
            programme=BAAN_PHO_PHIANG,
        )
        assert [(c["area_code"], c["measures"]) for c in result["cells"]] == [
            ("57", {"completed": 3, "revolving_fund_balance_satang": HELD})
        ]

    async def test_a_balance_is_a_stock_the_same_in_every_year_asked_for(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, Fund().story())
        result = await query(
            client,
            fiscal_year=[2562, 2569],
            measures=["revolving_fund_balance_satang"],
            level="province",
            programme=BAAN_PHO_PHIANG,
            period="h2",
        )
        assert [
            (c["fiscal_year"], c["measures"]["revolving_fund_balance_satang"])
            for c in result["cells"]
        ] == [(2562, HELD), (2569, HELD)]

    async def test_funds_split_by_sub_district_and_a_community_fund_has_no_district(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(
            app,
            [
                *Fund().story(),
                *Fund(subdistrict_code="570201").story(),
                *Fund(subdistrict_code=None).story(),  # a community's: names its province
                *Fund(province_code="10", subdistrict_code="103801").story(),
            ],
        )
        asked = {"measures": FUND_MEASURES, "programme": BAAN_PHO_PHIANG, "province_code": "57"}
        by_tambon = await query(client, level="subdistrict", **asked)
        assert balances(by_tambon) == {
            (BAAN_PHO_PHIANG, "570101"): HELD,
            (BAAN_PHO_PHIANG, "570201"): HELD,
            (BAAN_PHO_PHIANG, None): HELD,
        }
        names = {c["area_code"]: c["area_name_en"] for c in by_tambon["cells"]}
        assert names["570101"] is not None and names[None] is None
        by_district = await query(client, level="district", **asked)
        assert balances(by_district) == {
            (BAAN_PHO_PHIANG, "5701"): HELD,
            (BAAN_PHO_PHIANG, "5702"): HELD,
            (BAAN_PHO_PHIANG, None): HELD,
        }
        country = await query(
            client, measures=["revolving_funds"], level="country", programme=BAAN_PHO_PHIANG
        )
        assert [c["measures"]["revolving_funds"] for c in country["cells"]] == [4]

    async def test_within_one_district_names_the_field_it_cannot_honour(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(
            "/v1/query",
            params={
                "fiscal_year": 2562,
                "measures": "revolving_fund_balance_satang",
                "province_code": "57",
                "district_code": "5701",
            },
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        assert (error["field"], error["code"]) == ("query.district_code", "money_scope")
        assert "revolving-fund" in error["reason"]


class TestAreas:
    async def test_a_provincial_office_gets_its_own_funds_only_and_its_own_as_of(
        self, app: FastAPI, chiang_rai_client: httpx.AsyncClient
    ) -> None:
        bangkok = Fund(province_code="10", subdistrict_code="103801")
        await apply_events(app, [*Fund().story(), *bangkok.story()])
        await apply_events(app, [bangkok.moved("deposit", 1_000 * BAHT)])
        asked = {"measures": FUND_MEASURES, "programme": BAAN_PHO_PHIANG}
        result = await query(chiang_rai_client, level="province", **asked)
        assert balances(result) == {(BAAN_PHO_PHIANG, "57"): HELD}
        # Bangkok's later movement is none of its freshness.
        assert datetime.fromisoformat(result["as_of"]) == OPENED_AT + timedelta(hours=3)
        country = await query(chiang_rai_client, level="country", **asked)
        assert [c["measures"]["revolving_funds"] for c in country["cells"]] == [1]
        asking_for_bangkok = await query(
            chiang_rai_client, level="province", province_code="10", **asked
        )
        assert asking_for_bangkok["cells"] == []

    async def test_a_district_office_gets_its_tambons_funds_not_a_community_fund_it_cannot_place(
        self, app: FastAPI, client_for: Any
    ) -> None:
        await apply_events(
            app,
            [
                *Fund().story(),
                *Fund(subdistrict_code="570201").story(),
                *Fund(subdistrict_code=None).story(),
            ],
        )
        async with client_for("mueang-chiang-rai", NATIONAL_SCOPES, ["5701"]) as district:
            result = await query(
                district,
                measures=["revolving_fund_balance_satang"],
                level="subdistrict",
                programme=BAAN_PHO_PHIANG,
            )
        assert balances(result) == {(BAAN_PHO_PHIANG, "570101"): HELD}

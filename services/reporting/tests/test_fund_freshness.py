"""An area-bound caller's freshness counts its revolving funds and welfare funds: a
fund's movement in its areas moves its ``as_of``, another province's fund does not."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES
from reporting_factories import apply_events
from reporting_welfare_events import Fund as WelfareFund
from test_revolving_fund_money import BAHT, OPENED_AT, Fund

from baan_shared.events import CloudEvent


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, database_url: Callable[[], str]
) -> Callable[[], str]:
    """On SQLite and PostgreSQL: the caller's areas are a WHERE clause in either."""
    if request.param == "sqlite":
        return database_url
    make_database = request.getfixturevalue("make_postgres_database")
    return lambda: str(make_database("reporting"))


async def as_of(client: httpx.AsyncClient, path: str = "/v1/reports/freshness") -> Any:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    found = response.json()["as_of"]
    return None if found is None else datetime.fromisoformat(found)


async def test_a_funds_movement_is_the_freshness_of_the_office_it_lies_in(
    app: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    chiang_rai, bangkok = Fund(), Fund(province_code="10", subdistrict_code="103801")
    await apply_events(app, [*chiang_rai.story(), *bangkok.story()])
    # Bangkok's fund moves once more, an hour after Chiang Rai's last movement.
    await apply_events(app, [bangkok.moved("deposit", 1_000 * BAHT)])
    chiang_rai_last = OPENED_AT + timedelta(hours=3)

    # Funds are the only rows in Chiang Rai: without them it would have no as_of.
    assert await as_of(chiang_rai_client) == chiang_rai_last
    money = "/v1/reports/money?level=province"
    assert await as_of(chiang_rai_client, money) == chiang_rai_last
    assert await as_of(client) == chiang_rai_last + timedelta(hours=1)

    await apply_events(app, [chiang_rai.moved("repayment", 500 * BAHT)])
    assert await as_of(chiang_rai_client) == chiang_rai_last + timedelta(hours=1)


async def test_an_office_with_no_fund_in_its_areas_gets_no_as_of_from_others_funds(
    app: FastAPI, client_for: Any
) -> None:
    await apply_events(app, Fund().story())  # tambon 570101, district 5701
    async with client_for("phuket-office", NATIONAL_SCOPES, ["83"]) as phuket:
        assert await as_of(phuket) is None
    async with client_for("mae-chan", NATIONAL_SCOPES, ["5705"]) as other_district:
        assert await as_of(other_district) is None
    async with client_for("mueang-chiang-rai", NATIONAL_SCOPES, ["5701"]) as district:
        assert await as_of(district) == OPENED_AT + timedelta(hours=3)


def _at(events: list[CloudEvent], when: datetime) -> list[CloudEvent]:
    return [event.model_copy(update={"time": when}) for event in events]


async def test_a_welfare_funds_events_are_the_freshness_of_the_office_it_lies_in(
    app: FastAPI, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    chiang_rai, bangkok = WelfareFund("570101"), WelfareFund("103801")
    member, joined = chiang_rai.join(date(2024, 11, 1))
    dues = chiang_rai.movement("contribution", 36_500, date(2025, 1, 31))
    await apply_events(app, _at([chiang_rai.registered(), joined, dues], OPENED_AT))
    helped = chiang_rai.benefit(member, 10_000, date(2025, 2, 1))
    await apply_events(app, _at(helped, OPENED_AT + timedelta(hours=1)))
    await apply_events(app, _at([bangkok.registered()], OPENED_AT + timedelta(hours=2)))

    # Welfare's fund is the only row in Chiang Rai: without it there would be no as_of.
    assert await as_of(chiang_rai_client) == OPENED_AT + timedelta(hours=1)
    welfare = "/v1/reports/welfare?level=province"
    assert await as_of(chiang_rai_client, welfare) == OPENED_AT + timedelta(hours=1)
    assert await as_of(client, welfare) == OPENED_AT + timedelta(hours=2)
    # The national freshness report marks welfare's streams as it marks the others.
    marks = {
        mark["stream"]: mark
        for mark in (await client.get("/v1/reports/freshness")).json()["streams"]
    }
    assert {
        stream: (
            datetime.fromisoformat(marks[stream]["last_event_time"]),
            marks[stream]["events_applied"],
        )
        for stream in ("welfare.funds", "welfare.members", "welfare.benefits")
    } == {
        "welfare.funds": (OPENED_AT + timedelta(hours=2), 4),  # 2 registered, 2 movements
        "welfare.members": (OPENED_AT, 1),
        "welfare.benefits": (OPENED_AT + timedelta(hours=1), 1),
    }
    # An event older than the fund's latest (redelivered late) does not move it back.
    late = chiang_rai.movement("other_income", 500, date(2025, 1, 2))
    await apply_events(app, _at([late], OPENED_AT))
    assert await as_of(chiang_rai_client) == OPENED_AT + timedelta(hours=1)

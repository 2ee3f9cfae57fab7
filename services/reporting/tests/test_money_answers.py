"""The money report's kept answers (``reports.service.kept_answer``, as the progress
report's): the bytes its documented model gives, a new answer after any budget, grant
or loan event is projected, only the caller's areas, 304 for what a client holds.
On SQLite and PostgreSQL."""

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES
from reporting_factories import (
    BAAN_PHO_PHIANG,
    CANAL,
    NOV_2018,
    Household,
    allocation,
    apply_events,
    cloud_event,
    journey,
)

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import LoanApproved
from baan_shared.ids import new_id
from baan_testkit.auth import ClientFor
from reporting.money.schemas import MoneyReport

RUN_ON_BOTH_DATABASES = True

MONEY = "/v1/reports/money"
QUERIES: list[dict[str, Any]] = [
    {},
    {"level": "province"},
    {"fiscal_year": 2562, "level": "province"},
    {"programme": CANAL, "level": "district", "province_code": "10"},
    {"region": "N", "level": "province"},
]


def budget(province: str, amount: int) -> CloudEvent:
    return cloud_event(allocation("province", province, amount), time=NOV_2018)


def loan(province: str, principal: int) -> CloudEvent:
    district = {"10": "1038", "57": "5701"}[province]
    data = LoanApproved(
        loan_id=new_id(),
        borrower_type="household",
        borrower_id=new_id(),
        programme=CANAL,
        province_code=province,
        district_code=district,
        subdistrict_code=f"{district}01",
        principal_satang=principal,
        annual_interest_rate_bp=400,
        term_months=180,
        grace_months=0,
        repayment_method="annuity",
    )
    return cloud_event(data, time=NOV_2018 + timedelta(hours=1))


def books() -> list[CloudEvent]:
    """Budgets in both provinces, a loan in each, and households granted money."""
    events = [budget("57", 5_000_000), budget("10", 7_000_000), loan("10", 900_000)]
    events += loan("57", 400_000), *journey("completed", household=Household())
    events += journey("approved", household=Household(province_code="10", programme=CANAL))
    return events


async def _ok(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    response = await client.get(MONEY, params=params)
    assert response.status_code == 200, response.text
    return response


def _total(response: httpx.Response, figure: str) -> int:
    return sum(row[figure] for row in response.json()["totals"])


async def test_every_answer_is_the_json_its_documented_model_gives(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, books())
    for params in QUERIES:
        first, kept = await _ok(client, **params), await _ok(client, **params)
        document = MoneyReport.model_validate_json(first.content)
        assert first.content == document.model_dump_json().encode(), params
        assert first.headers["content-type"] == "application/json"
        assert kept.content == first.content
        assert kept.headers["etag"] == first.headers["etag"]
    everything = (await _ok(client, level="province")).json()
    assert {row["area_code"] for row in everything["rows"]} == {"10", "57"}


async def test_each_kind_of_money_event_projected_after_an_answer_is_in_the_next_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, books())
    before = await _ok(client)
    changes: list[tuple[list[CloudEvent], str, int]] = [
        ([budget("57", 250_000)], "budget_allocated_satang", 250_000),
        ([loan("10", 120_000)], "loan_principal_approved_satang", 120_000),
        ([loan("57", 80_000)], "loans", 1),
    ]
    for events, figure, grew_by in changes:
        await apply_events(app, events)
        after = await _ok(client)
        assert _total(after, figure) == _total(before, figure) + grew_by, figure
        assert after.headers["etag"] != before.headers["etag"]
        # A dashboard holding the old answer gets the new one, not "not modified".
        again = await client.get(MONEY, headers={"If-None-Match": before.headers["etag"]})
        assert again.status_code == 200
        assert again.content == after.content
        before = after
    reserved = _total(before, "grant_reserved_satang")
    await apply_events(app, journey("approved", household=Household(programme=BAAN_PHO_PHIANG)))
    assert _total(await _ok(client), "grant_reserved_satang") > reserved


async def test_a_client_holding_the_current_answer_is_told_it_is_not_modified(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, books())
    etag = (await _ok(client, level="province")).headers["etag"]
    again = await client.get(MONEY, params={"level": "province"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await client.get(MONEY, headers={"If-None-Match": etag})  # another query's
    assert other.status_code == 200


async def test_a_caller_bound_to_a_province_never_gets_anothers_kept_answer(
    app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    await apply_events(app, books())
    national = await _ok(client, level="province")  # kept first, for the whole country
    assert {row["area_code"] for row in national.json()["rows"]} == {"10", "57"}
    async with client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as chiang_rai:
        for _ in range(2):  # the first answer, then the kept one
            mine = await _ok(chiang_rai, level="province")
            assert {row["area_code"] for row in mine.json()["rows"]} == {"57"}
            assert _total(mine, "loans") == 1
        revalidated = await chiang_rai.get(
            MONEY, params={"level": "province"}, headers={"If-None-Match": national.headers["etag"]}
        )
        assert revalidated.status_code == 200
        assert revalidated.content == mine.content


async def test_a_bad_query_is_refused_after_good_ones_were_kept(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, books())
    await _ok(client, level="province")
    unknown = await client.get(MONEY, params={"region": "XX", "level": "province"})
    assert unknown.status_code == 404, unknown.text
    assert unknown.headers["content-type"] == "application/problem+json"

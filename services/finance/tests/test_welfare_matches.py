"""The agency's match of a welfare fund's contributions (``welfare_match.approved``,
issue 19), paid from the WELFARE_MATCH budget that covers the fund, once per match
request, on SQLite and PostgreSQL: a redelivered event or the same match in another
event books nothing more; a match no budget can pay waits with the reason and is
paid when money is allocated; a local administration's match is not finance's."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import BASE_URL, national_headers
from finance_factories import allocate

from baan_shared.clock import utcnow
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import WelfareMatchApproved
from baan_shared.fiscal import fiscal_year_at
from baan_testkit import auth as auth_testing
from baan_testkit.apps import ON_BOTH_DATABASES, running_app, service_settings
from baan_testkit.apps import database_url as fresh_database_url
from baan_testkit.delivery import deliver
from baan_testkit.events import cloud_event
from baan_testkit.outbox import outbox_events

FUND = uuid.UUID("0190c0de-0000-7000-8000-00000000f00d")
YEAR = fiscal_year_at(utcnow())


def match_approved(match_request_id: uuid.UUID, **overrides: Any) -> CloudEvent:
    data = WelfareMatchApproved(
        welfare_fund_id=FUND,
        province_code="10",
        district_code="1001",
        subdistrict_code="100101",
        match_request_id=match_request_id,
        matcher=overrides.pop("matcher", "agency"),
        period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31),
        amount_satang=overrides.pop("amount_satang", 3_650_000),
        approved_at=utcnow(),
        approved_by="CODI welfare desk",
    )
    return cloud_event(data, source="/services/welfare")


@pytest.fixture(params=ON_BOTH_DATABASES)
async def matches_app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    url = fresh_database_url(request, tmp_path, "finance")
    settings = service_settings("finance", tmp_path, database_url=url)
    async with running_app("finance", settings) as application:
        yield application


@pytest.fixture
async def http(matches_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with auth_testing.asgi_client(matches_app, BASE_URL, national_headers()) as client:
        yield client


async def _welfare_budget(app: FastAPI, amount_satang: int, **area: str) -> dict[str, Any]:
    return await allocate(
        app,
        programme="WELFARE_MATCH",
        fiscal_year=YEAR,
        area_level=area.get("area_level", "province"),
        area_code=area.get("area_code", "10"),
        amount_satang=amount_satang,
    )


async def _payments(http: httpx.AsyncClient, **query: str) -> list[dict[str, Any]]:
    answer = await http.get("/v1/welfare-match-payments", params=query)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def _expense(http: httpx.AsyncClient) -> int:
    balance = (await http.get("/v1/ledger/trial-balance")).json()
    assert balance["balanced"] is True
    rows = {row["code"]: row for row in balance["accounts"]}
    row = rows.get("welfare_match_expense")
    return 0 if row is None else int(row["debit_satang"]) - int(row["credit_satang"])


async def _budget(http: httpx.AsyncClient, budget_id: str) -> tuple[int, int, int]:
    budget = (await http.get(f"/v1/budgets/{budget_id}")).json()
    return budget["disbursed_satang"], budget["reserved_satang"], budget["free_satang"]


async def test_an_agency_match_is_paid_from_its_provinces_budget_once_however_often_it_arrives(
    matches_app: FastAPI, http: httpx.AsyncClient
) -> None:
    budget = await _welfare_budget(matches_app, 10_000_000)
    request_id = uuid.uuid4()
    event = match_approved(request_id)
    await deliver(matches_app, event)
    await deliver(matches_app, event)  # redelivered
    await deliver(matches_app, match_approved(request_id))  # the same match, another event
    (payment,) = await _payments(http)
    assert (payment["match_request_id"], payment["status"], payment["budget_id"]) == (
        str(request_id),
        "paid",
        budget["id"],
    )
    assert (payment["amount_satang"], payment["fiscal_year"]) == (3_650_000, YEAR)
    assert await _expense(http) == 3_650_000
    assert await _budget(http, budget["id"]) == (3_650_000, 0, 6_350_000)
    # Welfare hears it once: paid, when and how much, from which budget.
    (told,) = await outbox_events(matches_app, "welfare_match.paid")
    assert (told["match_request_id"], told["amount_satang"]) == (str(request_id), 3_650_000)
    assert (told["budget_id"], told["welfare_fund_id"]) == (budget["id"], str(FUND))
    assert told["paid_at"] is not None


async def test_a_match_no_budget_covers_waits_with_the_reason_and_is_paid_when_money_comes(
    matches_app: FastAPI, http: httpx.AsyncClient
) -> None:
    request_id = uuid.uuid4()
    await deliver(matches_app, match_approved(request_id))
    (waiting,) = await _payments(http, status="waiting")
    assert waiting["budget_id"] is None and waiting["journal_entry_id"] is None
    assert waiting["unpaid_reason"] == (
        f"no WELFARE_MATCH budget for FY {YEAR} covers welfare fund {FUND} in tambon 100101"
    )
    assert await _expense(http) == 0
    # Welfare hears that it waits, and why.
    (told,) = await outbox_events(matches_app, "welfare_match.waiting_for_budget")
    assert (told["match_request_id"], told["reason"]) == (str(request_id), waiting["unpaid_reason"])
    # Another province's budget does not cover the fund: it still waits (same reason:
    # welfare is not told again).
    await _welfare_budget(matches_app, 50_000_000, area_code="50")
    assert [p["status"] for p in await _payments(http)] == ["waiting"]
    assert len(await outbox_events(matches_app, "welfare_match.waiting_for_budget")) == 1
    budget = await _welfare_budget(matches_app, 5_000_000, area_level="district", area_code="1001")
    (paid,) = await _payments(http)
    assert (paid["status"], paid["budget_id"], paid["unpaid_reason"]) == (
        "paid",
        budget["id"],
        None,
    )
    assert await _budget(http, budget["id"]) == (3_650_000, 0, 1_350_000)
    # The event again (a replay) and more money: nothing is paid twice.
    await deliver(matches_app, match_approved(request_id))
    await _welfare_budget(matches_app, 5_000_000, area_level="district", area_code="1001")
    assert await _expense(http) == 3_650_000
    (told_paid,) = await outbox_events(matches_app, "welfare_match.paid")
    assert (told_paid["match_request_id"], told_paid["budget_id"]) == (
        str(request_id),
        budget["id"],
    )
    assert await _payments(http, status="waiting") == []


async def test_a_match_over_what_the_budget_has_free_waits_and_spends_nothing(
    matches_app: FastAPI, http: httpx.AsyncClient
) -> None:
    budget = await _welfare_budget(matches_app, 5_000_000)
    await deliver(matches_app, match_approved(uuid.uuid4(), amount_satang=3_000_000))
    await deliver(matches_app, match_approved(uuid.uuid4(), amount_satang=3_000_000))
    paid, waiting = await _payments(http)
    assert (paid["status"], waiting["status"]) == ("paid", "waiting")
    assert waiting["unpaid_reason"] == (
        f"the WELFARE_MATCH budget for FY {YEAR} in province 10 has 2000000 satang free, "
        "the match needs 3000000"
    )
    assert await _budget(http, budget["id"]) == (3_000_000, 0, 2_000_000)
    assert await _expense(http) == 3_000_000


async def test_a_local_administrations_match_is_not_financed(
    matches_app: FastAPI, http: httpx.AsyncClient
) -> None:
    await _welfare_budget(matches_app, 10_000_000)
    await deliver(matches_app, match_approved(uuid.uuid4(), matcher="local_administration"))
    assert await _payments(http) == []
    assert await _expense(http) == 0


async def test_a_provincial_office_sees_only_its_provinces_matches(
    matches_app: FastAPI, http: httpx.AsyncClient
) -> None:
    await deliver(matches_app, match_approved(uuid.uuid4()))
    issuer = auth_testing.session_issuer()
    chiang_mai = auth_testing.client_factory(matches_app, BASE_URL, issuer)
    async with chiang_mai("chiang-mai-office", ["finance:read"], ["50"]) as other:
        answer = await other.get("/v1/welfare-match-payments")
    assert (answer.status_code, answer.json()["items"]) == (200, [])
    assert len(await _payments(http)) == 1


@pytest.mark.postgres
async def test_two_events_of_one_match_racing_pay_it_once(
    matches_app: FastAPI, http: httpx.AsyncClient
) -> None:
    budget = await _welfare_budget(matches_app, 10_000_000)
    request_id = uuid.uuid4()
    results = await asyncio.gather(
        deliver(matches_app, match_approved(request_id)),
        deliver(matches_app, match_approved(request_id)),
        return_exceptions=True,
    )
    # The loser of the race hits the unique match request id and rolls back whole (the
    # consumer retries it, and the retry finds the payment).
    assert sum(1 for r in results if isinstance(r, Exception)) <= 1
    await deliver(matches_app, match_approved(request_id))
    assert [p["amount_satang"] for p in await _payments(http)] == [3_650_000]
    assert await _expense(http) == 3_650_000
    assert await _budget(http, budget["id"]) == (3_650_000, 0, 6_350_000)

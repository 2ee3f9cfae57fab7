"""The agency's match of a welfare fund's contributions (``welfare_match.approved``,
issue 19), paid from cash on the ledger once per match request: a redelivered event
or the same match in another event books nothing more; a local administration's
match is not finance's to pay."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import BASE_URL, national_headers
from sqlmodel import select

from baan_shared.clock import utcnow
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import WelfareMatchApproved
from baan_testkit import auth as auth_testing
from baan_testkit.delivery import deliver
from baan_testkit.events import cloud_event
from finance.main import create_app
from finance.settings import FinanceSettings
from finance.welfare_matches.models import WelfareMatchPayment


def match_approved(match_request_id: uuid.UUID, **overrides: Any) -> CloudEvent:
    data = WelfareMatchApproved(
        welfare_fund_id=uuid.UUID("0190c0de-0000-7000-8000-00000000f00d"),
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


async def _payments(app: FastAPI) -> list[WelfareMatchPayment]:
    async with app.state.runtime.session_factory() as session:
        return list((await session.exec(select(WelfareMatchPayment))).all())


async def _expense(client: httpx.AsyncClient) -> int:
    balance = (await client.get("/v1/ledger/trial-balance")).json()
    rows = {row["code"]: row for row in balance["accounts"]}
    row = rows.get("welfare_match_expense")
    return 0 if row is None else int(row["debit_satang"]) - int(row["credit_satang"])


async def test_an_agency_match_is_paid_once_however_often_it_arrives(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    request_id = uuid.uuid4()
    event = match_approved(request_id)
    await deliver(app, event)
    await deliver(app, event)  # redelivered
    await deliver(app, match_approved(request_id))  # the same match, another event
    payments = await _payments(app)
    assert [(p.match_request_id, p.amount_satang) for p in payments] == [(request_id, 3_650_000)]
    assert await _expense(client) == 3_650_000
    balance = (await client.get("/v1/ledger/trial-balance")).json()
    assert balance["balanced"] is True


async def test_a_local_administrations_match_is_not_financed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await deliver(app, match_approved(uuid.uuid4(), matcher="local_administration"))
    assert await _payments(app) == []
    assert await _expense(client) == 0


@pytest.fixture
async def pg_app(request: pytest.FixtureRequest) -> AsyncIterator[FastAPI]:
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    settings = FinanceSettings(
        database_url=str(make_database("finance")),
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.postgres
async def test_on_postgresql_two_events_of_one_match_racing_pay_it_once(pg_app: FastAPI) -> None:
    request_id = uuid.uuid4()
    results = await asyncio.gather(
        deliver(pg_app, match_approved(request_id)),
        deliver(pg_app, match_approved(request_id)),
        return_exceptions=True,
    )
    # The loser of the race hits the unique match request id and rolls back whole (the
    # consumer retries it, and the retry finds the payment).
    assert sum(1 for r in results if isinstance(r, Exception)) <= 1
    await deliver(pg_app, match_approved(request_id))
    payments = await _payments(pg_app)
    assert [p.amount_satang for p in payments] == [3_650_000]
    async with auth_testing.asgi_client(pg_app, BASE_URL, national_headers()) as http:
        assert await _expense(http) == 3_650_000

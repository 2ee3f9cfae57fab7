"""A partition's batch of approvals granted set-based (issue 17) leaves exactly what the
same events leave one at a time: the same grants (granted or refused), budgets, ledger
and events, whether a household is new, approved twice in the batch, already reported
by construction, in an area whose budget cannot take them all, or with no budget at all;
and the same batch applied again changes nothing. On SQLite and on PostgreSQL."""

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from finance_factories import allocate, construction_started, household_approved
from sqlmodel import select

from baan_shared.events import CloudEvent
from baan_shared.ids import new_id
from baan_shared.outbox import OutboxMessage
from baan_testkit.apps import postgres_databases
from finance.budgets.models import Budget
from finance.grants.models import Grant
from finance.ledger.models import JournalEntry, JournalLine
from finance.main import create_app
from finance.settings import FinanceSettings

CANAL_GRANT = 14_700_000
CHIANG_RAI = {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"}
NOWHERE = {"province_code": "84", "district_code": "8401", "subdistrict_code": "840101"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    if request.param == "sqlite":
        return lambda name: f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
    make_database = postgres_databases(request)
    return lambda name: make_database("finance")


@asynccontextmanager
async def _app(url: str) -> AsyncIterator[FastAPI]:
    settings = FinanceSettings(
        database_url=url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def _one_at_a_time(app: FastAPI, events: list[CloudEvent]) -> None:
    runtime = app.state.runtime
    async with runtime.session_factory() as session:
        for event in events:
            await runtime.subscriptions.handlers[event.type](session, event)
        await session.commit()


async def _as_a_batch(app: FastAPI, events: list[CloudEvent]) -> None:
    runtime = app.state.runtime
    assert runtime.subscriptions.batch_handler is not None
    async with runtime.session_factory() as session:
        await runtime.subscriptions.batch_handler(session, events)
        await session.commit()


VOLATILE = {"id", "grant_id", "budget_id", "entry_id", "account_id", "created_at"}
VOLATILE |= {"updated_at", "approved_at", "occurred_at", "reference", "time", "allocation_id"}
VOLATILE |= {"payment_reference", "disbursement_id", "recorded_at"}


def _stable(fields: dict[str, Any]) -> str:
    return json.dumps({k: str(v) for k, v in fields.items() if k not in VOLATILE}, sort_keys=True)


async def _state(app: FastAPI) -> dict[str, Any]:
    async with app.state.runtime.session_factory() as session:
        grants = (await session.exec(select(Grant))).all()
        budgets = (await session.exec(select(Budget))).all()
        entries = (await session.exec(select(JournalEntry))).all()
        lines = (await session.exec(select(JournalLine))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    return {
        "grants": sorted(_stable(g.model_dump()) for g in grants),
        "budgets": sorted(_stable(b.model_dump()) for b in budgets),
        # An entry's description names its grant by id (different in each database).
        "entries": sorted(
            re.sub(r"grant [0-9a-f-]{36}", "grant …", _stable(entry.model_dump()))
            for entry in entries
        ),
        "lines": sorted(_stable(line.model_dump()) for line in lines),
        "events": sorted(_stable({"type": r.type, **json.loads(r.payload)}) for r in outbox),
    }


def _approved(events: list[str]) -> list[str]:
    return [e for e in events if json.loads(e)["type"] == "grant.approved"]


async def test_a_batch_of_approvals_grants_exactly_as_one_at_a_time(
    database_url: Callable[[str], str],
) -> None:
    reported_first, twice = new_id(), new_id()
    before = [construction_started(reported_first)]
    batch = [
        *(household_approved(new_id()) for _ in range(3)),
        household_approved(twice),
        household_approved(reported_first),
        *(household_approved(new_id(), **CHIANG_RAI) for _ in range(2)),
        household_approved(new_id(), **NOWHERE),
        household_approved(twice),
        household_approved(new_id()),
    ]
    states = []
    apply: Callable[[FastAPI, list[CloudEvent]], Any]
    for name, apply in (("one", _one_at_a_time), ("batch", _as_a_batch)):
        async with _app(database_url(name)) as app:
            await allocate(app, area_code="10", amount_satang=10 * CANAL_GRANT)
            await allocate(app, area_code="57", amount_satang=CANAL_GRANT + 1)
            await _one_at_a_time(app, before)
            await apply(app, batch)
            states.append(await _state(app))
            # The same batch again, past the inbox (as if its rows were lost): the data
            # itself (one grant per household) keeps it from granting or reserving twice.
            # (A refused grant is tried again, as a household taken off the waitlist is.)
            await apply(app, batch)
            again = await _state(app)
            assert {k: v for k, v in again.items() if k != "events"} == {
                k: v for k, v in states[-1].items() if k != "events"
            }
            assert _approved(again["events"]) == _approved(states[-1]["events"])

    one, batched = states
    statuses = [json.loads(g)["status"] for g in one["grants"]]
    # 6 in Bangkok (one reported by construction first), one of Chiang Rai's two, none
    # where no budget covers the household.
    assert len(statuses) == 9
    assert sorted(statuses).count("rejected") == 2
    assert batched["events"] == one["events"], set(batched["events"]) ^ set(one["events"])
    assert batched == one

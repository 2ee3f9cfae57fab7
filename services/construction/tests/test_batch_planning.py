"""A partition's batch of approvals planned set-based (issue 17) leaves exactly what the
same events leave one at a time: the same house works, milestones, status history and
events, whether a household is new, approved twice in the batch, approved again after
its grant was refused, or has finance's refusal already waiting."""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from construction_factories import approval_event, grant_rejected_event
from fastapi import FastAPI
from sqlmodel import select

from baan_shared.auth import AuthSettings
from baan_shared.db import unit_of_work
from baan_shared.events import CloudEvent
from baan_shared.ids import new_id
from baan_shared.outbox import OutboxMessage
from construction.handlers import SUBSCRIPTIONS, apply_batch
from construction.house_works.models import HouseWork, HouseWorkTransition
from construction.main import create_app
from construction.milestones.models import HouseMilestone
from construction.settings import ConstructionSettings

APPROVED_AT = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)


@asynccontextmanager
async def _app(
    folder: Path, database_url: str, auth_settings: AuthSettings
) -> AsyncIterator[FastAPI]:
    settings = ConstructionSettings(
        database_url=database_url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        storage_dir=str(folder / "photos"),
    )
    application = create_app(settings, auth_settings)
    async with application.router.lifespan_context(application):
        yield application


async def _one_at_a_time(app: FastAPI, events: list[CloudEvent]) -> None:
    async with unit_of_work(app.state.runtime.session_factory) as session:
        for event in events:
            await SUBSCRIPTIONS.handlers[event.type](session, event)


async def _as_a_batch(app: FastAPI, events: list[CloudEvent]) -> None:
    async with unit_of_work(app.state.runtime.session_factory) as session:
        await apply_batch(session, events)


VOLATILE = {"id", "house_work_id", "house_id", "created_at", "updated_at", "reported_at"}


def _stable(row: Any) -> dict[str, Any]:
    return {k: str(v) for k, v in row.model_dump().items() if k not in VOLATILE}


async def _state(app: FastAPI) -> dict[str, Any]:
    async with app.state.runtime.session_factory() as session:
        works = list((await session.exec(select(HouseWork))).all())
        household_of = {w.id: str(w.household_id) for w in works}
        milestones = (await session.exec(select(HouseMilestone))).all()
        transitions = (await session.exec(select(HouseWorkTransition))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    return {
        "works": sorted(json.dumps(_stable(w), sort_keys=True) for w in works),
        "milestones": sorted(
            json.dumps([household_of[m.house_work_id], _stable(m)], sort_keys=True)
            for m in milestones
        ),
        "transitions": sorted(
            json.dumps([household_of[t.house_work_id], _stable(t)], sort_keys=True)
            for t in transitions
        ),
        "events": sorted(
            json.dumps(
                [r.type, {k: v for k, v in json.loads(r.payload).items() if k not in VOLATILE}],
                sort_keys=True,
            )
            for r in outbox
        ),
    }


def _scenario() -> tuple[list[CloudEvent], list[CloudEvent]]:
    """Events before the batch, and the batch itself."""
    later = APPROVED_AT + timedelta(days=30)
    held, waiting, twice = new_id(), new_id(), new_id()
    before = [
        approval_event(household_id=held, approved_at=APPROVED_AT),
        grant_rejected_event(held, at=APPROVED_AT + timedelta(days=1)),
        grant_rejected_event(waiting, at=later + timedelta(days=1)),
    ]
    fresh: list[dict[str, Any]] = [
        {},
        {
            "need": "new_build",
            "programme": "CANAL",
            "province_code": "10",
            "district_code": "1005",
            "subdistrict_code": "100502",
        },
        {"need": "rebuild", "community_id": new_id()},
    ]
    batch = [
        *(approval_event(**overrides) for overrides in fresh),
        approval_event(household_id=twice, approved_at=APPROVED_AT),
        approval_event(household_id=held, approved_at=later),
        approval_event(household_id=waiting, approved_at=later),
        approval_event(household_id=twice, approved_at=later),
    ]
    return before, batch


class TestBatchPlanning:
    """On SQLite here; ``test_postgres.py`` runs it again on PostgreSQL, where the
    batch's multi-row INSERTs go through asyncpg."""

    async def test_a_batch_of_approvals_plans_exactly_as_one_at_a_time(
        self,
        tmp_path: Path,
        database_url: str,
        other_database_url: str,
        auth_settings: AuthSettings,
    ) -> None:
        before, batch = _scenario()
        states = []
        apply: Callable[[FastAPI, list[CloudEvent]], Any]
        for name, url, apply in (
            ("one", database_url, _one_at_a_time),
            ("batch", other_database_url, _as_a_batch),
        ):
            async with _app(tmp_path / name, url, auth_settings) as app:
                await _one_at_a_time(app, before)
                await apply(app, batch)
                states.append(await _state(app))

        one, batched = states
        assert len(one["works"]) == 6
        assert [json.loads(w)["status"] for w in one["works"]].count("on_hold") == 1
        assert len([e for e in one["events"] if e.startswith('["house.planned"')]) == 6
        assert batched == one

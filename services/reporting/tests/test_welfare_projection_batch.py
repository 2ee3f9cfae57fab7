"""Welfare's member joins, fund movements and benefits applied per partition batch give
exactly the rows the one-event handlers give, on SQLite and on PostgreSQL: funds, their
fiscal years, members, movements, benefits and the welfare projection's freshness marks."""

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from reporting_factories import StartApp, apply_events
from reporting_welfare_events import Fund, cloud
from sqlmodel import select

from baan_shared.bus.consumer import EventConsumer
from baan_shared.events import EVENT_TYPES, CloudEvent
from baan_shared.events.catalog import (
    WelfareBenefitPaid,
    WelfareFundBalanceChanged,
    WelfareMemberJoined,
)
from baan_testkit.events import kafka_records
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections.models import ProjectionState
from reporting.welfare.models import (
    WelfareBenefit,
    WelfareFund,
    WelfareFundYear,
    WelfareMember,
    WelfareMovement,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, database_url: Callable[[], str]
) -> Callable[[], str]:
    if request.param == "sqlite":
        return database_url
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return lambda: str(make_database("reporting"))


def _story() -> list[CloudEvent]:
    """Two funds' members sheets (joins across a fiscal year's end, one member who had
    already left when reporting heard of it, a join delivered again as a new event),
    status changes among them, a fund whose members come before its registration and
    one known by its members alone."""
    early, late = Fund("400101"), Fund("100101")
    events = [early.registered()]
    joined: list[tuple[Fund, uuid.UUID, date]] = []
    for n in range(9):
        fund, on = (early if n % 3 else late), date(2023, 9, 26) + timedelta(days=n)
        member, event = fund.join(on)
        events.append(event)
        joined.append((fund, member, on))
    events.append(cloud(WelfareMemberJoined.model_validate(events[5].data)))
    events.append(
        cloud(
            WelfareMemberJoined(
                **early.area(), member_id=uuid.uuid4(), status="left", joined_on=date(2024, 2, 1)
            )
        )
    )
    fund, member, on = joined[4]
    events.append(fund.status(member, on, "active", "lapsed", None))
    fund, member, on = joined[2]
    events.append(fund.status(member, on, "active", "deceased", date(2024, 3, 1)))
    events.append(late.registered())
    unregistered = Fund("500101")  # reporting knows it from its members alone
    events += [unregistered.join(date(2024, 5, n))[1] for n in (1, 2)]
    return events


def _books() -> list[CloudEvent]:
    """Two funds' books (contributions, matches, income, benefits across a fiscal
    year's end) and the benefits paid: one member helped twice in a year and again the
    next, a movement and a benefit delivered again as new events, one fund's movements
    before its registration."""
    fund, other = Fund("400101"), Fund("100101")
    member, again, neighbour = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    events = [fund.registered()]
    events.append(fund.movement("contribution", 36_500, date(2024, 9, 30)))
    events.append(other.movement("contribution", 73_000, date(2024, 9, 30)))
    events.append(cloud(WelfareFundBalanceChanged.model_validate(events[-1].data)))
    events += [
        fund.movement("agency_match", 36_500, date(2024, 10, 1)),
        fund.movement("local_match", 9_125, date(2024, 10, 1)),
        other.movement("other_income", 500_000, date(2024, 10, 2)),
        *fund.benefit(member, 20_000, date(2024, 9, 29)),
        *fund.benefit(member, 40_000, date(2024, 9, 30)),
        *fund.benefit(member, 10_000, date(2024, 10, 1)),
        *other.benefit(neighbour, 200_000, date(2024, 10, 3)),
        *fund.benefit(again, 100_000, date(2024, 10, 4)),
    ]
    events.append(cloud(WelfareBenefitPaid.model_validate(events[-1].data)))
    events.append(other.registered())
    return events


def _by_stream(events: list[CloudEvent]) -> dict[str, list[CloudEvent]]:
    streams: dict[str, list[CloudEvent]] = {}
    for event in events:
        streams.setdefault(EVENT_TYPES[event.type].topic, []).append(event)
    return streams


async def _apply_in_batches(app: FastAPI, events: list[CloudEvent], size: int) -> None:
    consumer = EventConsumer(
        name=SERVICE_NAME,
        bootstrap_servers="unused:9092",
        subscriptions=SUBSCRIPTIONS,
        session_factory=app.state.runtime.session_factory,
    )
    for stream in _by_stream(events).values():
        for start in range(0, len(stream), size):
            assert await consumer.apply_batch(kafka_records(stream[start : start + size]))


_NOT_COMPARED = {"updated_at", "last_applied_at"}


async def _rows(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, Any] = {
        "funds": (WelfareFund, WelfareFund.welfare_fund_id),
        "years": (WelfareFundYear, WelfareFundYear.welfare_fund_id, WelfareFundYear.fiscal_year),
        "members": (WelfareMember, WelfareMember.member_id),
        "movements": (WelfareMovement, WelfareMovement.movement_id),
        "benefits": (WelfareBenefit, WelfareBenefit.claim_id),
        "marks": (ProjectionState, ProjectionState.stream),
    }
    found = {}
    async with app.state.runtime.session_factory() as session:
        for name, (table, *keys) in tables.items():
            rows = (await session.exec(select(table).order_by(*keys))).all()
            found[name] = [
                {k: v for k, v in row.model_dump().items() if k not in _NOT_COMPARED}
                for row in rows
            ]
    return found


@pytest.mark.parametrize("batch_size", [1, 4, 500])
async def test_a_batch_of_member_joins_gives_the_rows_one_event_at_a_time_gives(
    start_app: StartApp, batch_size: int
) -> None:
    events = _story()
    one_by_one, batched = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    await _apply_in_batches(batched, events, batch_size)
    expected = await _rows(one_by_one)
    assert len(expected["members"]) == 12
    assert sum(fund["members"] for fund in expected["funds"]) == 10  # one left, one died
    assert await _rows(batched) == expected


@pytest.mark.parametrize("batch_size", [1, 3, 500])
async def test_a_batch_of_movements_and_benefits_gives_the_rows_one_event_at_a_time_gives(
    start_app: StartApp, batch_size: int
) -> None:
    events = _books()
    one_by_one, batched = await start_app(), await start_app()
    await apply_events(one_by_one, events)
    await _apply_in_batches(batched, events, batch_size)
    expected = await _rows(one_by_one)
    assert len(expected["movements"]) == 10 and len(expected["benefits"]) == 5
    assert sorted(fund["people_helped"] for fund in expected["funds"]) == [1, 2]
    assert sum(year["people_helped"] for year in expected["years"]) == 4
    assert await _rows(batched) == expected

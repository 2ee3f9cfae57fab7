"""Summary rows equal the GROUP BY over the households, however the events arrive.

The projectors keep ``progress_summary``, ``achievement_summary``, ``place_summary`` and
``grant_summary`` by deltas in the same transaction as the households and grants. For
generated households (every stage, two programmes, areas with and without districts,
a few communities, approvals on both sides of fiscal-year and half boundaries) applied
in random batches, three streams at once, with redelivered batches and some events one
at a time, every summary row equals what one INSERT ... SELECT ... GROUP BY over
``household_progress`` (and ``grant_progress``) gives, and the reports that read the
summaries give what the same reports over every household and grant give. On SQLite
and PostgreSQL.
"""

import asyncio
import importlib.util
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from reporting_factories import T0, Household, StartApp, apply_events, journey, summary_rows
from sqlalchemy import text

import reporting
from baan_shared.auth import Principal
from baan_shared.bus.consumer import EventConsumer, consuming
from baan_shared.events import EVENT_TYPES, CloudEvent
from baan_testkit.events import kafka_records
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS
from reporting.money import repository as money_repository
from reporting.periods import FiscalPeriod, PeriodKind
from reporting.projections import repository, summaries
from reporting.projections.repository import AchievementFilter, AreaFilter

RUN_ON_BOTH_DATABASES = True

STAGES = [
    "surveyed",
    "approved",
    "ready_to_build",
    "under_construction",
    "completed",
    "waitlisted",
    "rejected",
    "cancelled",
]

# A few communities, shared by households of both programmes and several areas; some
# households name none.
COMMUNITIES = [None, *(uuid.UUID(int=n << 64 | 15) for n in range(1, 4))]


def _generated(rng: random.Random, count: int) -> list[CloudEvent]:
    """``count`` households; approvals from a year before T0 to half a year after (FY
    2567-2568, both halves, some dated outside their own fiscal year)."""
    events: list[CloudEvent] = []
    for _ in range(count):
        household = Household(
            programme=rng.choice(["BAAN_PHO_PHIANG", "CANAL"]),
            # 57 and 10 have a district and a sub-district; 30 has neither.
            province_code=rng.choice(["57", "57", "10", "30"]),
            fiscal_year=rng.choice([2567, 2568]),
            community_id=rng.choice(COMMUNITIES),
        )
        start = T0 + timedelta(days=rng.randint(-400, 200), hours=rng.randint(0, 23))
        events += journey(
            rng.choice(STAGES),
            household=household,
            start=start,
            grant_satang=rng.choice([2_000_000, 14_700_000, 1_234_567]),
        )
    return events


def _consumer(app: FastAPI) -> EventConsumer:
    return EventConsumer(
        name=SERVICE_NAME,
        bootstrap_servers="unused:9092",
        subscriptions=SUBSCRIPTIONS,
        session_factory=app.state.runtime.session_factory,
    )


async def _apply_stream(
    consumer: EventConsumer, stream: list[CloudEvent], rng: random.Random
) -> None:
    """One stream in order, in batches of random size, each as if from one of the
    stream's partitions (their deltas go to the partition's slot); now and then a batch
    again."""
    start, applied = 0, []
    topic = EVENT_TYPES[stream[0].type].topic
    while start < len(stream):
        size = rng.randint(1, 20)
        batch = stream[start : start + size]
        with consuming(topic, rng.randrange(12)):
            assert await consumer.apply_batch(kafka_records(batch))
        applied.append(batch)
        if rng.random() < 0.2:  # redelivered: a crash after the commit, before the offsets
            with consuming(topic, rng.randrange(12)):
                assert await consumer.apply_batch(kafka_records(rng.choice(applied)))
        start += size


async def _apply_randomly(app: FastAPI, events: list[CloudEvent], rng: random.Random) -> None:
    streams: dict[str, list[CloudEvent]] = {}
    for event in events:
        streams.setdefault(EVENT_TYPES[event.type].topic, []).append(event)
    consumer = _consumer(app)
    await asyncio.gather(*(_apply_stream(consumer, s, rng) for s in streams.values()))


async def _assert_summaries_are_the_group_by(app: FastAPI) -> None:
    kept = await summary_rows(app, recomputed=False)
    assert kept == await summary_rows(app, recomputed=True)
    assert all(kept[table] for table in kept), kept.keys()
    assert set(kept) == {
        "progress_summary",
        "achievement_summary",
        "place_summary",
        "grant_summary",
        "reach_summary",
    }


async def _slots_used(app: FastAPI) -> set[int]:
    async with app.state.runtime.engine.connect() as conn:
        rows = await conn.execute(text("SELECT DISTINCT slot FROM progress_summary"))
        return {row[0] for row in rows}


async def test_summary_rows_equal_the_group_by_over_households(start_app: StartApp) -> None:
    rng = random.Random(15)
    app = await start_app()
    events = _generated(rng, 25)
    # Each household's story in two parts, the first part applied before the rest:
    # the second part moves it from cell to cell (stage, money, approval month).
    first, rest = events[: len(events) // 2], events[len(events) // 2 :]
    await _apply_randomly(app, first, rng)
    await _assert_summaries_are_the_group_by(app)
    await _apply_randomly(app, rest, rng)
    assert len(await _slots_used(app)) > 1  # the cells above were sums over slots
    # Some again one event at a time (the one-event projectors keep them too).
    await apply_events(app, rng.sample(events, 10) + _generated(rng, 3))
    await _assert_summaries_are_the_group_by(app)


async def test_the_migration_fills_places_and_reach_as_the_projectors_keep_them(
    start_app: StartApp,
) -> None:
    """Migration a7d3e91b5c28 fills ``reach_summary`` (and ``place_summary``'s ``any``
    rows, every place in one row) from the rows already projected."""
    rng = random.Random(151)
    app = await start_app()
    await _apply_randomly(app, _generated(rng, 20), rng)
    versions = Path(reporting.__file__).parent / "migrations" / "versions"
    (path,) = versions.glob("*_a7d3e91b5c28_*.py")
    spec = importlib.util.spec_from_file_location("reach_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    async with app.state.runtime.session_factory() as session:
        connection = await session.connection()
        # As before the migration: no reach rows, no ``any`` rows.
        await connection.execute(text("DELETE FROM reach_summary"))
        await connection.execute(text("DELETE FROM place_summary WHERE measure = 'any'"))
        for statement in migration.FILL[connection.dialect.name]:
            await connection.execute(text(statement))
        await session.commit()
    await _assert_summaries_are_the_group_by(app)


def _principals() -> list[Principal | None]:
    return [
        None,
        Principal.of("national", areas=["*"]),
        Principal.of("chiang-rai", areas=["57"]),
        Principal.of("mueang-chiang-rai", areas=["5701"]),
        Principal.of("wiang", areas=["570101", "10"]),
    ]


async def test_reports_from_summaries_equal_reports_over_households(start_app: StartApp) -> None:
    rng = random.Random(6)
    app = await start_app()
    await _apply_randomly(app, _generated(rng, 25), rng)
    halves = [FiscalPeriod(2568, PeriodKind.H1), FiscalPeriod(2568, PeriodKind.H2)]
    filters = [
        AreaFilter(),
        AreaFilter(fiscal_year=2568),
        AreaFilter(fiscal_year=2567, programme="CANAL"),
        AreaFilter(province_code="57"),
        *(
            AreaFilter(fiscal_year=2568, approved_from=h.starts_at, approved_before=h.ends_at)
            for h in halves
        ),
    ]
    months = [(m.starts_at, m.ends_at) for fy in (2567, 2568) for m in FiscalPeriod(fy).months]
    async with app.state.runtime.session_factory() as session:
        for principal in _principals():
            for base in filters:
                where = AreaFilter(**{**base.__dict__, "principal": principal})
                assert await repository.counts_by_area(
                    session, where
                ) == await repository.counts_by_area_from_households(session, where)
                assert await repository.households_by_stage(
                    session, where
                ) == await repository.households_by_stage_from_households(session, where)
            for programme in (None, "BAAN_PHO_PHIANG"):
                for district in (None, "5701"):
                    achieved = AchievementFilter(
                        starts_at=months[0][0],
                        ends_at=months[-1][1],
                        programme=programme,
                        district_code=district,
                        principal=principal,
                    )
                    series = await repository.achieved_by_month(session, achieved, months)
                    assert series == await repository.achieved_by_month_from_households(
                        session, achieved, months
                    )
        # Something was counted, so the equalities above pinned figures, not zeros.
        everything = await repository.achieved_by_month(
            session, AchievementFilter(starts_at=months[0][0], ends_at=months[-1][1]), months
        )
        assert all(sum(n[i] for n in everything) > 0 for i in range(3))


def _by_key(rows: list[Any]) -> list[Any]:
    # The two queries may order a missing area (None) differently.
    return sorted(rows, key=lambda r: (r.programme, r.area_code or ""))


def test_a_period_of_whole_months_is_read_from_summaries_and_others_are_not() -> None:
    year = FiscalPeriod(2568)
    months = repository.whole_months(year.starts_at, year.ends_at)
    assert months is not None and len(months) == 12
    assert months[0].month == 10 and months[-1].month == 9
    assert repository.whole_months(year.starts_at + timedelta(days=1), year.ends_at) is None
    assert repository.whole_months(year.starts_at, year.ends_at - timedelta(hours=1)) is None


async def test_places_reached_and_grant_money_from_summaries_equal_the_scan(
    start_app: StartApp,
) -> None:
    """The targets report's per-area achievements (households, persons, distinct
    sub-districts and communities) and the money report's grant sums, read from the
    place and grant summaries, equal the same over every household and grant."""
    rng = random.Random(150)
    app = await start_app()
    events = _generated(rng, 30)
    await _apply_randomly(app, events[: len(events) // 2], rng)
    await _apply_randomly(app, events[len(events) // 2 :], rng)
    await apply_events(app, rng.sample(events, 8))
    # (period, filter, area level): each filter and level at least once; a fiscal year
    # and its halves (one place row each), three months (a row per month).
    months = FiscalPeriod(2568).months
    quarter = (months[0].starts_at, months[2].ends_at)
    asks: list[tuple[tuple[datetime, datetime], dict[str, Any], str]] = [
        (_bounds(FiscalPeriod(2568)), {}, "province"),
        (_bounds(FiscalPeriod(2568)), {}, "subdistrict"),
        (_bounds(FiscalPeriod(2568, PeriodKind.H1)), {"programme": "CANAL"}, "district"),
        (_bounds(FiscalPeriod(2568, PeriodKind.H2)), {"province_codes": ["57", "30"]}, "province"),
        (_bounds(FiscalPeriod(2567)), {"district_code": "5701"}, "subdistrict"),
        (quarter, {}, "district"),
    ]
    reached = 0
    async with app.state.runtime.session_factory() as session:
        for principal in _principals():
            for (starts_at, ends_at), extra, group_by in asks:
                where = AchievementFilter(
                    starts_at=starts_at,
                    ends_at=ends_at,
                    principal=principal,
                    **extra,
                )
                found = await repository.achieved_by_area(session, where, group_by)
                assert _by_key(found) == _by_key(
                    await repository.achieved_by_area_from_households(session, where, group_by)
                ), (principal, starts_at, extra, group_by)
                reached += sum(a.communities_reached for a in found)
            for fiscal_year, programme, provinces, group_by in (
                (None, None, None, "province"),
                (2568, None, None, "province"),
                (2567, "CANAL", None, "district"),
                (2568, None, ["57"], "subdistrict"),
                (None, None, ["57", "30"], "district"),
            ):
                asked: dict[str, Any] = {
                    "group_by": group_by,
                    "fiscal_year": fiscal_year,
                    "programme": programme,
                    "province_codes": provinces,
                    "principal": principal,
                }
                assert _grant_sums(await money_repository.grants(session, **asked)) == (
                    _grant_sums(await money_repository.grants_from_rows(session, **asked))
                ), asked
        # Figures, not zeros: places were reached and grants paid.
        assert reached > 0
        everything = await money_repository.grants(
            session, group_by="province", fiscal_year=None, programme=None, province_codes=None
        )
        assert sum(g.disbursed_satang for g in everything) > 0


def _bounds(period: FiscalPeriod) -> tuple[datetime, datetime]:
    return period.starts_at, period.ends_at


def _grant_sums(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda g: (g.programme, g.area_code or ""))


def test_the_recompute_side_by_side_runs_every_statement_once_the_reach_after_the_places() -> None:
    """The rebuild runs ``recompute_steps``' chains side by side on PostgreSQL: together
    they are ``recompute_sql``, each table's DELETE comes first, and the reach (the sums
    of the places) only after both of the places' INSERTs."""
    households = "reporting_rebuild.household_progress"
    steps = summaries.recompute_steps("postgresql", households)
    flat = [statement for step in steps for chain in step for statement in chain]
    assert sorted(flat) == sorted(summaries.recompute_sql("postgresql", households))
    deletes, places, last = steps
    assert all(statement.startswith("DELETE") for chain in deletes for statement in chain)
    assert [chain[0].split(" (")[0] for chain in places] == [
        "INSERT INTO reporting_rebuild.place_summary"
    ] * 2
    reach, others = last
    assert all("INTO reporting_rebuild.reach_summary" in statement for statement in reach)
    assert not any("reach_summary" in s or "place_summary" in s for s in others)

"""Reporting at national scale: the agency's long-term 1,050,000 households as events,
a full rebuild of reporting's projections from them, then the latency of the
programme × province report.

    .venv/bin/python bench/national_scale.py --households 1050000
    .venv/bin/python bench/national_scale.py --households 20000      # a quick run

It starts its own Kafka broker and PostgreSQL server (the test tooling's, on
127.0.0.1, in temporary directories removed at the end), writes every
household's events straight to the topics (as the services' outbox relays
would have published them over the years), and then measures, on the same
machine in the same run:

1. raw consume: every record read from the beginning by a bare aiokafka
   consumer that only counts them (the broker's and the client's floor);
2. the full rebuild (``reporting.rebuild.rebuild``: replay into shadow tables,
   swap in) of an empty reporting database;
3. the programme × province reports over HTTP against one uvicorn process of
   the reporting service (``/v1/reports/progress``,
   ``/v1/reports/targets?level=province``, ``/v1/reports/money`` and ``/v1/query``
   for FY 2570 by province), p50 and p95 over a bounded number of sequential
   requests;
4. the baselines for (3): the same GROUP BY in plain SQL over the projection
   table, over the summary rows, and over the grants (asyncpg, no HTTP, no
   Python shaping); and the summary rows' and the grants' SQL served over HTTP by
   the smallest honest FastAPI app (``bare_app``: one uvicorn process, an asyncpg
   pool, the rows as JSON, no token), timed by the same client as the reports;
5. the welfare funds (issue 19): ``--welfare-members`` members (seed 003: 6,486,679)
   in funds of about 1,097 members each (5,915 nationally), each fund's twelve monthly
   contribution sheets, its agency match and a benefit for three members in ten, as
   welfare's events; the fund balance report (``/v1/reports/welfare/funds``, a page of
   100 funds) and the welfare report by province, p50 and p95, beside the same reads in
   plain SQL over the funds' summary rows (their cost follows funds, not members).

The mix of households is fixed by ``--seed``: programmes in proportions near the
agency's cumulative figures, all 77 provinces (weighted), approvals spread over
fiscal years 2560-2579, and stages from surveyed to completed.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import geothai
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from baan_local.dev_issuer import DevIssuer
from baan_local.kafka import LocalKafka
from baan_local.ports import free_ports
from baan_local.postgres import LocalPostgres
from baan_shared.bus.admin import ensure_topics
from baan_shared.bus.security import client_options
from baan_shared.events import EVENT_TYPES, CloudEvent, EventData
from baan_shared.events.catalog import (
    GrantApproved,
    GrantDisbursed,
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseholdSurveyed,
    HousePlanned,
    HouseReadyToBuild,
    WelfareBenefitPaid,
    WelfareFundBalanceChanged,
    WelfareFundRegistered,
    WelfareMemberJoined,
)
from baan_shared.ids import new_id
from baan_shared.observability.metrics import CONSUMER_LAG
from reporting.handlers import SUBSCRIPTIONS
from reporting.main import create_app
from reporting.rebuild.replay import REBUILD_CONSUMER, rebuild
from reporting.settings import ReportingSettings

# Near the agency's cumulative shares (DOMAIN.md, 2003-2022), land reform added.
PROGRAMMES = {
    "BAAN_MANKONG": 0.50,
    "BAAN_PHO_PHIANG": 0.38,
    "LAND_REFORM": 0.05,
    "CANAL": 0.02,
    "EMERGENCY": 0.04,
    "HOMELESS": 0.01,
}
# Where a household stands now; every stage past "surveyed" was approved first.
STAGES = {
    "surveyed": 0.12,
    "approved": 0.10,
    "ready_to_build": 0.06,
    "under_construction": 0.10,
    "completed": 0.62,
}
GRANT_SATANG = 2_000_000
PARTITIONS = 3
FIRST_YEAR, LAST_YEAR = 2560, 2579  # fiscal years (B.E.) the approvals fall in


@dataclass(frozen=True)
class Area:
    province: str
    district: str
    subdistrict: str


def areas(rng: random.Random) -> list[Area]:
    """A few sub-districts of every province, repeated by a weight (bigger provinces
    have more households)."""
    found: list[Area] = []
    for province in geothai.provinces():
        subdistricts = [
            s for d in geothai.districts(province.code) for s in geothai.subdistricts(d.code)
        ]
        weight = rng.randint(1, 6)
        for s in rng.sample(subdistricts, min(len(subdistricts), 8)):
            found += [Area(province.code, s.district_code, s.code)] * weight
    return found


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def household_events(rng: random.Random, places: list[Area]) -> list[tuple[str, CloudEvent]]:
    """One household's story as (topic, event), in the order the services published it."""
    area = rng.choice(places)
    programme = _pick(rng, PROGRAMMES)
    stage = _pick(rng, STAGES)
    fiscal_year = rng.randint(FIRST_YEAR, LAST_YEAR)
    # The fiscal year runs 1 Oct - 30 Sep: the survey a few weeks before the approval.
    approved = datetime(fiscal_year - 544, 10, 1, 3, tzinfo=UTC) + timedelta(
        days=rng.randrange(365), minutes=rng.randrange(600)
    )
    at = approved - timedelta(days=rng.randint(10, 60))
    household_id, house_id, grant_id = new_id(), new_id(), new_id()
    common: dict[str, Any] = {
        "programme": programme,
        "province_code": area.province,
        "district_code": area.district,
        "subdistrict_code": area.subdistrict,
        "household_id": household_id,
    }
    events: list[tuple[str, CloudEvent]] = []

    def emit(data: EventData, when: datetime) -> None:
        event = CloudEvent(
            source=f"/services/{_SOURCES[data.aggregate_type]}",
            type=data.event_type,
            subject=data.aggregate_id(),
            time=when,
            dataschema=data.dataschema(),
            data=data.model_dump(mode="json"),
        )
        events.append((data.topic, event))

    size = rng.randint(1, 8)
    emit(HouseholdSurveyed(**common, household_size=size, surveyed_at=at), at)
    if stage == "surveyed":
        return events
    emit(
        HouseholdApproved(
            **common,
            fiscal_year=fiscal_year,
            household_size=size,
            need="rebuild",
            estimated_cost_satang=GRANT_SATANG,
            approved_at=approved,
            approved_by="คณะกรรมการชุมชน",
        ),
        approved,
    )
    grant = {**common, "grant_id": grant_id, "fiscal_year": fiscal_year}
    house = {**common, "house_id": house_id, "fiscal_year": fiscal_year}
    at = approved + timedelta(hours=1)
    emit(GrantApproved(**grant, amount_satang=GRANT_SATANG), at)
    emit(HousePlanned(**house, work_type="rebuild"), at)
    paid = 0
    steps = [
        ("ready_to_build", lambda d: HouseReadyToBuild(**house, ready_on=d), 3),
        ("under_construction", lambda d: HouseConstructionStarted(**house, started_on=d), 4),
        (
            "completed",
            lambda d: HouseCompleted(
                **house, completed_on=d, actual_cost_satang=GRANT_SATANG, labour_days=30
            ),
            3,
        ),
    ]
    order = list(STAGES)
    for tranche, (step, build, tenths) in enumerate(steps, start=1):
        if order.index(stage) < order.index(step):
            break
        at += timedelta(days=rng.randint(7, 60))
        emit(build(at.date()), at)
        amount = GRANT_SATANG * tenths // 10
        paid += amount
        emit(
            GrantDisbursed(
                **grant,
                tranche=tranche,
                amount_satang=amount,
                payment_reference=f"PAY-{grant_id.hex[:12]}-{tranche}",
                disbursed_total_satang=paid,
            ),
            at + timedelta(hours=2),
        )
    return events


_SOURCES = {"household": "survey", "house": "construction", "grant": "finance"}


async def produce(bootstrap: str, households: int, seed: int) -> tuple[int, float]:
    """Every household's events to the topics; (events, seconds)."""
    rng = random.Random(seed)
    places = areas(rng)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=50,
        max_batch_size=1 << 20,
        compression_type="lz4" if _has_lz4() else None,
        **client_options(),
    )
    await producer.start()
    started = time.perf_counter()
    sent = 0
    try:
        pending: list[Any] = []
        for n in range(households):
            for topic, event in household_events(rng, places):
                key, value, headers = event.to_kafka()
                pending.append(await producer.send(topic, value=value, key=key, headers=headers))
                sent += 1
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
            if n and n % 100_000 == 0:
                print(f"  produced {n:,} households ({sent:,} events)", flush=True)
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent, time.perf_counter() - started


MEMBERS_PER_FUND = 1_097  # seed 003: 6,486,679 members in 5,915 funds
TOTAL_OF = {
    "contribution": "contributions_satang",
    "agency_match": "agency_match_satang",
    "benefit": "benefits_paid_satang",
}


def welfare_events(
    rng: random.Random, places: list[Area], members: int, funds: int | None = None
) -> list[CloudEvent]:
    """Welfare's events for ``members`` members in ``funds`` funds (default: funds of
    ~1,097): registered, members joined, twelve monthly contribution sheets, the
    agency's match, benefits paid."""
    events: list[CloudEvent] = []
    funds = min(members, funds) if funds else max(1, members // MEMBERS_PER_FUND)
    for n in range(funds):
        place = places[rng.randrange(len(places))]
        size = members // funds + (1 if n < members % funds else 0)
        where = {
            "welfare_fund_id": new_id(),
            "province_code": place.province,
            "district_code": place.district,
            "subdistrict_code": place.subdistrict,
            "region_code": None,
        }
        books = dict.fromkeys(
            (
                "contributions_satang",
                "agency_match_satang",
                "local_match_satang",
                "other_income_satang",
                "benefits_paid_satang",
                "balance_satang",
            ),
            0,
        )
        name = {"kind": "tambon", "name": f"กองทุนสวัสดิการชุมชน {place.subdistrict}"}
        when = datetime(2025, 10, 1, 3, tzinfo=UTC)
        events.append(
            cloud(
                WelfareFundRegistered(
                    **where, **name, **books, sequence=0, registered_on=date(2006, 1, 1)
                ),
                when,
            )
        )
        member_ids = [new_id() for _ in range(size)]
        for member_id in member_ids:
            joined = WelfareMemberJoined(
                **where, member_id=member_id, status="active", joined_on=date(2006, 1, 1)
            )
            events.append(cloud(joined, when))
        moves: list[tuple[str, int, date, Any]] = []
        for month in range(12):
            on = date(2025 + (month + 9) // 12, (month + 9) % 12 + 1, 28)
            moves.append(("contribution", 3_042 * size, on, None))
        moves.append(("agency_match", 3_042 * size * 12, date(2026, 9, 30), None))
        for member_id in member_ids[: size * 3 // 10]:
            moves.append(("benefit", rng.randrange(50_000, 200_001), date(2026, 6, 1), member_id))
        for sequence, (kind, amount, on, member_id) in enumerate(moves, start=1):
            books[TOTAL_OF[kind]] += amount
            change = -amount if kind == "benefit" else amount
            books["balance_satang"] += change
            changed = WelfareFundBalanceChanged(
                **where,
                **name,
                **books,
                sequence=sequence,
                movement_id=new_id(),
                movement_kind=kind,
                amount_satang=amount,
                change_satang=change,
                occurred_on=on,
                reference=f"{kind}-{sequence}",
            )
            events.append(cloud(changed, when))
            if member_id is not None:
                paid = WelfareBenefitPaid(
                    **where,
                    claim_id=new_id(),
                    member_id=member_id,
                    benefit_kind="hospital",
                    event_date=on,
                    amount_satang=amount,
                    paid_on=on,
                )
                events.append(cloud(paid, when))
    return events


def cloud(data: EventData, when: datetime) -> CloudEvent:
    return CloudEvent(
        source="/services/welfare",
        type=data.event_type,
        subject=data.aggregate_id(),
        time=when,
        dataschema=data.dataschema(),
        data=data.model_dump(mode="json"),
    )


async def produce_welfare(bootstrap: str, members: int, funds: int | None, seed: int) -> int:
    """Welfare's events to its topics; how many."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=50,
        **client_options(),
    )
    await producer.start()
    rng = random.Random(seed)
    events = welfare_events(rng, areas(rng), members, funds)
    try:
        pending = []
        for event in events:
            key, value, headers = event.to_kafka()
            topic = EVENT_TYPES[event.type].topic
            pending.append(await producer.send(topic, value=value, key=key, headers=headers))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return len(events)


async def welfare_sql_baseline(dsn: str, runs: int) -> list[float]:
    """The fund balance page and the sums by province, in plain SQL."""
    page = "SELECT * FROM welfare_fund ORDER BY welfare_fund_id LIMIT 100"
    sums = """
        SELECT province_code, count(*), sum(members), sum(people_helped),
               sum(contributions_satang), sum(benefits_paid_satang), sum(balance_satang)
        FROM welfare_fund GROUP BY province_code
    """
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE welfare_fund")
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            await connection.fetch(page)
            await connection.fetch(sums)
            took.append(time.perf_counter() - started)
        return took
    finally:
        await connection.close()


def _has_lz4() -> bool:
    try:
        import lz4  # noqa: F401
    except ImportError:
        return False
    return True


async def raw_consume(bootstrap: str) -> tuple[int, float]:
    """Read every record from the beginning, doing nothing with it: the floor."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        max_poll_records=5000,
        **client_options(),
    )
    await consumer.start()
    try:
        await consumer._client.set_topics(SUBSCRIPTIONS.topics)
        partitions = [
            TopicPartition(topic, p)
            for topic in SUBSCRIPTIONS.topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        total = sum(ends.values())
        started = time.perf_counter()
        read = 0
        while read < total:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                read += len(records)
        return read, time.perf_counter() - started
    finally:
        await consumer.stop()


async def migrate(database_url: str) -> None:
    """An empty reporting database at the latest migration (the app's start-up runs them)."""
    settings = ReportingSettings(
        database_url=database_url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_level="WARNING",
        log_json=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass


async def report_rebuild_progress(events: int, every_seconds: float = 60.0) -> None:
    """A line a minute while the rebuild runs (a national run takes over an hour): how
    many events are still to apply, from the rebuild consumer's lag gauge."""
    started = time.perf_counter()
    while True:
        await asyncio.sleep(every_seconds)
        lags = [
            sample.value
            for metric in CONSUMER_LAG.collect()
            for sample in metric.samples
            if sample.labels.get("consumer") == REBUILD_CONSUMER
        ]
        if not lags:
            continue  # still opening the shadow tables and the consumer
        done = max(0, events - int(sum(lags)))
        took = time.perf_counter() - started
        print(
            f"  rebuilding: about {done:,} of {events:,} events applied after {took:,.0f} s",
            flush=True,
        )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


SQL_GROUP_BY = """
    SELECT programme, province_code, count(*),
           sum(CASE WHEN stage IN ('approved', 'ready_to_build', 'under_construction',
                                   'completed') THEN 1 ELSE 0 END),
           sum(CASE WHEN stage = 'completed' THEN 1 ELSE 0 END),
           sum(grant_amount_satang), sum(disbursed_satang)
    FROM household_progress GROUP BY programme, province_code
"""
SQL_SUMMARY = """
    SELECT programme, province_code, sum(households),
           sum(approved + ready_to_build + under_construction + completed),
           sum(completed), sum(grant_amount_satang), sum(disbursed_satang)
    FROM progress_summary
    WHERE area_level = 'province' AND fiscal_year = -1 AND approval_half = -1
    GROUP BY programme, province_code
"""

SQL_MONEY = """
    SELECT programme, province_code, sum(amount_satang), sum(disbursed_satang)
    FROM grant_progress WHERE programme IS NOT NULL AND fiscal_year = 2570
    GROUP BY programme, province_code
"""
QUERY = {
    "fiscal_year": 2570,
    "level": "province",
    "measures": ["approved", "completed", "grant_reserved_satang"],
}


async def sql_baseline(dsn: str, runs: int, query: str = SQL_GROUP_BY) -> list[float]:
    """The programme × province counts in one plain GROUP BY, straight from asyncpg:
    over every household (``SQL_GROUP_BY``), or over the summary rows the report reads
    (``SQL_SUMMARY``)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE household_progress")
        await connection.execute("ANALYZE progress_summary")
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            await connection.fetch(query)
            took.append(time.perf_counter() - started)
        return took
    finally:
        await connection.close()


def bare_app() -> FastAPI:
    """`uvicorn --app-dir bench --factory national_scale:bare_app`: the summary rows'
    and the grants' plain SQL (``SQL_SUMMARY``, ``SQL_MONEY``) on the database BARE_DSN
    names, their rows as JSON: the floor of a report over HTTP on this machine."""
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["db"] = await asyncpg.create_pool(os.environ["BARE_DSN"], min_size=1, max_size=4)
        yield
        await pool["db"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/progress")
    async def progress() -> list[dict[str, Any]]:
        return [dict(row) for row in await pool["db"].fetch(SQL_SUMMARY)]

    @app.get("/money")
    async def money() -> list[dict[str, Any]]:
        return [dict(row) for row in await pool["db"].fetch(SQL_MONEY)]

    return app


def serve_bare(dsn: str, port: int) -> subprocess.Popen[bytes]:
    here = Path(__file__).resolve().parent
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "--app-dir", str(here)),
            *("--factory", "national_scale:bare_app", "--host", "127.0.0.1"),
            *("--port", str(port), "--log-level", "warning"),
        ],
        env={**os.environ, "BARE_DSN": dsn},
    )


# The report path checks a bearer token like any partner's call: the national office's,
# from a development issuer the served process trusts (its JWKS in the environment).
ISSUER = DevIssuer()


async def http_latency(
    base: str, path: str, params: dict[str, Any], runs: int, *, coding: str = "gzip, deflate"
) -> list[float]:
    """Each GET's time, the answer read whole (decoded, as httpx asks by default for the
    codings in ``coding``)."""
    headers = {
        "Authorization": f"Bearer {ISSUER.token_for('baan-national')}",
        "Accept-Encoding": coding,
    }
    async with httpx.AsyncClient(base_url=base, timeout=300, headers=headers) as http:
        for _ in range(3):  # warm the process and the database's cache
            (await http.get(path, params=params)).raise_for_status()
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            response = await http.get(path, params=params)
            took.append(time.perf_counter() - started)
            response.raise_for_status()
        return took


async def wire_bytes(base: str, path: str) -> tuple[int, int]:
    """The answer's bytes as sent to a client that takes no coding, and to one that
    takes gzip."""
    headers = {"Authorization": f"Bearer {ISSUER.token_for('baan-national')}"}
    sizes = []
    async with httpx.AsyncClient(base_url=base, timeout=300, headers=headers) as http:
        for coding in ("identity", "gzip"):
            async with http.stream("GET", path, headers={"Accept-Encoding": coding}) as answer:
                answer.raise_for_status()
                sizes.append(sum([len(part) async for part in answer.aiter_raw()]))
    return sizes[0], sizes[1]


def serve(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REPORTING_DATABASE_URL": database_url,
        "REPORTING_CONSUMER_ENABLED": "false",
        "REPORTING_RELAY_ENABLED": "false",
        "REPORTING_CREATE_TOPICS": "false",
        "REPORTING_LOG_LEVEL": "WARNING",
        # A national client's allowance high enough for back-to-back timing requests.
        "AUTH_RATE_LIMIT_OVERRIDES": '{"baan-national": 1000000}',
        **ISSUER.service_environment(embed_jwks=True),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "reporting.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )


async def wait_ready(base: str, path: str = "/health/live") -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        for _ in range(600):
            try:
                if (await http.get(path)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} never came up")


def ms(samples: list[float]) -> str:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    return f"p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(samples)})"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}; {platform.platform()}"


async def run(args: argparse.Namespace, kafka: LocalKafka, postgres: LocalPostgres) -> None:
    figures: dict[str, Any] = {"benchmark": "national_scale", "households": args.households}
    print(f"machine: {machine()}")
    print(
        f"python {platform.python_version()}, {postgres_version(postgres)}, "
        f"kafka {kafka_version(kafka)}"
    )
    await ensure_topics(kafka.bootstrap, SUBSCRIPTIONS.topics, partitions=PARTITIONS)
    events, seconds = await produce(kafka.bootstrap, args.households, args.seed)
    print(
        f"produced        : {args.households:,} households, {events:,} events "
        f"in {seconds:7.1f} s ({events / seconds:,.0f} events/s)"
    )
    figures.update(events=events, produce_seconds=round(seconds, 2))
    welfare = await produce_welfare(
        kafka.bootstrap, args.welfare_members, args.welfare_funds, args.seed
    )
    funds = (
        min(args.welfare_members, args.welfare_funds)
        if args.welfare_funds
        else max(1, args.welfare_members // MEMBERS_PER_FUND)
    )
    print(
        f"welfare         : {funds:,} funds, {args.welfare_members:,} members, {welfare:,} events"
    )
    figures.update(
        welfare_members=args.welfare_members, welfare_funds=funds, welfare_events=welfare
    )
    read, seconds = await raw_consume(kafka.bootstrap)
    figures.update(raw_consume_per_second=round(read / seconds, 1))
    print(
        f"raw consume     : {read:,} records in {seconds:7.1f} s "
        f"({read / seconds:,.0f}/s)  [baseline]"
    )

    database_url = postgres.create_database("reporting_bench")
    await migrate(database_url)
    watching = asyncio.create_task(report_rebuild_progress(events))
    try:
        # as reporting's own Kafka user, in a reporting-rebuild-* group, as in production
        result = await rebuild(
            database_url,
            kafka.bootstrap,
            security=kafka.security("reporting"),
            workers=args.rebuild_workers,
        )
    finally:
        watching.cancel()
    print(
        f"full rebuild    : {result.events_replayed:,} events in {result.seconds:7.1f} s "
        f"({result.events_replayed / result.seconds:,.0f} events/s; "
        f"{result.events_in_swap} applied inside the swap; {result.workers} process(es), "
        f"peak memory {result.peak_memory_bytes / 2**20:,.0f} MiB)"
    )
    catch_up = getattr(result, "catch_up_seconds", 0.0)  # older code, A/B runs: none
    print(
        f"  of which       : catching up {catch_up:.1f} s, then indexes, summaries and "
        f"swap {result.seconds - catch_up:.1f} s; "
        f"{getattr(result, 'households_read_back', 0):,} households read back"
    )
    figures.update(
        rebuild_seconds=round(result.seconds, 2),
        rebuild_events=result.events_replayed,
        rebuild_events_per_second=round(result.events_replayed / result.seconds, 1),
        rebuild_peak_memory_bytes=result.peak_memory_bytes,
        rebuild_workers=result.workers,
        rebuild_catch_up_seconds=round(catch_up, 2),
        rebuild_households_read_back=getattr(result, "households_read_back", 0),
    )

    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    baseline = await sql_baseline(dsn, args.requests)
    print(f"SQL GROUP BY    : {ms(baseline)}  [baseline: every household]")
    figures.update(latency_figures("sql_group_by", baseline))
    summary_baseline = await sql_baseline(dsn, args.requests, SQL_SUMMARY)
    print(f"SQL summaries   : {ms(summary_baseline)}  [baseline: the summary rows it reads]")
    figures.update(latency_figures("sql_summary", summary_baseline))
    money_baseline = await sql_baseline(dsn, args.requests, SQL_MONEY)
    print(f"SQL grants      : {ms(money_baseline)}  [baseline: the money report's grant sums]")
    figures.update(latency_figures("sql_money", money_baseline))
    welfare_baseline = await welfare_sql_baseline(dsn, args.requests)
    print(f"SQL welfare     : {ms(welfare_baseline)}  [baseline: fund page + province sums]")
    figures.update(latency_figures("welfare_sql", welfare_baseline))
    (bare_port, port) = free_ports(2)
    bare_base = f"http://127.0.0.1:{bare_port}"
    bare = serve_bare(dsn, bare_port)
    try:
        await wait_ready(bare_base, "/progress")
        bare_progress = await http_latency(bare_base, "/progress", {}, args.requests)
        print(f"bare app summary: {ms(bare_progress)}  [baseline: SQL summaries over HTTP]")
        figures.update(latency_figures("bare_summary", bare_progress))
        bare_money = await http_latency(bare_base, "/money", {}, args.requests)
        print(f"bare app grants : {ms(bare_money)}  [baseline: SQL grants over HTTP]")
        figures.update(latency_figures("bare_money", bare_money))
    finally:
        bare.terminate()
        bare.wait(timeout=30)
    base = f"http://127.0.0.1:{port}"
    server = serve(database_url, port)
    try:
        await wait_ready(base)
        progress = await http_latency(base, "/v1/reports/progress", {}, args.requests)
        print(f"GET progress    : {ms(progress)}  (programme × province, all years)")
        figures.update(latency_figures("progress_report", progress))
        print(ratios("progress", figures, "progress_report", "sql_summary", "bare_summary"))
        plain, coded = await wire_bytes(base, "/v1/reports/progress")
        print(f"  on the wire   : {plain:,} bytes, {coded:,} gzip-coded (timed: gzip)")
        figures.update(progress_bytes=plain, progress_gzip_bytes=coded)
        as_is = await http_latency(
            base, "/v1/reports/progress", {}, args.requests, coding="identity"
        )
        print(f"  not coded     : {ms(as_is)}  (Accept-Encoding: identity)")
        figures.update(latency_figures("progress_report_identity", as_is))
        targets = await http_latency(
            base,
            "/v1/reports/targets",
            {"fiscal_year": 2570, "level": "province"},
            args.requests,
        )
        print(f"GET targets     : {ms(targets)}  (programme × province, FY 2570, monthly series)")
        figures.update(latency_figures("targets_report", targets))
        money = await http_latency(
            base, "/v1/reports/money", {"fiscal_year": 2570, "level": "province"}, args.requests
        )
        print(f"GET money       : {ms(money)}  (budgets, grants, loans by province, FY 2570)")
        figures.update(latency_figures("money_report", money))
        print(ratios("money", figures, "money_report", "sql_money", "bare_money"))
        query = await http_latency(base, "/v1/query", QUERY, args.requests)
        print(f"GET query       : {ms(query)}  (FY 2570 by province: approved, completed, grants)")
        figures.update(latency_figures("query", query))
        balances = await http_latency(
            base, "/v1/reports/welfare/funds", {"limit": 100}, args.requests
        )
        print(f"GET fund balance: {ms(balances)}  (100 welfare funds' books, goal p95 <= 50 ms)")
        figures.update(latency_figures("welfare_fund_balance", balances))
        by_province = await http_latency(
            base, "/v1/reports/welfare", {"level": "province"}, args.requests
        )
        print(f"GET welfare     : {ms(by_province)}  (funds, members, money by province)")
        figures.update(latency_figures("welfare_report", by_province))
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        print(json.dumps(figures))


def ratios(name: str, figures: dict[str, Any], report: str, sql: str, bare: str) -> str:
    """The report's p95 over its plain SQL's and over the bare app's serving that SQL
    (issue 15: within 2×), noted in ``figures`` as well."""
    over_sql = figures[f"{report}_p95_ms"] / max(figures[f"{sql}_p95_ms"], 0.001)
    over_bare = figures[f"{report}_p95_ms"] / max(figures[f"{bare}_p95_ms"], 0.001)
    figures[f"{name}_over_sql_p95"] = round(over_sql, 2)
    figures[f"{name}_over_bare_app_p95"] = round(over_bare, 2)
    return f"  p95 ratios    : {over_sql:.1f}× its plain SQL, {over_bare:.1f}× the bare app's"


def latency_figures(name: str, samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds, named for the --json line."""
    return {
        f"{name}_p50_ms": round(percentile(samples, 0.5) * 1000, 2),
        f"{name}_p95_ms": round(percentile(samples, 0.95) * 1000, 2),
    }


def kafka_version(kafka: LocalKafka) -> str:
    """The broker's version, as the local runner's pom.xml pins it."""
    pom = kafka.home / "pom.xml"
    text = pom.read_text() if pom.exists() else ""
    start = text.find("<kafka.version>")
    if start < 0:
        return "(version unknown)"
    return text[start + len("<kafka.version>") : text.find("</kafka.version>")]


def postgres_version(postgres: LocalPostgres) -> str:
    pg_ctl = shutil.which("postgres") or "postgres"
    try:
        return subprocess.run([pg_ctl, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "PostgreSQL (version unknown)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_050_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per report")
    parser.add_argument(
        "--welfare-members", type=int, default=6_486_679, help="welfare fund members (seed 003)"
    )
    parser.add_argument(
        "--welfare-funds",
        type=int,
        help="welfare funds (default: one per 1,097 members; seed 003: 5,915), e.g. all "
        "5,915 funds with a few members each, for the fund balance report at national size",
    )
    parser.add_argument("--seed", type=int, default=2579)
    parser.add_argument(
        "--rebuild-workers",
        type=int,
        help="processes the rebuild catches up in (default: the rebuild's own choice)",
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="baan-national-"))
    kafka_port, controller_port = free_ports(2)
    kafka = LocalKafka(
        workdir / "kafka", port=kafka_port, controller_port=controller_port, heap="1g"
    )
    postgres = LocalPostgres()  # its own directory, reachable by the postgres user
    # A terminated run still stops its broker and server (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        kafka.start()
        # The bench's own clients (topics, producer, raw consumer) are the super user.
        os.environ.update(kafka.environment())
        postgres.start()
        asyncio.run(run(args, kafka, postgres))
    finally:
        postgres.stop()
        kafka.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The whole pipeline under load, beside raw aiokafka on the same broker.

    .venv/bin/python bench/pipeline.py --households 200 --concurrency 8

Starts its own Kafka broker, PostgreSQL server and the four services as
processes (the test tooling's), allocates a canal budget, then drives N
households through the public APIs: registered, screened and approved in
survey; ready, started, a milestone and completed in construction (finance pays
the grant's two tranches from construction's events); until reporting counts
all N completed. It prints households per second and the p50/p99 latency from
each approval to reporting counting that household completed.

Reporting counts per programme × province, not per household, so a household's
"reported" moment is when the completed count first reached its rank among the
completions construction acknowledged (first completed, first counted). The
report is polled every 200 ms, which bounds the resolution.

Baseline, same run, same broker: as many raw events as the pipeline published
(measured from the streams' end offsets), ~1 KB each, produced with aiokafka
(acks=all, idempotent) to a 3-partition topic and consumed by one group member:
events per second and produce→consume latency.

Bulk mode (issue 17), a committee decision of N households at once:

    .venv/bin/python bench/pipeline.py --bulk 10000

Set up first, untimed: a canal budget for N grants, a survey sheet of N
households imported (``POST /v1/household-imports``) and screened in committee
meetings, and the platform left to settle (survey has published the import's
events and every consumer has applied them). Then, timed from the first request:
the committee approves all N (``POST /v1/household-decisions``, in meetings of
survey's limit of 1,000, sent together), until construction has published a
``house.planned`` for every one, finance a grant decision for every one, and
reporting counts all N approved with every grant reserved. It prints households
per second, when each stage reached N (survey published the approvals too) and
the CPU seconds each service, the PostgreSQL server and the broker used meanwhile
(where the time goes), beside raw aiokafka moving as many events.

Steady mode (issue 17), committees deciding all day:

    .venv/bin/python bench/pipeline.py --steady 300 --rate 200 --decision-size 100

Set up first, untimed, as in bulk mode: rate × seconds households imported and
screened, and the platform left to settle. Then for ``--steady`` seconds a committee decision of
``--decision-size`` households is sent every decision-size / rate seconds (two a
second at the defaults), beside construction and finance traffic (readers
listing house works and grants, five requests a second each). Each decision's
latency is from its request to reporting's approved count first covering it
(cumulative: decision k is counted when the count reaches the households of
decisions 1..k), polled every 200 ms. It prints the approval → report p50, p99
and max, whether the decisions kept pace (sent on time), and each service's
resident memory at the start and the end, beside raw aiokafka moving as many
events.

Every mode in turn on one platform (the test suite's smoke: one start-up, not three):

    .venv/bin/python bench/pipeline.py --all-modes --households 3 --bulk 20 --steady 2

households one by one first (its count is the province's whole count), then the bulk
decision, then the steady decisions, which measure from what the broker and reporting
held when each began; each with its own raw Kafka baseline and its own figures (one
JSON line each with ``--json``), as each prints alone.
"""

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import platform as host
import sys
import tempfile
import time
import uuid
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from platform_harness import Platform, household_body, start_platform

from baan_local.demo import COMMITTEE, meetings
from baan_local.kafka import LocalKafka
from baan_local.ports import free_ports
from baan_local.postgres import LocalPostgres
from baan_shared.bus.security import client_options
from baan_shared.clock import utcnow
from baan_shared.fiscal import fiscal_year_at
from baan_shared.registry import SERVICE_NAMES

PROVINCE = {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101"}
SURVEY_STREAM = "survey.households"
STREAMS = (SURVEY_STREAM, "construction.houses", "finance.grants")
# Reporting answers the poll in the same process that applies the events: poll
# gently so that the observer does not slow what it observes.
POLL_SECONDS = 0.2
STEPS = (
    ("ready", {"reported_by": "ทีมช่าง"}),
    ("start", {"reported_by": "ทีมช่าง"}),
    ("progress", {"reported_by": "ทีมช่าง", "milestone": "structure", "percent": 50}),
    ("complete", {"inspected_by": "คณะกรรมการ", "actual_cost_satang": 48_500_000}),
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def stream_events(bootstrap: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options())
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(t, p) for t in STREAMS for p in consumer.partitions_for_topic(t) or ()
        ]
        ends = await consumer.end_offsets(partitions)
        return sum(ends.values())
    finally:
        await consumer.stop()


async def one_household(
    survey: httpx.AsyncClient, construction: httpx.AsyncClient, number: int
) -> tuple[float, float]:
    body = household_body(head_name=f"นายวัดผล {number:05d}", **PROVINCE)
    created = await survey.post("/v1/households", json=body)
    created.raise_for_status()
    household_id = created.json()["id"]
    for step in ("screen", "approve"):
        (
            await survey.post(f"/v1/households/{household_id}/{step}", json=COMMITTEE)
        ).raise_for_status()
    approved_at = time.perf_counter()
    while True:  # construction opens the house work from household.approved
        works = await construction.get("/v1/house-works", params={"household_id": household_id})
        items = works.json()["items"]
        if items:
            break
        await asyncio.sleep(0.05)
    base = f"/v1/house-works/{items[0]['id']}"
    for step, step_body in STEPS:
        (await construction.post(f"{base}/{step}", json=step_body)).raise_for_status()
    return approved_at, time.perf_counter()


async def run_pipeline(platform: Platform, households: int, concurrency: int) -> dict[str, Any]:
    events_before = await stream_events(platform.kafka.bootstrap)
    async with platform.client("finance") as finance:
        allocated = await finance.post(
            "/v1/budgets",
            json={
                "programme": "CANAL",
                "fiscal_year": fiscal_year_at(utcnow()),
                "area_level": "province",
                "area_code": PROVINCE["province_code"],
                "amount_satang": households * 14_700_000,
            },
        )
        allocated.raise_for_status()

    counted_at: list[float] = []  # counted_at[k]: when reporting first showed k+1 completed
    finished = asyncio.Event()

    async def watch_reporting() -> None:
        async with platform.client("reporting") as reporting:
            while not finished.is_set():
                report = await reporting.get(
                    "/v1/reports/progress", params={"province_code": PROVINCE["province_code"]}
                )
                rows = report.json()["rows"]
                row = rows[0] if rows else {}
                completed = row.get("completed", 0)
                paid = row.get("grant_disbursed_satang", 0)
                now = time.perf_counter()
                while len(counted_at) < completed:
                    counted_at.append(now)
                if completed >= households and paid >= households * 14_700_000:
                    finished.set()
                    return
                await asyncio.sleep(POLL_SECONDS)

    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(households):
        queue.put_nowait(n)
    journeys: list[tuple[float, float]] = []

    async def worker() -> None:
        async with platform.client("survey") as survey, platform.client("construction") as c:
            while not queue.empty():
                journeys.append(await one_household(survey, c, queue.get_nowait()))

    started = time.perf_counter()
    watcher = asyncio.create_task(watch_reporting())
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await asyncio.wait_for(watcher, timeout=600)
    elapsed = time.perf_counter() - started
    # First completed, first counted: the k-th completion is the k-th count.
    by_completion = sorted(journeys, key=lambda j: j[1])
    latencies = [counted_at[k] - approved for k, (approved, _) in enumerate(by_completion)]
    # Where the time goes: from construction's acknowledged completion to the count.
    tails = [counted_at[k] - completed for k, (_, completed) in enumerate(by_completion)]
    events = await stream_events(platform.kafka.bootstrap) - events_before
    # When the APIs were done: construction acknowledged the last completion.
    driven = max(completed for _, completed in journeys) - started
    return {
        "households": households,
        "elapsed": elapsed,
        "per_second": households / elapsed,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "events": events,
        "driven": driven,
        "tail_p50": percentile(tails, 50),
        "tail_p99": percentile(tails, 99),
    }


BULK_PROVINCE = {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101"}
CANAL_GRANT_SATANG = 14_700_000


def bulk_sheet(households: int) -> bytes:
    """A survey sheet of canal households in one sub-district, Thai headers."""
    from stdnum.th import pin

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(
        [
            "โครงการ",
            "ชื่อหัวหน้าครัวเรือน",
            "เลขประจำตัวประชาชน",
            "รหัสจังหวัด",
            "รหัสอำเภอ",
            "รหัสตำบล",
            "หมู่บ้าน",
            "จำนวนสมาชิก",
            "รายได้ต่อเดือน (บาท)",
            "ความต้องการ",
            "ค่าใช้จ่ายประมาณการ (บาท)",
        ]
    )
    stamp = int(time.time()) % 1_000
    for n in range(households):
        base = f"{3_5000_00000_00 + stamp * 100_000 + n:012d}"
        writer.writerow(
            [
                "ริมคลอง",
                f"นายมติ ที่ประชุม{n}",
                base + pin.calc_check_digit(base),
                *BULK_PROVINCE.values(),
                "ชุมชนริมคลอง",
                4,
                "9000.00",
                "สร้างใหม่",
                500_000,
            ]
        )
    return text.getvalue().encode("utf-8")


async def stream_counts(consumer: AIOKafkaConsumer) -> dict[str, int]:
    partitions = [
        TopicPartition(t, p) for t in STREAMS for p in consumer.partitions_for_topic(t) or ()
    ]
    ends = await consumer.end_offsets(partitions)
    counts = dict.fromkeys(STREAMS, 0)
    for partition, end in ends.items():
        counts[partition.topic] += end
    return counts


async def bulk_setup(platform: Platform, households: int) -> list[str]:
    """Untimed: the budget, the households imported and screened; their ids."""
    async with platform.client("finance") as finance:
        allocated = await finance.post(
            "/v1/budgets",
            json={
                "programme": "CANAL",
                "fiscal_year": fiscal_year_at(utcnow()),
                "area_level": "province",
                "area_code": BULK_PROVINCE["province_code"],
                "amount_satang": households * CANAL_GRANT_SATANG,
            },
        )
        allocated.raise_for_status()
    async with platform.client("survey") as survey:
        started = time.perf_counter()
        imported = await survey.post(
            "/v1/household-imports",
            files={"file": ("bulk.csv", bulk_sheet(households))},
            data={"imported_by": "bench"},
            timeout=3600,
        )
        imported.raise_for_status()
        job = imported.json()
        while job["status"] in ("queued", "running"):
            await asyncio.sleep(0.5)
            polled = await survey.get(f"/v1/household-imports/{job['id']}")
            polled.raise_for_status()
            job = polled.json()
        if job["status"] != "done" or job.get("rows_imported", households) != households:
            raise RuntimeError(f"the import ended {job['status']}: {str(job)[:2000]}")
        ids: list[str] = []
        cursor = None
        while True:
            page = await survey.get(
                "/v1/households",
                params={
                    "province_code": BULK_PROVINCE["province_code"],
                    "status": "surveyed",
                    "limit": 500,
                    **({"cursor": cursor} if cursor else {}),
                },
            )
            page.raise_for_status()
            ids += [h["id"] for h in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if not cursor:
                break
        if len(ids) != households:
            raise RuntimeError(f"{len(ids)} surveyed households found, {households} imported")
        await meetings(survey, ids, "screen")
        print(
            f"setup     : {households} households imported and screened in "
            f"{time.perf_counter() - started:.1f} s (untimed)"
        )
    return ids


def _cpu_ticks(pid: int) -> int:
    """A process's user + system CPU in clock ticks, from /proc (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def _descendants(roots: set[int]) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found = set(roots)
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def cpu_seconds(platform: Platform, postgres: LocalPostgres) -> dict[str, float]:
    """CPU seconds used so far by each service process, the PostgreSQL server (all its
    backends) and the broker: where a CPU-bound run's time goes (2 cores shared)."""
    ticks = os.sysconf("SC_CLK_TCK")
    roots = {name: p.process.pid for name, p in platform.services.items() if p.process}
    for name, pid_file in (
        ("postgres", postgres.pgdata / "postmaster.pid"),
        ("kafka", platform.kafka.pid_file),
    ):
        with contextlib.suppress(OSError, ValueError, IndexError):
            roots[name] = int(pid_file.read_text().split()[0])
    return {
        name: sum(_cpu_ticks(pid) for pid in _descendants({root})) / ticks
        for name, root in roots.items()
    }


async def settle(platform: Platform, consumer: AIOKafkaConsumer, surveyed: int) -> float:
    """Untimed: until survey has published the import's events (``survey.households``
    holds ``surveyed`` records) and construction, finance and reporting have each applied
    that stream to its end, so the timed decision starts on a quiet platform, as a
    committee meets days after the survey (else the setup's backlog is timed with it)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=platform.kafka.bootstrap, **client_options())
    await admin.start()
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < 600:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(SURVEY_STREAM, p)
                for p in consumer.partitions_for_topic(SURVEY_STREAM) or ()
            ]
            ends = await consumer.end_offsets(partitions)
            if partitions and sum(ends.values()) >= surveyed:
                behind = 0
                for group in ("construction", "finance", "reporting"):
                    committed = await admin.list_consumer_group_offsets(
                        group, partitions=partitions
                    )
                    behind += sum(
                        end - max(0, committed[tp].offset if tp in committed else 0)
                        for tp, end in ends.items()
                    )
                if behind <= 0:
                    return time.perf_counter() - started
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    raise RuntimeError("the platform did not settle after the setup within 600 s")


async def run_bulk(platform: Platform, households: int, postgres: LocalPostgres) -> dict[str, Any]:
    consumer = AIOKafkaConsumer(bootstrap_servers=platform.kafka.bootstrap, **client_options())
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        surveyed_before = (await stream_counts(consumer))[SURVEY_STREAM]
        household_ids = await bulk_setup(platform, households)
        waited = await settle(platform, consumer, surveyed_before + households)
        print(f"settled   : the setup's events applied everywhere {waited:.1f} s later (untimed)")
        before = await stream_counts(consumer)
        async with platform.client("reporting") as reporting:
            report = (await reporting.get("/v1/reports/progress")).json()["totals"]
        approved_before, reserved_before = report["approved"], report["grant_approved_satang"]
        reached: dict[str, float] = {}
        finished = asyncio.Event()

        async def watch() -> None:
            # Each stage's "done": survey published every approval, construction planned
            # every house, finance decided every grant, reporting counted every approval
            # and every reserved grant.
            async with platform.client("reporting") as reporting:
                while not finished.is_set():
                    counts = await stream_counts(consumer)
                    totals = (await reporting.get("/v1/reports/progress")).json()["totals"]
                    now = time.perf_counter()
                    stages = {
                        "survey_published": counts[SURVEY_STREAM] - before[SURVEY_STREAM]
                        >= households,
                        "construction_planned": counts["construction.houses"]
                        - before["construction.houses"]
                        >= households,
                        "finance_decided": counts["finance.grants"] - before["finance.grants"]
                        >= households,
                        "reporting_approved": totals["approved"] - approved_before >= households,
                        "reporting_reserved": totals["grant_approved_satang"] - reserved_before
                        >= households * CANAL_GRANT_SATANG,
                    }
                    for stage, done in stages.items():
                        if done and stage not in reached:
                            reached[stage] = now
                    if all(stages.values()):
                        finished.set()
                        return
                    await asyncio.sleep(POLL_SECONDS)

        cpu_before = cpu_seconds(platform, postgres)
        started = time.perf_counter()
        watcher = asyncio.create_task(watch())
        async with platform.client("survey") as survey:
            await meetings(survey, household_ids, "approve")
        answered = time.perf_counter()
        await asyncio.wait_for(watcher, timeout=3600)
        elapsed = max(reached.values()) - started
        cpu = {
            name: spent - cpu_before.get(name, 0.0)
            for name, spent in cpu_seconds(platform, postgres).items()
        }
        after = await stream_counts(consumer)
    finally:
        await consumer.stop()
    events = sum(after.values()) - sum(before.values())
    return {
        "households": households,
        "elapsed": elapsed,
        "per_second": households / elapsed,
        "events": events,
        "survey_answered_s": answered - started,
        **{f"{stage}_s": at - started for stage, at in reached.items()},
        **{f"cpu_{name}_s": spent for name, spent in cpu.items()},
    }


def resident_mib(pid: int) -> float:
    """A process's resident memory (VmRSS) in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def services_memory(platform: Platform) -> dict[str, float]:
    return {name: resident_mib(p.process.pid) for name, p in platform.services.items() if p.process}


async def side_traffic(platform: Platform, stop: asyncio.Event) -> int:
    """Construction and finance answering their own readers while committees decide."""
    requests = 0
    async with (
        platform.client("construction") as construction,
        platform.client("finance") as finance,
    ):
        while not stop.is_set():
            listed = await asyncio.gather(
                construction.get("/v1/house-works", params={"limit": 50}),
                finance.get("/v1/grants", params={"limit": 50}),
            )
            for response in listed:
                response.raise_for_status()
            requests += len(listed)
            await asyncio.sleep(0.2)
    return requests


# Steady mode's stages, read off the streams by a bench consumer of its own (no group):
# an event's ``ce_time`` is when its writer recorded it (in the write's transaction),
# the record's timestamp when the relay handed it to the broker, and the bench's clock
# when it could be read. Both survey's approval and what construction and finance made
# of it carry the household id.
TRACED = {
    "household.approved": "survey",
    "house.planned": "construction",
    "grant.approved": "finance",
    "grant.rejected": "finance",
}


class StageTracer:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        # (stage, household id) -> (written, relayed, read), epoch seconds
        self.seen: dict[tuple[str, str], tuple[float, float, float]] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, **client_options()
        )
        await consumer.start()
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(t, p) for t in STREAMS for p in consumer.partitions_for_topic(t) or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end now, before the first decision
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.time()
            for records in batches.values():
                for record in records:
                    headers = dict(record.headers or ())
                    stage = TRACED.get(headers.get("ce_type", b"").decode())
                    if stage is None:
                        continue
                    household = json.loads(record.value)["household_id"]
                    written = datetime.fromisoformat(headers["ce_time"].decode()).timestamp()
                    self.seen.setdefault(
                        (stage, household), (written, record.timestamp / 1000, now)
                    )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    def decision_stages(self, households: list[str]) -> dict[str, float] | None:
        """Each stage's last household of one decision: written, relayed, read."""
        stages: dict[str, float] = {}
        for stage in ("survey", "construction", "finance"):
            times = [self.seen.get((stage, h)) for h in households]
            if any(t is None for t in times):
                return None
            for n, what in enumerate(("written", "relayed", "read")):
                stages[f"{stage}_{what}"] = max(t[n] for t in times if t is not None)
        return stages


async def run_steady(
    platform: Platform, seconds: float, rate: float, decision_size: int
) -> dict[str, Any]:
    decisions = max(1, round(seconds * rate / decision_size))
    households = decisions * decision_size
    interval = decision_size / rate
    consumer = AIOKafkaConsumer(bootstrap_servers=platform.kafka.bootstrap, **client_options())
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        surveyed_before = (await stream_counts(consumer))[SURVEY_STREAM]
        household_ids = await bulk_setup(platform, households)
        # As in bulk mode: the setup's events applied everywhere before the clock starts,
        # else the first decisions queue behind the import's rate × seconds events.
        waited = await settle(platform, consumer, surveyed_before + households)
        print(f"settled   : the setup's events applied everywhere {waited:.1f} s later (untimed)")
        before = await stream_counts(consumer)
        async with platform.client("reporting") as reporting:
            approved_before = (await reporting.get("/v1/reports/progress")).json()["totals"][
                "approved"
            ]
        memory_start = services_memory(platform)
        tracer = StageTracer(platform.kafka.bootstrap)
        await tracer.start()
        sent_at: list[float] = [0.0] * decisions
        answered_at: list[float] = [0.0] * decisions
        counted_at: list[float] = [0.0] * decisions
        late: list[float] = []
        stop = asyncio.Event()

        async def watch() -> None:
            counted = 0  # decisions whose households the count covers
            async with platform.client("reporting") as reporting:
                while counted < decisions:
                    totals = (await reporting.get("/v1/reports/progress")).json()["totals"]
                    now = time.perf_counter()
                    covered = min(
                        decisions, (totals["approved"] - approved_before) // decision_size
                    )
                    while counted < covered:
                        counted_at[counted] = now
                        counted += 1
                    await asyncio.sleep(POLL_SECONDS)

        async def decide(k: int, survey: httpx.AsyncClient) -> None:
            chunk = household_ids[k * decision_size : (k + 1) * decision_size]
            sent_at[k] = time.perf_counter()
            for response in await meetings(survey, chunk, "approve"):
                response.raise_for_status()
            answered_at[k] = time.perf_counter()

        started = time.perf_counter()
        watcher = asyncio.create_task(watch())
        traffic = asyncio.create_task(side_traffic(platform, stop))
        async with platform.client("survey") as survey:
            sending: list[asyncio.Task[None]] = []
            for k in range(decisions):
                due = started + k * interval
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    late.append(-delay)
                sending.append(asyncio.create_task(decide(k, survey)))
            await asyncio.gather(*sending)
            answered = time.perf_counter()
            await asyncio.wait_for(watcher, timeout=600)
        stop.set()
        side_requests = await traffic
        finished = time.perf_counter()
        # construction's and finance's stages may still be under way after the count
        for _ in range(600):
            if all(
                tracer.decision_stages(household_ids[k * decision_size : (k + 1) * decision_size])
                for k in (0, decisions - 1)
            ):
                break
            await asyncio.sleep(0.1)
        await tracer.stop()
        memory_end = services_memory(platform)
        after = await stream_counts(consumer)
    finally:
        await consumer.stop()
    latencies = [counted - sent for sent, counted in zip(sent_at, counted_at, strict=True)]
    # Where a decision's latency goes: each stage from the decision's request, in epoch
    # seconds on the bench's clock (one machine, one clock for every process).
    epoch = time.time() - time.perf_counter()
    stage_latencies: dict[str, list[float]] = {"answered": [], "counted": latencies}
    for k in range(decisions):
        stages = tracer.decision_stages(household_ids[k * decision_size : (k + 1) * decision_size])
        stage_latencies["answered"].append(answered_at[k] - sent_at[k])
        for stage, at in (stages or {}).items():
            stage_latencies.setdefault(stage, []).append(at - epoch - sent_at[k])
    stage_figures = {
        f"stage_{stage}_{p}": percentile(values, q)
        for stage, values in stage_latencies.items()
        for p, q in (("p50", 50), ("p99", 99), ("max", 100))
        if values
    }
    worst = sorted(range(decisions), key=lambda k: latencies[k])[-3:]
    return {
        "households": households,
        "decisions": decisions,
        "decision_size": decision_size,
        "target_rate": rate,
        "sent_for_s": answered - started,
        "achieved_rate": households / (answered - started),
        "elapsed": finished - started,
        "late_decisions": len(late),
        "latest_s": max(late, default=0.0),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "side_requests": side_requests,
        "events": sum(after.values()) - sum(before.values()),
        "slowest_decisions": [(k, round(sent_at[k] - started, 1)) for k in worst],
        **stage_figures,
        **{f"rss_start_mib_{name}": mib for name, mib in memory_start.items()},
        **{f"rss_end_mib_{name}": mib for name, mib in memory_end.items()},
    }


async def run_raw_kafka(bootstrap: str, events: int) -> dict[str, Any]:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    payload = b"x" * 1024
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=topic,
        auto_offset_reset="earliest",
        **client_options(),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **client_options()
    )
    await consumer.start()
    await producer.start()
    latencies: list[float] = []
    try:
        started = time.perf_counter()

        async def consume() -> None:
            while len(latencies) < events:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    now = time.time()
                    latencies.extend(now - r.timestamp / 1000 for r in batch)

        consuming = asyncio.create_task(consume())
        for n in range(events):
            await producer.send(topic, key=str(n).encode(), value=payload)
        await producer.flush()
        await asyncio.wait_for(consuming, timeout=300)
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()
    return {
        "events": events,
        "elapsed": elapsed,
        "per_second": events / elapsed,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
    }


def describe_machine(postgres: LocalPostgres, kafka: LocalKafka) -> list[str]:
    jars = sorted(p.name for p in kafka.jar_dir.glob("kafka-clients-*.jar"))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return [
        f"machine : {host.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{host.platform()}; load average at start {load}",
        f"versions: Python {host.python_version()}, Kafka {jars[0][14:-4] if jars else '?'}, "
        f"aiokafka {version('aiokafka')}, FastAPI {version('fastapi')}, "
        f"uvicorn {version('uvicorn')}, SQLAlchemy {version('sqlalchemy')}, "
        f"asyncpg {version('asyncpg')}, PostgreSQL {postgres_version(postgres)}",
    ]


def postgres_version(postgres: LocalPostgres) -> str:
    from baan_local._sync import run_sync

    async def ask() -> str:
        import asyncpg

        connection = await asyncpg.connect(postgres.url("postgres", driver=""))
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    return run_sync(ask())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--bulk",
        type=int,
        metavar="N",
        help="bulk mode: one committee decision of N households, to planned, reserved and "
        "counted (instead of --households one by one)",
    )
    parser.add_argument(
        "--steady",
        type=float,
        metavar="SECONDS",
        help="steady mode: committee decisions at --rate approvals a second for SECONDS",
    )
    parser.add_argument("--rate", type=float, default=200.0, help="steady mode: approvals/s")
    parser.add_argument(
        "--decision-size", type=int, default=100, help="steady mode: households per decision"
    )
    parser.add_argument(
        "--all-modes",
        action="store_true",
        help="every mode in turn on one platform: --households, then --bulk N, then --steady "
        "SECONDS (both needed), each printing its own figures",
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args()
    if args.all_modes and not (args.bulk and args.steady):
        parser.error("--all-modes needs --bulk N and --steady SECONDS")
    modes = (
        ["households", "bulk", "steady"]
        if args.all_modes
        else ["steady" if args.steady else "bulk" if args.bulk else "households"]
    )

    work = Path(tempfile.mkdtemp(prefix="baan-bench-pipeline-"))
    postgres = LocalPostgres()
    kafka = LocalKafka(work / "kafka", *free_ports(2))
    postgres.start()
    kafka.start()
    # The bench's own clients connect as the tooling's super user (the services as themselves).
    os.environ.update(kafka.environment())
    processes: Platform | None = None
    try:
        urls = {s: postgres.create_database(f"bench_{s}") for s in SERVICE_NAMES}
        # Calls go as the national office (platform.client's token), its allowance
        # raised so that the partner rate limit does not cap the figures.
        processes = start_platform(
            kafka, urls, work / "logs", AUTH_RATE_LIMIT_OVERRIDES='{"baan-national": 1000000}'
        )
        asyncio.run(processes.wait_ready())
        for line in describe_machine(postgres, kafka):
            print(line)
        results = []
        for mode in modes:
            if mode == "steady":
                size = (
                    f"decisions of {args.decision_size} households at {args.rate:g} "
                    f"approvals/s for {args.steady:g} s"
                )
            elif mode == "bulk":
                size = f"one committee decision of {args.bulk} households"
            else:
                size = f"{args.households} households, {args.concurrency} at a time"
            print(
                f"settings: {size}, one process per service, 3 partitions per stream, relay "
                "idle 0.1 s, PostgreSQL fsync off, bearer tokens checked on every request"
            )
            if mode == "steady":
                pipeline = asyncio.run(
                    run_steady(processes, args.steady, args.rate, args.decision_size)
                )
            elif mode == "bulk":
                pipeline = asyncio.run(run_bulk(processes, args.bulk, postgres))
            else:
                pipeline = asyncio.run(run_pipeline(processes, args.households, args.concurrency))
            raw = asyncio.run(run_raw_kafka(kafka.bootstrap, pipeline["events"]))
            results.append((mode, pipeline, raw))
    finally:
        if processes is not None:
            for process in processes.services.values():
                process.stop()
        kafka.stop()
        postgres.stop()
    for mode, pipeline, raw in results:
        if mode == "steady":
            print_steady(pipeline, raw, args.json)
        elif mode == "bulk":
            print_bulk(pipeline, raw, args.json)
        else:
            print_households(pipeline, raw, args.json)


def print_households(pipeline: dict[str, Any], raw: dict[str, Any], as_json: bool) -> None:
    print(
        f"pipeline  : {pipeline['households']} households in {pipeline['elapsed']:.1f} s = "
        f"{pipeline['per_second']:.2f} households/s; approval → report p50 "
        f"{pipeline['p50']:.2f} s, p99 {pipeline['p99']:.2f} s; {pipeline['events']} events"
    )
    print(
        f"            of which completion → report p50 {pipeline['tail_p50']:.2f} s, "
        f"p99 {pipeline['tail_p99']:.2f} s; the APIs had driven all {pipeline['households']} "
        f"to completed after {pipeline['driven']:.1f} s"
    )
    print(
        f"raw Kafka : {raw['events']} events in {raw['elapsed']:.2f} s = "
        f"{raw['per_second']:,.0f} events/s; produce → consume p50 {raw['p50'] * 1000:.1f} ms, "
        f"p99 {raw['p99'] * 1000:.1f} ms (baseline)"
    )
    if as_json:
        figures = {f"pipeline_{k}": v for k, v in pipeline.items()}
        figures.update({f"raw_kafka_{k}": v for k, v in raw.items()})
        print(json.dumps({"benchmark": "pipeline", **figures}, default=float))


def print_bulk(pipeline: dict[str, Any], raw: dict[str, Any], as_json: bool) -> None:
    print(
        f"bulk      : {pipeline['households']} households approved in one decision, planned, "
        f"reserved and counted in {pipeline['elapsed']:.1f} s = "
        f"{pipeline['per_second']:,.0f} households/s; {pipeline['events']} events"
    )
    stages = ", ".join(
        f"{stage.removesuffix('_s').replace('_', ' ')} {pipeline[stage]:.1f} s"
        for stage in (
            "survey_answered_s",
            "survey_published_s",
            "construction_planned_s",
            "finance_decided_s",
            "reporting_approved_s",
            "reporting_reserved_s",
        )
    )
    print(f"            all N reached, from the first request: {stages}")
    cpu = ", ".join(
        f"{key[4:-2]} {value:.1f} s" for key, value in pipeline.items() if key.startswith("cpu_")
    )
    print(f"            CPU time used meanwhile (from the first request to the last stage): {cpu}")
    print(
        f"raw Kafka : {raw['events']} events in {raw['elapsed']:.2f} s = "
        f"{raw['per_second']:,.0f} events/s; produce → consume p50 {raw['p50'] * 1000:.1f} ms, "
        f"p99 {raw['p99'] * 1000:.1f} ms (baseline)"
    )
    if as_json:
        figures = {f"bulk_{k}": v for k, v in pipeline.items()}
        figures.update({f"raw_kafka_{k}": v for k, v in raw.items()})
        print(json.dumps({"benchmark": "pipeline", **figures}, default=float))


def print_steady(steady: dict[str, Any], raw: dict[str, Any], as_json: bool) -> None:
    print(
        f"steady    : {steady['decisions']} decisions of {steady['decision_size']} = "
        f"{steady['households']} approvals sent in {steady['sent_for_s']:.1f} s = "
        f"{steady['achieved_rate']:,.0f}/s (target {steady['target_rate']:g}/s; "
        f"{steady['late_decisions']} sent late, the latest by {steady['latest_s']:.2f} s); "
        f"{steady['side_requests']} construction and finance reads beside them"
    )
    print(
        f"            approval → report p50 {steady['p50']:.2f} s, p99 {steady['p99']:.2f} s, "
        f"max {steady['max']:.2f} s; {steady['events']} events"
    )
    names = sorted(k.removeprefix("rss_start_mib_") for k in steady if k.startswith("rss_start"))
    memory = ", ".join(
        f"{n} {steady[f'rss_start_mib_{n}']:.0f} → {steady[f'rss_end_mib_{n}']:.0f}" for n in names
    )
    print(f"memory    : resident MiB at start → end: {memory}")
    stages = [k.removeprefix("stage_").removesuffix("_p50") for k in steady if k.endswith("_p50")]
    for stage in sorted(stages, key=lambda s: steady[f"stage_{s}_p50"]):
        print(
            f"stage     : request → {stage:<20} p50 {steady[f'stage_{stage}_p50']:6.2f} s, "
            f"p99 {steady[f'stage_{stage}_p99']:6.2f} s, max {steady[f'stage_{stage}_max']:6.2f} s"
        )
    slowest = ", ".join(f"#{k} sent at {at:g} s" for k, at in steady["slowest_decisions"])
    print(f"            the slowest decisions: {slowest}")
    print(
        f"raw Kafka : {raw['events']} events in {raw['elapsed']:.2f} s = "
        f"{raw['per_second']:,.0f} events/s; produce → consume p50 {raw['p50'] * 1000:.1f} ms, "
        f"p99 {raw['p99'] * 1000:.1f} ms (baseline)"
    )
    if as_json:
        figures = {f"steady_{k}": v for k, v in steady.items()}
        figures.update({f"raw_kafka_{k}": v for k, v in raw.items()})
        print(json.dumps({"benchmark": "pipeline", **figures}, default=float))


if __name__ == "__main__":
    main()

"""One service instance over HTTP, beside a minimal FastAPI app on the same PostgreSQL.

    .venv/bin/python bench/http_service.py --requests 2000 --concurrency 16

Survey runs as one uvicorn process (one worker) on its own database, its
consumer and relay switched off so that only the request path is measured
(the outbox row is still written with each registration, and stays pending).
The baseline is the smallest honest FastAPI app, also one uvicorn process, on
another database of the same server: asyncpg pool, one table, the same
single-row primary-key SELECT for the read, and for the write the same two rows
(a household and its outbox event) inserted in one transaction.

Reads are GET /v1/households/{id} over households registered beforehand;
writes are POST /v1/households. The client is httpx in this process, the same
for both: on a small machine it takes part of the CPU the servers could use,
equally for both. ``--rounds N`` splits each kind's requests into N slices
taken in turn (survey, baseline, survey, ...), so that a shared machine whose
load changes during the run weighs on both sides alike.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pipeline import describe_machine, percentile
from platform_harness import household_body

from baan_local.dev_issuer import DevIssuer
from baan_local.kafka import LocalKafka
from baan_local.ports import free_port, free_ports
from baan_local.postgres import LocalPostgres
from baan_local.services import ServiceProcess
from baan_shared import registry

PROVINCE = {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"}

# -- the baseline app ------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS households (
    id uuid PRIMARY KEY, programme text NOT NULL, head_name text NOT NULL,
    national_id text NOT NULL, province_code text NOT NULL, district_code text NOT NULL,
    subdistrict_code text NOT NULL, village text, household_size int NOT NULL,
    monthly_income_satang bigint NOT NULL, need text NOT NULL,
    estimated_cost_satang bigint NOT NULL, status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS outbox (
    id uuid PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL,
    type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
"""


def baseline_app() -> FastAPI:
    """`uvicorn --factory http_service:baseline_app`; BASELINE_DSN names the database."""
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["db"] = await asyncpg.create_pool(os.environ["BASELINE_DSN"], min_size=5, max_size=10)
        async with pool["db"].acquire() as connection:
            await connection.execute(SCHEMA)
        yield
        await pool["db"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/households/{household_id}")
    async def read(household_id: uuid.UUID) -> dict[str, Any]:
        row = await pool["db"].fetchrow("SELECT * FROM households WHERE id = $1", household_id)
        return dict(row) if row else {}

    @app.post("/households", status_code=201)
    async def write(body: dict[str, Any]) -> dict[str, Any]:
        household_id = uuid.uuid4()
        async with pool["db"].acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO households (id, programme, head_name, national_id, province_code,"
                " district_code, subdistrict_code, village, household_size,"
                " monthly_income_satang, need, estimated_cost_satang, status)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'surveyed')",
                household_id,
                body["programme"],
                body["head_name"],
                body["national_id"],
                body["province_code"],
                body["district_code"],
                body["subdistrict_code"],
                body.get("village"),
                body["household_size"],
                body["monthly_income_satang"],
                body["need"],
                body["estimated_cost_satang"],
            )
            await connection.execute(
                "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload)"
                " VALUES ($1, 'household', $2, 'household.surveyed', $3::jsonb)",
                uuid.uuid4(),
                str(household_id),
                json.dumps(body),
            )
        return {"id": str(household_id)}

    return app


# -- load -------------------------------------------------------------------------


async def hammer(
    base_url: str, requests: int, concurrency: int, request: Any, headers: dict[str, str]
) -> tuple[float, list[float]]:
    """``requests`` calls of ``request(http, n)``, ``concurrency`` at a time."""
    latencies: list[float] = []
    numbers = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=limits, headers=headers
    ) as http:

        async def worker() -> None:
            for n in numbers:
                began = time.perf_counter()
                response = await request(http, n)
                latencies.append(time.perf_counter() - began)
                if response.status_code >= 400:
                    raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies


class Target:
    """One server under test: where it is, how to read and write, and what it was seeded with."""

    def __init__(
        self,
        label: str,
        base_url: str,
        path: str,
        headers: dict[str, str],
        args: argparse.Namespace,
    ) -> None:
        self.label = label
        self.base_url = base_url
        self.path = path
        self.headers = headers
        self.args = args
        self.seeded: list[str] = []
        self.rng = random.Random(2562)
        self.elapsed = {"read": 0.0, "write": 0.0}
        self.latencies: dict[str, list[float]] = {"read": [], "write": []}
        # The server's process id, when its timed slices are to be sampled by py-spy.
        self.pid: int | None = None

    async def write(self, http: httpx.AsyncClient, n: int) -> httpx.Response:
        body = household_body(head_name=f"นายวัดผล {self.label} {n:06d}", **PROVINCE)
        response = await http.post(self.path, json=body)
        if response.status_code == 201:
            self.seeded.append(response.json()["id"])
        return response

    async def read(self, http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.get(f"{self.path}/{self.rng.choice(self.seeded)}")

    async def seed(self) -> None:
        """Warm up and register the households the reads will fetch (not timed)."""
        await hammer(self.base_url, self.args.seed, self.args.concurrency, self.write, self.headers)

    async def run(self, kind: str, requests: int, slice_number: int = 0) -> None:
        call = self.read if kind == "read" else self.write
        sampler = self.sample(kind, slice_number)
        try:
            elapsed, latencies = await hammer(
                self.base_url, requests, self.args.concurrency, call, self.headers
            )
        finally:
            if sampler is not None:
                sampler.send_signal(signal.SIGINT)  # py-spy writes its file and exits
                sampler.wait(60)
        self.elapsed[kind] += elapsed
        self.latencies[kind] += latencies

    def sample(self, kind: str, slice_number: int) -> "subprocess.Popen[bytes] | None":
        """``--py-spy``: sample this server's process during one timed slice, into
        ``<profile-dir>/<label>-<kind>-<slice>.txt`` (collapsed stacks, one per line)."""
        if self.pid is None or not self.args.py_spy:
            return None
        out = Path(self.args.profile_dir) / f"{self.label}-{kind}-{slice_number}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        command = [self.args.py_spy, "record", "--pid", str(self.pid), "--rate", "250"]
        command += ["--format", "raw", "--nonblocking", "--output", str(out)]
        sampler = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # attached before the first request
        return sampler


async def measure(targets: list[Target], args: argparse.Namespace) -> None:
    """Each kind of request on each target, in ``--rounds`` slices taken in turn
    (survey, baseline, survey, ...), so that a machine whose load changes during the
    run slows both sides alike rather than whichever ran in the busy minute."""
    for target in targets:
        await target.seed()
    slices = [args.requests // args.rounds] * args.rounds
    slices[-1] += args.requests - sum(slices)
    for kind in ("read", "write"):
        for number, requests in enumerate(slices):
            for target in targets:
                await target.run(kind, requests, number)


def figures_of(target: Target, args: argparse.Namespace, figures: dict[str, float]) -> list[str]:
    lines = []
    for kind, title in (("read", "read  (one household)"), ("write", "write (household + outbox)")):
        per_second = args.requests / target.elapsed[kind]
        latencies = target.latencies[kind]
        name = f"{target.label}_{kind}"
        figures[f"{name}_per_second"] = round(per_second, 1)
        figures[f"{name}_p50_ms"] = round(percentile(latencies, 50) * 1000, 1)
        figures[f"{name}_p99_ms"] = round(percentile(latencies, 99) * 1000, 1)
        lines.append(
            f"{target.label:<9} {title:<27} {per_second:8,.0f} req/s   "
            f"p50 {percentile(latencies, 50) * 1000:6.1f} ms   "
            f"p99 {percentile(latencies, 99) * 1000:6.1f} ms"
        )
    return lines


def wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per kind of request")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=500, help="households registered first")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split each kind's requests into this many slices, survey and baseline in turn",
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    parser.add_argument(
        "--py-spy",
        metavar="PATH",
        help="a py-spy executable: sample survey's process during each timed slice "
        "(a profiling aid: the sampler takes CPU, so the figures of such a run are not comparable)",
    )
    parser.add_argument(
        "--profile-dir",
        default="bench-http-profiles",
        help="where --py-spy writes survey-<kind>-<slice>.txt",
    )
    args = parser.parse_args()
    args.rounds = max(1, min(args.rounds, args.requests))
    figures: dict[str, float] = {}

    work = Path(tempfile.mkdtemp(prefix="baan-bench-http-"))
    postgres = LocalPostgres()
    postgres.start()
    # Only for describe_machine's Kafka version line; never started.
    kafka = LocalKafka(work / "kafka", *free_ports(2))
    survey: ServiceProcess | None = None
    baseline: subprocess.Popen[bytes] | None = None
    try:
        spec = registry.service("survey")
        issuer = DevIssuer()
        token = issuer.token_for("baan-national")
        survey = ServiceProcess(
            spec,
            free_port(),
            {
                # The real request path checks a bearer token and counts the client's
                # requests against its rate limit; the allowance is raised, not removed.
                **issuer.service_environment(embed_jwks=True),
                "AUTH_RATE_LIMIT_OVERRIDES": '{"baan-national": 100000000}',
                "SURVEY_DATABASE_URL": postgres.create_database("bench_survey"),
                "SURVEY_CONSUMER_ENABLED": "false",
                "SURVEY_RELAY_ENABLED": "false",
                "SURVEY_CREATE_TOPICS": "false",
                "SURVEY_LOG_LEVEL": "WARNING",
                "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",  # never contacted
            },
            work / "survey.log",
        )
        survey.start()
        survey.wait_live()
        port = free_port()
        with (work / "baseline.log").open("ab") as log:
            baseline = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "http_service:baseline_app",
                    "--app-dir",
                    str(Path(__file__).resolve().parent),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                env={
                    **os.environ,
                    "BASELINE_DSN": postgres.url(
                        postgres.create_database("bench_baseline").rsplit("/", 1)[1], driver=""
                    ),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_http(f"http://127.0.0.1:{port}/docs")
        for line in describe_machine(postgres, kafka):
            print(line)
        print(
            f"settings: {args.requests} requests per kind, {args.concurrency} at a time, "
            f"{args.seed} households seeded; {args.rounds} round(s) taken in turn; "
            "one uvicorn worker each; survey's consumer and "
            "relay off; survey checks a bearer token and the client's rate limit on each request "
            "(the baseline does neither); PostgreSQL fsync off"
        )
        targets = [
            Target(
                "survey",
                survey.url,
                "/v1/households",
                {"authorization": f"Bearer {token}"},
                args,
            ),
            Target("baseline", f"http://127.0.0.1:{port}", "/households", {}, args),
        ]
        if survey.process is not None:
            targets[0].pid = survey.process.pid
        asyncio.run(measure(targets, args))
    finally:
        if baseline is not None:
            baseline.terminate()
            baseline.wait(30)
        if survey is not None:
            survey.stop()
        postgres.stop()
    for target in targets:
        for line in figures_of(target, args, figures):
            print(line)
    for kind in ("read", "write"):
        figures[f"{kind}_ratio_to_baseline"] = round(
            figures[f"survey_{kind}_per_second"] / figures[f"baseline_{kind}_per_second"], 3
        )
    if args.json:
        print(json.dumps({"benchmark": "http_service", **figures}))


if __name__ == "__main__":
    main()

"""Load a year of members' monthly contribution sheets into PostgreSQL through
welfare's real file endpoint; compare with COPY of the same rows.

    .venv/bin/python bench/welfare_contributions.py --members 20000 --months 12
    .venv/bin/python bench/welfare_contributions.py --members 20000 --rows 20000 --fund-size 20000
    .venv/bin/python bench/welfare_contributions.py --database-url postgresql+asyncpg://...

Without --database-url it starts a throw-away PostgreSQL server (the test tooling's),
with any ``--pg-setting`` parameters (``make bench-welfare-year`` sizes it for a bulk load).
Funds are registered through the API; their members are then written with COPY
(setup, not timed: joining is one request per person and not what is measured).
Each fund's committee then uploads one CSV sheet a month with Thai headers
(เลขประจำตัวประชาชน, วันที่ชำระ, จำนวนเงิน, เลขที่ใบเสร็จ) through
``POST /v1/funds/{id}/contribution-sheets/file`` in-process, month by month as
committees send them: parsing, every rule, the bulk write and the fund's books. The
baseline is COPY of each same CSV file into a table of text columns, i.e. the
database's own floor for these bytes. ``--fund-size`` members per fund (1,100 by
default: 6.5 million members in 5,915 funds) sets the rows per sheet; ``--months``
(12: a year) the sheets per fund, or ``--rows`` stops after that many rows. A sheet's
file is written just before its upload and removed after its COPY, so disk and memory
stay those of one sheet however long the run (the national year, 6.5 million members
× 12 months = 78 million rows, is ``make bench-welfare-year``; hours on a laptop).

Then the fund balance as a committee reads it (``GET /v1/funds/{id}/books``: the
fund's totals and the check that they equal its movements) for ``--requests``
random funds, p50 and p95, beside the plain SQL read of the same fund's row.
"""

import argparse
import asyncio
import csv
import json
import math
import random
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import geothai
import httpx
from stdnum.th import pin

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from welfare.main import create_app
from welfare.settings import WelfareSettings

HEADER = ["เลขประจำตัวประชาชน", "วันที่ชำระ", "จำนวนเงิน (บาท)", "เลขที่ใบเสร็จ"]
FIRST_ID = 3_6000_00000_00


def national_id(serial: int) -> str:
    base = f"{FIRST_ID + serial:012d}"
    return base + pin.calc_check_digit(base)


def peak_memory_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plan_sheets(
    funds: int, fund_size: int, members: int, months: int, rows: int
) -> Iterator[tuple[int, int, range]]:
    """(fund index, month, member serials) of each committee's monthly sheet, month by
    month (every fund's January, then every fund's February...), until ``months``
    months or ``rows`` rows."""
    written = 0
    for month in range(months):
        for fund in range(funds):
            first = fund * fund_size
            take = range(first, min(first + fund_size, members, first + rows - written))
            if not take:
                return
            yield fund, month, take
            written += len(take)


def paid_on(month: int) -> date:
    """The sheet's payment day: the 28th of each month of 2025 (then back a year)."""
    return date(2025 - month // 12, 1 + month % 12, 28)


def write_sheet(path: Path, month: int, serials: range) -> None:
    day = paid_on(month).isoformat()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(
            [national_id(serial), day, "31", f"M{month}-{serial}"] for serial in serials
        )


async def add_members(url: str, fund_ids: list[str], fund_size: int, members: int) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        now = datetime.now(UTC)
        for start in range(0, members, 100_000):  # memory of 100,000 members at a time
            records = [
                (
                    uuid.uuid4(),
                    uuid.UUID(fund_ids[serial // fund_size]),
                    national_id(serial),
                    f"สมาชิก {serial}",
                    date(2020, 1, 1),
                    "active",
                    None,
                    now,
                    now,
                )
                for serial in range(start, min(start + 100_000, members))
            ]
            await connection.copy_records_to_table(
                "welfare_members",
                columns=[
                    "id", "fund_id", "national_id", "name", "joined_on", "status", "ended_on",
                    "created_at", "updated_at",
                ],
                records=records,
            )  # fmt: skip
    finally:
        await connection.close()


class Load:
    """What the run measured, added up sheet by sheet."""

    def __init__(self) -> None:
        self.sheets = self.rows = self.total_satang = 0
        self.import_seconds = self.copy_seconds = 0.0


async def upload_year(
    http: httpx.AsyncClient,
    copying: asyncpg.Connection,
    fund_ids: list[str],
    plan: Iterator[tuple[int, int, range]],
    folder: Path,
) -> Load:
    """Each sheet written, uploaded (timed), COPYed as the baseline (timed) and removed."""
    load = Load()
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    await copying.execute(f"CREATE TABLE bench_copy ({columns})")
    month_started, month_rows, current = time.perf_counter(), 0, 0
    for fund, month, serials in plan:
        if month != current:
            report_month(current, month_rows, time.perf_counter() - month_started)
            month_started, month_rows, current = time.perf_counter(), 0, month
        path = folder / f"fund{fund}-{month}.csv"
        write_sheet(path, month, serials)
        started = time.perf_counter()
        with path.open("rb") as upload:
            answer = await http.post(
                f"/v1/funds/{fund_ids[fund]}/contribution-sheets/file",
                files={"file": (path.name, upload)},
            )
        load.import_seconds += time.perf_counter() - started
        if answer.status_code != 201:
            raise RuntimeError(f"{path.name}: {answer.status_code} {answer.text[:2000]}")
        started = time.perf_counter()
        await copying.copy_to_table("bench_copy", source=path, format="csv", header=True)
        load.copy_seconds += time.perf_counter() - started
        path.unlink()
        load.sheets += 1
        load.rows += answer.json()["rows"]
        month_rows += answer.json()["rows"]
        load.total_satang += answer.json()["total_satang"]
    report_month(current, month_rows, time.perf_counter() - month_started)
    return load


def report_month(month: int, rows: int, seconds: float) -> None:
    print(
        f"  month {month + 1:2d}: {rows:,} rows in {seconds:.1f} s (sheets, COPY, files)",
        flush=True,
    )


async def fund_balances(
    http: httpx.AsyncClient, copying: asyncpg.Connection, fund_ids: list[str], requests: int
) -> tuple[list[float], list[float], int]:
    """GET /v1/funds/{id}/books for random funds, the same funds' rows by plain SQL
    (the baseline), and the contributions on all funds' books (every one balanced)."""
    rng = random.Random(19)
    asked = [rng.choice(fund_ids) for _ in range(requests)]
    served, plain = [], []
    for fund_id in asked:
        started = time.perf_counter()
        answer = await http.get(f"/v1/funds/{fund_id}/books")
        served.append(time.perf_counter() - started)
        answer.raise_for_status()
    for fund_id in asked:
        started = time.perf_counter()
        await copying.fetchrow("SELECT * FROM welfare_funds WHERE id = $1", uuid.UUID(fund_id))
        plain.append(time.perf_counter() - started)
    contributions = 0
    for fund_id in fund_ids:
        books = (await http.get(f"/v1/funds/{fund_id}/books")).json()
        if not books["balanced"]:
            raise RuntimeError(f"fund {fund_id}'s books do not balance: {books}")
        contributions += books["contributions_satang"]
    return served, plain, contributions


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, url: str, folder: Path) -> None:
    settings = WelfareSettings(
        database_url=url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_level="WARNING",
    )
    # The real request path: a national client's bearer token, checked against the
    # development issuer's keys (embedded, so no issuer process is needed).
    issuer = DevIssuer()
    # A partner's allowance (600 requests a minute) would refuse the national size's
    # 5,897 funds and their sheets after the first 600: the office gets one that never binds.
    auth = AuthSettings(
        issuer=issuer.issuer,
        jwks_json=json.dumps(issuer.jwks()),
        rate_limit_overrides={"baan-national": 1_000_000_000},
    )
    app = create_app(settings, auth)
    members, fund_size = args.members, args.fund_size
    funds = math.ceil(members / fund_size)
    rows = args.rows if args.rows is not None else members * args.months
    # One fund per tambon (welfare refuses a second): the national size's 5,897 funds
    # need tambons from every province, the smaller sizes take the first ones listed.
    tambons = [
        s.code
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    if funds > len(tambons):
        raise SystemExit(f"{funds:,} funds need more tambons than the country's {len(tambons):,}")
    copying = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://welfare",
            timeout=3600,
            auth=issuer.auth("baan-national"),  # a year outlives a token
        ) as http:
            fund_ids = []
            for n in range(funds):
                answer = await http.post(
                    "/v1/funds",
                    json={
                        "kind": "tambon",
                        "name": f"กองทุนสวัสดิการชุมชน {n}",
                        "subdistrict_code": tambons[n],
                        "registered_on": "2010-01-01",
                        "committee": [{"name": "นางสมศรี ใจดี", "role": "chair"}],
                    },
                )
                answer.raise_for_status()
                fund_ids.append(answer.json()["id"])
            await add_members(url, fund_ids, fund_size, members)
            print(f"members: {members:,}  funds: {funds:,}  rows to load: {rows:,}", flush=True)
            plan = plan_sheets(funds, fund_size, members, args.months, rows)
            load = await upload_year(http, copying, fund_ids, plan, folder)
            served, plain, contributions = await fund_balances(
                http, copying, fund_ids, args.requests
            )
    # What the data takes on disk, to size a production database by (Helm values).
    database_bytes, contributions_bytes = await copying.fetchrow(
        "SELECT pg_database_size(current_database()), "
        "pg_total_relation_size('welfare_contributions')"
    )
    await copying.close()
    memory = peak_memory_mb()
    print(f"sheets: {load.sheets:,}  rows recorded: {load.rows:,}")
    speed, floor = load.rows / load.import_seconds, load.rows / load.copy_seconds
    print(f"welfare sheets : {load.import_seconds:8.2f} s  {speed:10,.0f} rows/s")
    print(f"PostgreSQL COPY: {load.copy_seconds:8.2f} s  {floor:10,.0f} rows/s (baseline)")
    print(f"ratio to COPY  : {load.copy_seconds / load.import_seconds:8.3f}")
    print(f"peak memory    : {memory:8.0f} MB (the whole process)")
    print(
        f"on disk        : {database_bytes / 2**30:8.2f} GiB database, "
        f"{contributions_bytes / 2**30:.2f} GiB of it contributions with their indexes"
    )
    latency = {
        "fund_balance_p50_ms": round(percentile(served, 0.5) * 1000, 2),
        "fund_balance_p95_ms": round(percentile(served, 0.95) * 1000, 2),
        "fund_balance_sql_p50_ms": round(percentile(plain, 0.5) * 1000, 2),
        "fund_balance_sql_p95_ms": round(percentile(plain, 0.95) * 1000, 2),
    }
    print(
        f"GET fund books : p50 {latency['fund_balance_p50_ms']:6.1f} ms  "
        f"p95 {latency['fund_balance_p95_ms']:6.1f} ms  ({args.requests} random funds)"
    )
    print(
        f"SQL fund row   : p50 {latency['fund_balance_sql_p50_ms']:6.1f} ms  "
        f"p95 {latency['fund_balance_sql_p95_ms']:6.1f} ms  (baseline)"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "welfare_contributions",
                    "members": members,
                    "months": args.months,
                    "rows": rows,
                    "fund_size": fund_size,
                    "funds": funds,
                    "sheets": load.sheets,
                    "rows_recorded": load.rows,
                    "total_satang": load.total_satang,
                    "books_contributions_satang": contributions,
                    "import_seconds": round(load.import_seconds, 3),
                    "import_rows_per_second": round(speed, 1),
                    "copy_seconds": round(load.copy_seconds, 3),
                    "copy_rows_per_second": round(floor, 1),
                    "ratio_to_copy": round(load.copy_seconds / load.import_seconds, 4),
                    "peak_memory_mb": round(memory, 1),
                    "database_bytes": database_bytes,
                    "contributions_bytes": contributions_bytes,
                    **latency,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=12, help="monthly sheets per fund")
    parser.add_argument("--rows", type=int, help="stop after this many rows (default: all)")
    parser.add_argument("--fund-size", type=int, default=1_100, help="members per fund")
    parser.add_argument("--requests", type=int, default=100, help="timed fund balance reads")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (asyncpg URL)")
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server parameter for the throw-away PostgreSQL (repeatable), "
        "e.g. shared_buffers=4GB for the national year",
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args()
    settings = {}
    for setting in args.pg_setting:
        name, equals, value = setting.partition("=")
        if not equals or not name or not value:
            parser.error(f"--pg-setting {setting!r}: expected NAME=VALUE")
        settings[name] = value
    with tempfile.TemporaryDirectory(prefix="welfare-bench-") as folder:
        if args.database_url:
            asyncio.run(run(args, args.database_url, Path(folder)))
            return
        from baan_local.postgres import LocalPostgres

        server = LocalPostgres(settings=settings)
        server.start()
        if settings:
            print("PostgreSQL: " + "  ".join(f"{k}={v}" for k, v in settings.items()), flush=True)
        try:
            url = server.create_database("welfare_bench")
            asyncio.run(run(args, url, Path(folder)))
        finally:
            server.stop()


if __name__ == "__main__":
    main()

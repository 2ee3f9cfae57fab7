"""Import members' monthly contribution sheets into PostgreSQL through welfare's real
file endpoint; compare with COPY of the same rows.

    .venv/bin/python bench/welfare_contributions.py --members 2000 --rows 20000
    .venv/bin/python bench/welfare_contributions.py --database-url postgresql+asyncpg://...

Without --database-url it starts a throw-away PostgreSQL server (the test tooling's).
Funds are registered through the API; their members are then written with COPY
(setup, not timed: joining is one request per person and not what is measured).
Each fund's committee then uploads one CSV sheet a month with Thai headers
(เลขประจำตัวประชาชน, วันที่ชำระ, จำนวนเงิน, เลขที่ใบเสร็จ) through
``POST /v1/funds/{id}/contribution-sheets/file`` in-process: parsing, every rule,
the bulk write, the members' totals and the fund's books. The baseline is COPY of
the same CSV files into a table of text columns, i.e. the database's own floor for
these bytes. ``--fund-size`` members per fund (1,100 by default: 6.5 million members
in 5,915 funds) sets the rows per sheet.
"""

import argparse
import asyncio
import csv
import json
import math
import resource
import tempfile
import time
import uuid
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


def write_sheets(
    folder: Path, funds: int, fund_size: int, members: int, rows: int
) -> list[tuple[int, Path, int]]:
    """(fund index, CSV file, rows) of each committee's monthly sheet, month by month,
    until ``rows`` rows are written."""
    sheets: list[tuple[int, Path, int]] = []
    written = 0
    month = 0
    while written < rows:
        paid_on = date(2025, 1 + month % 12, 28).replace(year=2025 - month // 12)
        for fund in range(funds):
            first = fund * fund_size
            people = range(first, min(first + fund_size, members))
            take = list(people)[: rows - written]
            if not take:
                break
            path = folder / f"fund{fund}-{month}.csv"
            with path.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(HEADER)
                for serial in take:
                    writer.writerow(
                        [national_id(serial), paid_on.isoformat(), "31", f"M{month}-{serial}"]
                    )
            sheets.append((fund, path, len(take)))
            written += len(take)
        month += 1
    return sheets


async def add_members(url: str, fund_ids: list[str], fund_size: int, members: int) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        now = datetime.now(UTC)
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
            for serial in range(members)
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


async def import_through_api(
    url: str, members: int, fund_size: int, rows: int, folder: Path
) -> tuple[float, list[Path], dict[str, int]]:
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
    auth = AuthSettings(issuer=issuer.issuer, jwks_json=json.dumps(issuer.jwks()))
    app = create_app(settings, auth)
    funds = math.ceil(members / fund_size)
    tambons = [s.code for d in geothai.districts("40") for s in geothai.subdistricts(d.code)]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://welfare",
            timeout=3600,
            headers={"Authorization": f"Bearer {issuer.token_for('baan-national')}"},
        ) as http:
            fund_ids = []
            for n in range(funds):
                answer = await http.post(
                    "/v1/funds",
                    json={
                        "kind": "tambon",
                        "name": f"กองทุนสวัสดิการชุมชน {n}",
                        "subdistrict_code": tambons[n % len(tambons)],
                        "registered_on": "2010-01-01",
                        "committee": [{"name": "นางสมศรี ใจดี", "role": "chair"}],
                    },
                )
                answer.raise_for_status()
                fund_ids.append(answer.json()["id"])
            await add_members(url, fund_ids, fund_size, members)
            sheets = write_sheets(folder, funds, fund_size, members, rows)
            recorded = total = 0
            started = time.perf_counter()
            for fund, path, _ in sheets:
                with path.open("rb") as upload:
                    answer = await http.post(
                        f"/v1/funds/{fund_ids[fund]}/contribution-sheets/file",
                        files={"file": (path.name, upload)},
                    )
                if answer.status_code != 201:
                    raise RuntimeError(f"{path.name}: {answer.status_code} {answer.text[:2000]}")
                recorded += answer.json()["rows"]
                total += answer.json()["total_satang"]
            elapsed = time.perf_counter() - started
            balances = 0
            for fund_id in fund_ids:
                books = (await http.get(f"/v1/funds/{fund_id}/books")).json()
                if not books["balanced"]:
                    raise RuntimeError(f"fund {fund_id}'s books do not balance: {books}")
                balances += books["contributions_satang"]
    figures = {"funds": funds, "sheets": len(sheets), "rows_recorded": recorded,
               "total_satang": total, "books_contributions_satang": balances}  # fmt: skip
    return elapsed, [path for _, path, _ in sheets], figures


async def copy_baseline(url: str, sheets: list[Path]) -> float:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        await connection.execute(f"CREATE TABLE bench_copy ({columns})")
        started = time.perf_counter()
        for sheet in sheets:
            await connection.copy_to_table("bench_copy", source=sheet, format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await connection.close()


async def run(members: int, rows: int, fund_size: int, url: str, as_json: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="welfare-bench-") as folder:
        elapsed, sheets, figures = await import_through_api(
            url, members, fund_size, rows, Path(folder)
        )
        baseline = await copy_baseline(url, sheets)
    memory = peak_memory_mb()
    recorded = figures["rows_recorded"]
    print(
        f"members: {members:,}  funds: {figures['funds']:,}  sheets: {figures['sheets']:,}  "
        f"rows recorded: {recorded:,}"
    )
    print(f"welfare sheets : {elapsed:8.2f} s  {recorded / elapsed:10,.0f} rows/s")
    print(f"PostgreSQL COPY: {baseline:8.2f} s  {recorded / baseline:10,.0f} rows/s (baseline)")
    print(f"ratio to COPY  : {baseline / elapsed:8.3f}")
    print(f"peak memory    : {memory:8.0f} MB (the whole process)")
    if as_json:
        print(
            json.dumps(
                {
                    "benchmark": "welfare_contributions",
                    "members": members,
                    "rows": rows,
                    "fund_size": fund_size,
                    **figures,
                    "import_seconds": round(elapsed, 3),
                    "import_rows_per_second": round(recorded / elapsed, 1),
                    "copy_seconds": round(baseline, 3),
                    "copy_rows_per_second": round(recorded / baseline, 1),
                    "ratio_to_copy": round(baseline / elapsed, 4),
                    "peak_memory_mb": round(memory, 1),
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--rows", type=int, help="contribution rows (default: a year, 12 a member)")
    parser.add_argument("--fund-size", type=int, default=1_100, help="members per fund")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (asyncpg URL)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args()
    rows = args.rows if args.rows is not None else args.members * 12
    if args.database_url:
        asyncio.run(run(args.members, rows, args.fund_size, args.database_url, args.json))
        return
    from baan_local.postgres import LocalPostgres

    server = LocalPostgres()
    server.start()
    try:
        url = server.create_database("welfare_bench")
        asyncio.run(run(args.members, rows, args.fund_size, url, args.json))
    finally:
        server.stop()


if __name__ == "__main__":
    main()

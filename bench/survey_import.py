"""Import a generated survey sheet into PostgreSQL; compare with COPY of the same rows.

    .venv/bin/python bench/survey_import.py --rows 100000
    .venv/bin/python bench/survey_import.py --rows 1000000 --xlsx-rows 0
    .venv/bin/python bench/survey_import.py --database-url postgresql+asyncpg://...

Without --database-url it starts a throw-away PostgreSQL server (the test tooling's).
The import goes through the real HTTP endpoint in-process (validation, area checks,
duplicate flags, outbox events); the baseline is COPY of the same CSV into a table
of text columns, i.e. the database's own floor for these bytes. The sheets are
written to temporary files and uploaded from them as a stream, so the process's
peak memory (printed) is the import's, not the benchmark's. ``--xlsx-rows`` (the
same number by default) then imports a workbook of other households, for the
XLSX rate beside the CSV rate.
"""

import argparse
import asyncio
import csv
import json
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import geothai
import httpx
import xlsxwriter
from stdnum.th import pin

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from survey.main import create_app
from survey.settings import SurveySettings

HEADER = [
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
    "สภาพบ้าน",
]
GIVEN = ["สมศรี", "สมชาย", "บุญมี", "มาลี", "ประเสริฐ", "จันทร์", "ทองดี", "คำแก้ว"]
FAMILY = ["ใจดี", "ศรีสุข", "ริมคลอง", "ดีงาม", "แก้วมณี", "บุญมา", "สุขใจ", "ทองคำ"]


def generate_rows(
    rows: int, seed: int = 2562, first_id: int = 3_4000_00000_00
) -> Iterator[list[object]]:
    rng = random.Random(seed)
    subdistricts = [
        s
        for p in ("57", "40", "84")
        for d in geothai.districts(p)
        for s in geothai.subdistricts(d.code)
    ]
    for n in range(rows):
        base = f"{first_id + n:012d}"
        area = rng.choice(subdistricts)
        yield [
            "บ้านพอเพียงชนบท",
            f"{rng.choice(['นาย', 'นาง'])}{rng.choice(GIVEN)} {rng.choice(FAMILY)}{n}",
            base + pin.calc_check_digit(base),
            area.province_code,
            area.district_code,
            area.code,
            f"หมู่ {rng.randint(1, 15)}",
            rng.randint(1, 8),
            f"{rng.randint(1_000, 14_000)}.{rng.randint(0, 99):02d}",
            rng.choice(["ซ่อมแซม", "สร้างใหม่"]),
            rng.randint(20_000, 150_000),
            rng.choice(["ชำรุดทรุดโทรม", "วัสดุไม่มั่นคง", "ต้องสร้างใหม่"]),
        ]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(rows))


def write_xlsx(path: Path, rows: int) -> None:
    # Other households than the CSV's (other IDs), so both import in full.
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("ครัวเรือน")
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(generate_rows(rows, seed=2563, first_id=3_5000_00000_00), 1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    workbook.close()


def peak_memory_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def import_through_api(url: str, sheet: Path) -> tuple[float, dict[str, object]]:
    settings = SurveySettings(
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
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://survey",
            timeout=3600,
            headers={"Authorization": f"Bearer {issuer.token_for('baan-national')}"},
        ) as http:
            started = time.perf_counter()
            with sheet.open("rb") as upload:
                response = await http.post(
                    "/v1/household-imports",
                    files={"file": (sheet.name, upload)},
                    data={"imported_by": "bench"},
                )
            response.raise_for_status()
            summary = response.json()
            # A big sheet becomes a background job (202): time it to the end, as a user waits.
            while summary["status"] in ("queued", "running"):
                await asyncio.sleep(0.05)
                polled = await http.get(f"/v1/household-imports/{summary['id']}")
                polled.raise_for_status()
                summary = polled.json()
            elapsed = time.perf_counter() - started
    if summary["status"] != "done":
        raise RuntimeError(f"the import ended {summary['status']}: {summary}")
    return elapsed, summary


async def copy_baseline(url: str, sheet: Path) -> float:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        await connection.execute(f"CREATE TABLE bench_copy ({columns})")
        started = time.perf_counter()
        await connection.copy_to_table("bench_copy", source=sheet, format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await connection.close()


async def run(rows: int, xlsx_rows: int, url: str, as_json: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="survey-bench-") as folder:
        sheet = Path(folder) / "bench.csv"
        write_csv(sheet, rows)
        elapsed, summary = await import_through_api(url, sheet)
        baseline = await copy_baseline(url, sheet)
        xlsx_elapsed, xlsx_summary = None, None
        if xlsx_rows:
            workbook = Path(folder) / "bench.xlsx"
            write_xlsx(workbook, xlsx_rows)
            xlsx_elapsed, xlsx_summary = await import_through_api(url, workbook)
    memory = peak_memory_mb()
    print(
        f"rows: {rows:,}  imported: {summary['rows_imported']:,}  "
        f"invalid: {summary['rows_invalid']}"
    )
    print(f"survey import : {elapsed:8.2f} s  {rows / elapsed:10,.0f} rows/s")
    print(f"PostgreSQL COPY: {baseline:8.2f} s  {rows / baseline:10,.0f} rows/s (baseline)")
    print(f"ratio to COPY : {baseline / elapsed:8.3f}")
    if xlsx_elapsed is not None and xlsx_summary is not None:
        print(
            f"XLSX import   : {xlsx_elapsed:8.2f} s  {xlsx_rows / xlsx_elapsed:10,.0f} rows/s "
            f"({xlsx_summary['rows_imported']:,} imported; "
            f"{(xlsx_rows / xlsx_elapsed) / (rows / elapsed):.2f} of the CSV rate)"
        )
    print(f"peak memory   : {memory:8.0f} MB (the whole process)")
    if as_json:
        figures = {
            "benchmark": "survey_import",
            "rows": rows,
            "rows_imported": summary["rows_imported"],
            "rows_invalid": summary["rows_invalid"],
            "import_seconds": round(elapsed, 3),
            "import_rows_per_second": round(rows / elapsed, 1),
            "copy_seconds": round(baseline, 3),
            "copy_rows_per_second": round(rows / baseline, 1),
            "ratio_to_copy": round(baseline / elapsed, 4),
            "peak_memory_mb": round(memory, 1),
        }
        if xlsx_elapsed is not None and xlsx_summary is not None:
            figures |= {
                "xlsx_rows": xlsx_rows,
                "xlsx_rows_imported": xlsx_summary["rows_imported"],
                "xlsx_seconds": round(xlsx_elapsed, 3),
                "xlsx_rows_per_second": round(xlsx_rows / xlsx_elapsed, 1),
                "xlsx_ratio_to_csv": round((xlsx_rows / xlsx_elapsed) / (rows / elapsed), 4),
            }
        print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--xlsx-rows", type=int, help="rows of the XLSX sheet (default: --rows; 0: none)"
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database (asyncpg URL)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args()
    xlsx_rows = args.rows if args.xlsx_rows is None else args.xlsx_rows
    if args.database_url:
        asyncio.run(run(args.rows, xlsx_rows, args.database_url, args.json))
        return
    from baan_local.postgres import LocalPostgres

    server = LocalPostgres()
    server.start()
    try:
        asyncio.run(run(args.rows, xlsx_rows, server.create_database("survey_bench"), args.json))
    finally:
        server.stop()


if __name__ == "__main__":
    main()

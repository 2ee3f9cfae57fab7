"""Every benchmark in bench/ runs at a tiny size, so none rots unnoticed.

Each runs as a user runs it (its own process, its own broker and PostgreSQL),
with ``--json``; the test reads the last line's figures and checks that the
benchmark did its work (every row imported, every household through, every
event rebuilt). No figure is compared with a time: the machines are shared.

Where a benchmark takes an empty database (``--database-url``), it is one of the
session's PostgreSQL server, as a user may give one: a server of its own costs
seconds to start and proves nothing the others' own servers do not. The pipeline's
three modes run in one process (``--all-modes``): one broker, one server and one
platform started, not three.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from baan_testkit.pytest_plugin import MakeDatabase

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]


def run_benchmark(script: str, *arguments: str) -> dict[str, Any]:
    """The figures of the benchmark's last JSON line."""
    return run_benchmark_lines(script, *arguments)[-1]


def run_benchmark_lines(script: str, *arguments: str) -> list[dict[str, Any]]:
    """The figures of each of the benchmark's JSON lines (one per mode run), in order."""
    # The session's broker and issuer are not the benchmark's: it starts its own.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KAFKA_", "AUTH_"))
    }
    finished = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *arguments, "--json"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    assert lines, finished.stdout[-3000:]
    assert lines[-1] == finished.stdout.strip().splitlines()[-1], "the figures come last"
    found: list[dict[str, Any]] = [json.loads(line) for line in lines]
    for figures in found:
        assert figures["benchmark"] == script.removesuffix(".py")
    return found


@pytest.mark.timeout(1500)
def test_survey_import_imports_every_row_beside_copy(make_postgres_database: MakeDatabase) -> None:
    figures = run_benchmark(
        "survey_import.py", "--rows", "200", "--database-url", make_postgres_database("bench")
    )
    assert figures["rows_imported"] == 200
    assert figures["rows_invalid"] == 0
    assert figures["import_rows_per_second"] > 0
    assert figures["copy_rows_per_second"] > 0


@pytest.mark.timeout(1500)
def test_http_service_measures_survey_beside_the_bare_app() -> None:
    figures = run_benchmark(
        "http_service.py", "--requests", "20", "--concurrency", "4", "--seed", "10"
    )
    for name in ("survey_read", "survey_write", "baseline_read", "baseline_write"):
        assert figures[f"{name}_per_second"] > 0, name
    assert figures["read_ratio_to_baseline"] > 0
    assert figures["write_ratio_to_baseline"] > 0


@pytest.fixture(scope="module")
def pipeline_modes() -> dict[str, dict[str, Any]]:
    """bench/pipeline.py's three modes, one after another on one platform: each mode's
    figures by its prefix (pipeline_, bulk_, steady_)."""
    found = run_benchmark_lines(
        "pipeline.py",
        "--all-modes",
        *("--households", "3", "--concurrency", "2"),
        *("--bulk", "20"),
        *("--steady", "2", "--rate", "20", "--decision-size", "10"),
    )
    # each mode's figures begin with its prefix: pipeline_ (households), bulk_, steady_
    mode_of = {"pipeline": "households", "bulk": "bulk", "steady": "steady"}
    by_mode = {mode_of[next(k for k in f if k != "benchmark").split("_")[0]]: f for f in found}
    assert list(by_mode) == ["households", "bulk", "steady"], [list(f)[:2] for f in found]
    return by_mode


@pytest.mark.timeout(1500)
def test_pipeline_takes_every_household_to_the_report_beside_raw_kafka(
    pipeline_modes: dict[str, dict[str, Any]],
) -> None:
    figures = pipeline_modes["households"]
    assert figures["pipeline_households"] == 3
    assert figures["pipeline_events"] > 0
    assert figures["raw_kafka_events"] == figures["pipeline_events"]


@pytest.mark.timeout(1500)
def test_pipeline_bulk_mode_plans_reserves_and_counts_every_household_of_one_decision(
    pipeline_modes: dict[str, dict[str, Any]],
) -> None:
    figures = pipeline_modes["bulk"]
    assert figures["bulk_households"] == 20
    stages = ("survey_published", "construction_planned", "finance_decided", "reporting_approved")
    for stage in stages:
        assert figures[f"bulk_{stage}_s"] > 0, stage
    # where the CPU went meanwhile: every service, the database server and the broker
    for process in ("survey", "construction", "finance", "reporting", "postgres", "kafka"):
        assert figures[f"bulk_cpu_{process}_s"] >= 0, process
    # survey's approvals, construction's plans and finance's grant decisions at least (the
    # setup's events are applied everywhere before the decision is timed)
    assert figures["bulk_events"] >= 3 * 20
    assert figures["raw_kafka_events"] == figures["bulk_events"]


@pytest.mark.timeout(1500)
def test_pipeline_steady_mode_counts_every_decision_and_prints_memory(
    pipeline_modes: dict[str, dict[str, Any]],
) -> None:
    figures = pipeline_modes["steady"]
    assert figures["steady_decisions"] == 4
    assert figures["steady_households"] == 40
    assert figures["steady_p99"] >= figures["steady_p50"] > 0
    assert figures["steady_side_requests"] > 0
    for service in ("survey", "construction", "finance", "reporting"):
        assert figures[f"steady_rss_end_mib_{service}"] > 0, service
    assert figures["raw_kafka_events"] == figures["steady_events"]


@pytest.mark.timeout(1500)
def test_national_scale_rebuilds_every_event_and_times_the_reports() -> None:
    figures = run_benchmark(
        "national_scale.py", "--households", "300", "--welfare-members", "300", "--requests", "3"
    )
    assert figures["households"] == 300
    assert figures["welfare_members"] == 300 and figures["welfare_events"] > 300
    assert figures["rebuild_events"] >= figures["events"] + figures["welfare_events"]
    baselines = ["sql_group_by", "sql_summary", "sql_money", "welfare_sql"]
    baselines += ["bare_summary", "bare_money"]  # the same SQL over HTTP, a bare app
    reports = ["progress_report", "targets_report", "money_report", "query"]
    for report in [*baselines, *reports, "welfare_fund_balance", "welfare_report"]:
        assert figures[f"{report}_p95_ms"] > 0, report
    for report in ("progress", "money"):
        assert figures[f"{report}_over_sql_p95"] > 0, report
        assert figures[f"{report}_over_bare_app_p95"] > 0, report
    # The progress answer on the wire, as it is and gzip-coded (no larger).
    assert 0 < figures["progress_gzip_bytes"] <= figures["progress_bytes"]
    assert figures["progress_report_identity_p95_ms"] > 0  # timed again, not coded


@pytest.mark.timeout(1500)
def test_welfare_contributions_records_every_sheet_row_beside_copy(
    make_postgres_database: MakeDatabase,
) -> None:
    figures = run_benchmark(
        "welfare_contributions.py",
        *("--members", "30", "--rows", "75", "--fund-size", "20", "--requests", "5"),
        *("--database-url", make_postgres_database("bench")),
    )
    # one sheet per fund and month, month by month: 20 + 10, 20 + 10, then 15 of 75
    assert (figures["funds"], figures["sheets"], figures["rows_recorded"]) == (2, 5, 75)
    # 31 baht a row, all of it on the funds' books
    assert figures["total_satang"] == figures["books_contributions_satang"] == 75 * 3_100
    assert figures["import_rows_per_second"] > 0
    assert figures["copy_rows_per_second"] > 0
    assert figures["fund_balance_p95_ms"] > 0 and figures["fund_balance_sql_p95_ms"] > 0
    # what the data took on disk, the contributions part of the database
    assert 0 < figures["contributions_bytes"] < figures["database_bytes"]

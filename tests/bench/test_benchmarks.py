"""Every benchmark in bench/ runs at a tiny size, so none rots unnoticed.

Each runs as a user runs it (its own process, its own broker and PostgreSQL),
with ``--json``; the test reads the last line's figures and checks that the
benchmark did its work (every row imported, every household through, every
event rebuilt). No figure is compared with a time: the machines are shared.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]


def run_benchmark(script: str, *arguments: str) -> dict[str, Any]:
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
    last = finished.stdout.strip().splitlines()[-1]
    figures: dict[str, Any] = json.loads(last)
    assert figures["benchmark"] == script.removesuffix(".py")
    return figures


@pytest.mark.timeout(1500)
def test_survey_import_imports_every_row_beside_copy() -> None:
    figures = run_benchmark("survey_import.py", "--rows", "200")
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


@pytest.mark.timeout(1500)
def test_pipeline_takes_every_household_to_the_report_beside_raw_kafka() -> None:
    figures = run_benchmark("pipeline.py", "--households", "3", "--concurrency", "2")
    assert figures["pipeline_households"] == 3
    assert figures["pipeline_events"] > 0
    assert figures["raw_kafka_events"] == figures["pipeline_events"]


@pytest.mark.timeout(1500)
def test_pipeline_bulk_mode_plans_reserves_and_counts_every_household_of_one_decision() -> None:
    figures = run_benchmark("pipeline.py", "--bulk", "20")
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
def test_pipeline_steady_mode_counts_every_decision_and_prints_memory() -> None:
    figures = run_benchmark("pipeline.py", "--steady", "2", "--rate", "20", "--decision-size", "10")
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
    reports = ["progress_report", "targets_report", "money_report", "query"]
    for report in [*baselines, *reports, "welfare_fund_balance", "welfare_report"]:
        assert figures[f"{report}_p95_ms"] > 0, report


@pytest.mark.timeout(1500)
def test_welfare_contributions_records_every_sheet_row_beside_copy() -> None:
    figures = run_benchmark(
        "welfare_contributions.py",
        *("--members", "30", "--rows", "75", "--fund-size", "20", "--requests", "5"),
    )
    # one sheet per fund and month, month by month: 20 + 10, 20 + 10, then 15 of 75
    assert (figures["funds"], figures["sheets"], figures["rows_recorded"]) == (2, 5, 75)
    # 31 baht a row, all of it on the funds' books
    assert figures["total_satang"] == figures["books_contributions_satang"] == 75 * 3_100
    assert figures["import_rows_per_second"] > 0
    assert figures["copy_rows_per_second"] > 0
    assert figures["fund_balance_p95_ms"] > 0 and figures["fund_balance_sql_p95_ms"] > 0

"""The fault suite's own platform, and the table it prints at the end.

The suite kills services, stops the broker and stops PostgreSQL, so it runs on
its own broker, its own PostgreSQL server and its own four service processes
rather than the session's `platform`: another suite can never meet a broker
this one stopped, and a fault here can never leave shared state half-restored.
That costs one more JVM and one more PostgreSQL for the few minutes it runs.

One platform for the whole package (its three modules), started once: each case
works in provinces of its own (test_faults.py 20-42, test_bulk_sign_off.py 44,
test_welfare_match_crash.py 45) and counts only its own data or differences, and
every fault is undone before its case ends; a platform per module cost each module
about 20 s of start-up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from faults.breakage import PROFILES, Profile
from faults.table import ROWS, fault_table
from platform_harness import Platform, start_platform

from baan_local.kafka import LocalKafka
from baan_local.postgres import LocalPostgres
from baan_shared.registry import SERVICE_NAMES
from baan_testkit.pytest_plugin import running_broker

NATIONAL_OFFICE_ALLOWANCE = '{"baan-national": 1000000}'
REPORT_DIR = Path(os.environ.get("FAULTS_REPORT_DIR", ".data/faults"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    name = profile_name()
    table = fault_table(ROWS, name)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = REPORT_DIR / f"fault-table-{name}.md"
    path.write_text(table + "\n", encoding="utf-8")
    terminalreporter.write_sep("=", "fault table")
    terminalreporter.write_line(table)
    terminalreporter.write_line(f"(written to {path})")


def profile_name() -> str:
    return os.environ.get("FAULTS_PROFILE", "ci")


@pytest.fixture(scope="package")
def fault_profile() -> Profile:
    name = profile_name()
    if name not in PROFILES:
        raise pytest.UsageError(f"FAULTS_PROFILE={name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]


@pytest.fixture(scope="package")
def fault_postgres() -> Iterator[LocalPostgres]:
    # A data directory of our own, so that stopping the server mid-suite keeps the
    # data (LocalPostgres removes only a directory it made itself). Under /tmp, not
    # pytest's tmp_path: as root the server runs as `postgres`, who cannot enter
    # pytest's private directories.
    data_dir = Path(tempfile.mkdtemp(prefix="baan-faults-pg-"))
    server = LocalPostgres(data_dir=data_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="package")
def fault_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    # A broker of the suite's own, set up as the kafka_broker fixture's: the checks'
    # own clients connect as the tooling's super user, the services as themselves.
    with running_broker(tmp_path_factory.mktemp("faults-kafka")) as broker:
        yield broker


@pytest.fixture(scope="package")
async def fault_platform(
    fault_kafka: LocalKafka,
    fault_postgres: LocalPostgres,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    log_dir = tmp_path_factory.mktemp("faults-logs")
    urls = {name: fault_postgres.create_database(f"faults_{name}") for name in SERVICE_NAMES}
    # The workload calls as the national office; its allowance is raised so that the
    # partner rate limit (not under test here) does not throttle the steady stream.
    # A bulk sign-off cut off by a crash leaves its Idempotency-Key claimed; the retry
    # with that key may run once the claim is this old (test_bulk_sign_off.py).
    running = start_platform(
        fault_kafka,
        urls,
        log_dir,
        AUTH_RATE_LIMIT_OVERRIDES=NATIONAL_OFFICE_ALLOWANCE,
        CONSTRUCTION_IDEMPOTENCY_STALE_AFTER_SECONDS="10",
    )
    try:
        await running.wait_ready()
        yield running
    finally:
        for process in running.services.values():
            process.stop()

"""Every service's migrations build its schema on PostgreSQL and SQLite, match
its models exactly (nothing left for autogenerate), and downgrade cleanly.

Alembic runs as a separate process per service, as an operator runs it: in
this test process all four services' tables share SQLModel's one metadata.

The platform's tables (outbox, inbox, audit log, rate limits, idempotency keys)
come from ``baan_shared.migrations``' own history, which every service's starts
from; a database made before that history existed (each service created those
tables itself, up to commit ``BEFORE_PLATFORM_HISTORY``) upgrades without losing
a row. That test reads the older migrations from git.
"""

import asyncio
import configparser
import io
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, String, Uuid, bindparam, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from baan_local.postgres import LocalPostgres
from baan_shared.migrations import publishes, version_locations
from baan_shared.registry import SERVICE_NAMES

SERVICES = SERVICE_NAMES
ROOT = Path(__file__).resolve().parents[1]


# Runs alembic commands one after another in one process: alembic's own command line
# (``alembic.config.main``), each command's output after a marker line. Starting Python
# and importing a service's models costs a few seconds, several times what its
# migrations cost; the commands still run as an operator's would, each reading the
# database afresh, and the first failing one ends the process (alembic exits non-zero).
_COMMANDS = """
import sys
from alembic.config import main
ini, *commands = sys.argv[1:]
for command in commands:
    print(f"--- alembic {command}", flush=True)
    main(["-c", ini, *command.split()], prog="alembic")
"""


def _alembic(service: str, url: str, *commands: str, ini: Path | None = None) -> list[str]:
    """Run ``commands`` (each an alembic command line, e.g. ``"upgrade head"``) for
    ``service`` in one process; each command's output."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _COMMANDS,
            str(ini or ROOT / "services" / service / "alembic.ini"),
            *commands,
        ],
        env={**os.environ, f"{service.upper()}_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, (
        f"alembic for {service} ({' | '.join(commands)}):\n{result.stdout}\n{result.stderr}"
    )
    outputs = result.stdout.split("--- alembic ")[1:]
    assert [output.split("\n", 1)[0] for output in outputs] == list(commands), result.stdout
    return [output.split("\n", 1)[1] for output in outputs]


def _round_trip(service: str, url: str) -> None:
    _alembic(
        service,
        url,
        "upgrade head",
        "check",  # fails if the models differ from the migrations
        "downgrade base",
        "upgrade head",
    )


@pytest.mark.postgres
@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_models_on_postgresql(
    service: str, postgres_server: LocalPostgres
) -> None:
    _round_trip(service, postgres_server.create_database(f"migrations_{service}"))


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_models_on_sqlite(service: str, tmp_path: Path) -> None:
    _round_trip(service, f"sqlite+aiosqlite:///{tmp_path}/{service}.db")


@pytest.mark.parametrize("service", SERVICES)
def test_alembic_ini_names_the_platform_history(service: str) -> None:
    """The command line (alembic.ini) and the service's own start-up read the same history."""
    ini = configparser.ConfigParser()
    ini.read(ROOT / "services" / service / "alembic.ini")
    assert ini["alembic"]["version_locations"].split() == version_locations(service)
    assert ini["alembic"]["path_separator"] == "space"


# The last commit whose services created the platform tables in their own migrations,
# and the services that existed then (a later service starts from the platform history).
BEFORE_PLATFORM_HISTORY = "613aceaeac1df09fad39e2c29051dd966866e5da"
SERVICES_BEFORE_PLATFORM_HISTORY = ("survey", "construction", "finance", "reporting")
_PLATFORM_ROWS = {
    "processed_events": (
        "INSERT INTO processed_events (event_id, consumer, event_type, topic, partition, "
        "\"offset\", processed_at) VALUES (:id, 'c', 't', 'topic', 0, 7, :now)"
    ),
    "audit_log": (
        "INSERT INTO audit_log (id, at, client_id, action, method, path, status, pii_read) "
        "VALUES (:id, :now, 'partner', 'read', 'GET', '/v1/x', 200, false)"
    ),
    "rate_limit_counters": (
        "INSERT INTO rate_limit_counters (client_id, window_start, requests) "
        "VALUES ('partner', 1, 3)"
    ),
    "idempotency_keys": (
        "INSERT INTO idempotency_keys (client_id, key, method, path, request_digest, "
        "created_at, expires_at) VALUES ('partner', :key, 'POST', '/v1/x', 'd', :now, :now)"
    ),
    "outbox": (
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, source, payload, "
        "occurred_at, attempts) VALUES (:id, 'a', '1', 't', 'topic', 's', '{}', :now, 0)"
    ),
}


def _migrations_before_platform_history(service: str, tmp_path: Path) -> Path:
    """That commit's migrations of ``service`` with an alembic.ini of their own."""
    archive = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "archive",
            BEFORE_PLATFORM_HISTORY,
            f"services/{service}/{service}/migrations",
        ],
        capture_output=True,
        timeout=60,
    )
    if archive.returncode != 0:
        pytest.skip(f"this clone lacks commit {BEFORE_PLATFORM_HISTORY[:7]}: {archive.stderr!r}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path / "before", filter="data")
    script = tmp_path / "before" / "services" / service / service / "migrations"
    # env.py is glue, not history: run the old revisions through today's.
    shutil.copy(ROOT / "services" / service / service / "migrations" / "env.py", script / "env.py")
    ini = tmp_path / "before.ini"
    ini.write_text(f"[alembic]\nscript_location = {script}\n")
    return ini


async def _rows_per_table(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        counts = {
            name: (await connection.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
            for name in names
            if name != "alembic_version"
        }
    await engine.dispose()
    return counts


async def _write_platform_rows(url: str, service: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        for table, statement in _PLATFORM_ROWS.items():
            if table in names and (table != "outbox" or publishes(service)):
                values = {
                    "id": bindparam("id", uuid.uuid4(), type_=Uuid()),
                    "now": bindparam("now", datetime.now(UTC), type_=DateTime(timezone=True)),
                    "key": bindparam("key", str(uuid.uuid4()), type_=String()),
                }
                used = [value for name, value in values.items() if f":{name}" in statement]
                await connection.execute(text(statement).bindparams(*used))
    await engine.dispose()


def _upgrade_from_before_platform_history(service: str, url: str, tmp_path: Path) -> None:
    _alembic(
        service, url, "upgrade head", ini=_migrations_before_platform_history(service, tmp_path)
    )
    asyncio.run(_write_platform_rows(url, service))
    before = asyncio.run(_rows_per_table(url))

    # the same schema as a fresh database's (check), at the head (current)
    *_, current = _alembic(service, url, "upgrade head", "check", "current")

    after = asyncio.run(_rows_per_table(url))
    if not publishes(service):
        assert before.pop("outbox") == 0  # it never wrote there; now it has none
        assert "outbox" not in after
    for table, rows in before.items():
        assert after[table] == rows, f"{service}.{table}: {rows} rows before, {after[table]} after"
    assert after["idempotency_keys"] == before.get("idempotency_keys", 0)
    assert "(head)" in current


@pytest.mark.parametrize("service", SERVICES_BEFORE_PLATFORM_HISTORY)
def test_a_database_from_before_the_platform_history_upgrades_on_sqlite(
    service: str, tmp_path: Path
) -> None:
    _upgrade_from_before_platform_history(
        service, f"sqlite+aiosqlite:///{tmp_path}/{service}.db", tmp_path
    )


@pytest.mark.postgres
@pytest.mark.parametrize("service", SERVICES_BEFORE_PLATFORM_HISTORY)
def test_a_database_from_before_the_platform_history_upgrades_on_postgresql(
    service: str, postgres_server: LocalPostgres, tmp_path: Path
) -> None:
    url = postgres_server.create_database(f"before_platform_{service}")
    _upgrade_from_before_platform_history(service, url, tmp_path)

    async def _audit_log_refuses_delete() -> str:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("DELETE FROM audit_log"))
        except Exception as error:  # the trigger's refusal is the point
            return str(error)
        finally:
            await engine.dispose()
        return "deleted"

    assert "append-only" in asyncio.run(_audit_log_refuses_delete())

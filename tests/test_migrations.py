"""Every service's migrations build its schema on PostgreSQL and SQLite, match
its models exactly (nothing left for autogenerate), and downgrade cleanly.

Alembic runs as a separate process per service, as an operator runs it: in
this test process all four services' tables share SQLModel's one metadata.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from baan_local.postgres import LocalPostgres
from baan_shared.registry import SERVICE_NAMES

SERVICES = SERVICE_NAMES
ROOT = Path(__file__).resolve().parents[1]


def _alembic(service: str, url: str, *args: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(ROOT / "services" / service / "alembic.ini"),
            *args,
        ],
        env={**os.environ, f"{service.upper()}_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"alembic {' '.join(args)} for {service}:\n{result.stderr}"


def _round_trip(service: str, url: str) -> None:
    _alembic(service, url, "upgrade", "head")
    _alembic(service, url, "check")  # fails if the models differ from the migrations
    _alembic(service, url, "downgrade", "base")
    _alembic(service, url, "upgrade", "head")


@pytest.mark.postgres
@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_models_on_postgresql(
    service: str, postgres_server: LocalPostgres
) -> None:
    _round_trip(service, postgres_server.create_database(f"migrations_{service}"))


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_models_on_sqlite(service: str, tmp_path: Path) -> None:
    _round_trip(service, f"sqlite+aiosqlite:///{tmp_path}/{service}.db")

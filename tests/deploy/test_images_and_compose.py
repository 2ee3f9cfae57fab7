"""The service image (deploy/docker) and the laptop compose file, checked statically."""

import os
import re
import subprocess
import zipfile
from pathlib import Path

import yaml
from deploy_tools import ROOT, run, tool

from baan_shared.registry import SERVICE_NAMES

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "docker" / "entrypoint.sh"
COMPOSE = ROOT / "deploy" / "compose" / "docker-compose.yaml"
SERVICES = SERVICE_NAMES


def test_hadolint_passes() -> None:
    result = run(tool("hadolint"), "--failure-threshold", "info", DOCKERFILE, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_pins_its_base_and_runs_as_non_root() -> None:
    text = DOCKERFILE.read_text()
    bases = re.findall(r"^ARG (PYTHON_IMAGE|UV_IMAGE)=(\S+)$", text, re.M)
    assert dict(bases)["PYTHON_IMAGE"].startswith("python:3.11.")
    for _, image in bases:
        # An exact version (x.y.z) or a digest, never latest or a floating tag.
        assert re.search(r":\d+\.\d+\.\d+|@sha256:[0-9a-f]{64}", image), image
    assert "uv sync --locked --no-dev" in text
    assert '--package "baan-${SERVICE}"' in text
    runtime = text.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001", runtime, re.M)
    assert re.search(r"^EXPOSE 8000$", runtime, re.M)
    assert not re.search(r"^HEALTHCHECK", text, re.M)


def test_entrypoint_serves_the_factory_and_migrates() -> None:
    text = ENTRYPOINT.read_text()
    assert 'uvicorn --factory "${service}.main:create_app"' in text
    assert "--timeout-graceful-shutdown" in text
    assert "alembic -c /app/alembic.ini upgrade head" in text
    assert "postgresql+asyncpg://" in text
    for service in SERVICES:
        main = ROOT / "services" / service / service / "main.py"
        assert "def create_app(" in main.read_text()
        assert (ROOT / "services" / service / "alembic.ini").exists()


def test_entrypoint_rewrites_a_cloudnativepg_uri_to_asyncpg(tmp_path: Path) -> None:
    # Run the entrypoint with a stub `alembic` that prints the URL it would use.
    stub = tmp_path / "alembic"
    stub.write_text('#!/bin/sh\necho "$SURVEY_DATABASE_URL"\n')
    stub.chmod(0o755)
    env = {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "BAAN_SERVICE": "survey",
        "SURVEY_DATABASE_URL": "postgresql://app:secret@baan-survey-db-rw.baan:5432/survey",
    }
    out = subprocess.run(
        ["sh", ENTRYPOINT, "migrate"], env=env, capture_output=True, text=True, check=True
    )
    assert (
        out.stdout.strip() == "postgresql+asyncpg://app:secret@baan-survey-db-rw.baan:5432/survey"
    )


def test_compose_runs_kafka_postgres_migrations_and_the_four_services() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["postgres"]["image"].startswith("postgres:")
    init = (COMPOSE.parent / "postgres-init.sql").read_text()
    for service in SERVICES:
        assert f"CREATE DATABASE {service} OWNER {service};" in init
        migrate = services[f"{service}-migrate"]
        assert migrate["command"] == ["migrate"]
        assert migrate["build"]["args"]["SERVICE"] == service
        app = services[service]
        assert app["depends_on"][f"{service}-migrate"]["condition"] == (
            "service_completed_successfully"
        )
        env = app["environment"]
        assert env[f"{service.upper()}_DATABASE_URL"].endswith(f"@postgres:5432/{service}")
        assert env[f"{service.upper()}_AUTO_MIGRATE"] == "false"
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    for name, spec in services.items():
        for dependency in spec.get("depends_on", {}):
            assert dependency in services, (name, dependency)


def test_the_image_builds_the_dashboard_assets_and_reporting_ships_them(tmp_path: Path) -> None:
    """Reporting's dashboard serves its own charts, Thai font and map in the image too:
    the image runs the same npm step as `make install`, and reporting's wheel (what the
    image installs, non-editable) carries the gitignored assets it produced."""
    text = DOCKERFILE.read_text()
    stage = text.split("AS dashboard-assets", 1)[1].split("\nFROM ", 1)[0]
    assert "scripts/dashboard-assets.sh" in stage
    assert re.search(r"^ARG NODE_IMAGE=node:\d+\.\d+\.\d+", text, re.M)
    assert "COPY --from=dashboard-assets" in text.split("AS builder", 1)[1]

    vendor = ROOT / "services" / "reporting" / "reporting" / "dashboard" / "static" / "vendor"
    assert (vendor / "echarts.min.js").is_file(), "scripts/dashboard-assets.sh has not run"
    run(tool("uv"), "build", "--wheel", "--package", "baan-reporting", "-o", tmp_path)
    (wheel,) = tmp_path.glob("baan_reporting-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for asset in ("echarts.min.js", "thailand.svg", "fonts/sarabun-thai-400-normal.woff2"):
        assert f"reporting/dashboard/static/vendor/{asset}" in names, asset
    assert "reporting/dashboard/static/index.html" in names

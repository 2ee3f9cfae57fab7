"""The image's runtime, without Docker: the Dockerfile's own `uv sync` commands build
/app/.venv in a temporary directory, then the entrypoint migrates a database and
serves the service's factory, which answers its probes and stops on SIGTERM.

One service (survey) stands for the four: they share the Dockerfile and entrypoint.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from deploy_tools import INSTALL_HINT, ROOT

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "docker" / "entrypoint.sh"
SERVICE = "survey"


def dockerfile_uv_syncs() -> list[list[str]]:
    """The `uv sync` commands of the builder stage, as the Dockerfile spells them."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    commands = []
    for line in re.findall(r"^RUN .*uv sync.*$", text, re.M):
        sync = line[line.index("uv sync") :].split("&&")[0]
        sync = sync.replace('"baan-${SERVICE}"', f"baan-{SERVICE}")
        commands.append(sync.split())
    return commands


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_image_layout_migrates_serves_and_shuts_down(tmp_path: Path) -> None:
    uv = shutil.which("uv") or next(
        (str(p) for p in [ROOT / ".tools" / "bin" / "uv"] if p.exists()), None
    )
    if uv is None:
        pytest.fail(f"uv is not installed: {INSTALL_HINT}", pytrace=False)
    syncs = dockerfile_uv_syncs()
    assert len(syncs) == 2 and "--no-install-workspace" in syncs[0]
    app = tmp_path / "app"
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(app / ".venv"),
        "UV_LINK_MODE": "copy",
        "UV_PYTHON": str(ROOT / ".venv" / "bin" / "python3"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NATIVE_TLS": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    for command in syncs:
        done = subprocess.run(
            [uv, *command[1:], "-q"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{' '.join(command)}\n{done.stderr[-3000:]}"
    shutil.copy(ROOT / "services" / SERVICE / "alembic.ini", app / "alembic.ini")
    entrypoint = tmp_path / "entrypoint.sh"
    entrypoint.write_text(
        ENTRYPOINT.read_text().replace("/app/alembic.ini", str(app / "alembic.ini"))
    )

    port = free_port()
    run_env = {
        "PATH": f"{app / '.venv' / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "BAAN_SERVICE": SERVICE,
        "PORT": str(port),
        "GRACEFUL_SHUTDOWN_SECONDS": "5",
        "SURVEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'survey.db'}",
        "SURVEY_AUTO_MIGRATE": "false",
        "SURVEY_CREATE_TOPICS": "false",
        "SURVEY_CONSUMER_ENABLED": "false",
        "SURVEY_RELAY_ENABLED": "false",
    }
    # The venv is self-contained: nothing is imported from the source tree.
    migrate = subprocess.run(
        ["sh", entrypoint, "migrate"], cwd=app, env=run_env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        ["sh", entrypoint, "serve"], cwd=app, env=run_env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/health/live")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "the service did not start in 60 s"
                time.sleep(0.5)
        assert status == 200
        status, body = get(f"http://127.0.0.1:{port}/health/ready")
        assert status == 200 and '"database":{"ok":true}' in body.replace(" ", "")
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "# TYPE" in body
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
    assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()

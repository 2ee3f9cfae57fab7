"""The ``baan`` command: one data folder and one port set per instance, URLs from
``instance.json`` or flags (never half from defaults), and the token issuer twice
side by side."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from baan_local import cli
from baan_local.instance import (
    InstanceError,
    Layout,
    Ports,
    instance_record,
    read_instance,
    repo_root,
    write_instance,
)
from baan_local.ports import free_ports
from baan_shared.registry import SERVICES
from baan_tools.reconcile import SERVICES_READ

REPO = Path(__file__).resolve().parents[3]


def _up_config(*argv: str) -> Any:
    args = cli.parser().parse_args(["up", *argv])
    return cli.up_config(args)


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    root = cli.parser()
    for action in root._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("baan has no subcommands")


@pytest.fixture(autouse=True)
def _no_instance_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("BAAN_"):
            monkeypatch.delenv(name)


def test_the_repository_is_found_from_the_package_not_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert repo_root() == REPO
    assert Layout(REPO / ".data").data_dir == cli._layout(cli.parser().parse_args(["url"])).data_dir
    monkeypatch.setenv("BAAN_HOME", str(tmp_path))
    with pytest.raises(InstanceError, match="not a Baan repository"):
        repo_root()


def test_two_instances_get_disjoint_ports_and_folders(tmp_path: Path) -> None:
    first = _up_config("--data-dir", str(tmp_path / "a"))
    second = _up_config("--data-dir", str(tmp_path / "b"), "--port-base", "9000")
    assert first.ports == Ports.from_base(8000)
    assert first.ports.services == {s.name: s.port for s in SERVICES}
    assert (first.ports.issuer, first.ports.kafka) == (8090, 9092)
    # Every registered service moves with the base, beside the issuer and Kafka's two.
    moved = {spec.port + 1000 for spec in SERVICES}
    assert set(second.ports.all().values()) == moved | {9090, 10092, 10093}
    assert {9001, 9002, 9003, 9004} <= moved
    assert not set(first.ports.all().values()) & set(second.ports.all().values())
    for config, root in ((first, tmp_path / "a"), (second, tmp_path / "b")):
        assert all(path.is_relative_to(root) for path in config.layout.paths())
        for spec in SERVICES:
            for value in config.layout.service_environment(spec.name, {}).values():
                assert str(root) in value, (spec.name, value)
    assert not set(first.layout.paths()) & set(second.layout.paths())


def test_every_port_has_its_flag_and_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAAN_PORT_BASE", "7000")
    monkeypatch.setenv("BAAN_FINANCE_PORT", "7777")
    monkeypatch.setenv("BAAN_DATA_DIR", str(tmp_path / "env"))
    config = _up_config("--issuer-port", "7100", "--kafka-port", "7200")
    assert config.layout.data_dir == tmp_path / "env"
    assert config.ports.services == {
        **{spec.name: spec.port - 1000 for spec in SERVICES},
        "finance": 7777,
    }
    assert (config.ports.services["survey"], config.ports.services["reporting"]) == (7001, 7004)
    assert (config.ports.issuer, config.ports.kafka, config.ports.kafka_controller) == (
        7100,
        7200,
        7201,
    )


def test_clashing_ports_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["up", "--dry-run", "--data-dir", str(tmp_path), "--survey-port", "8002"]
    assert cli.main(argv) == 2
    assert "--construction-port and --survey-port are both 8002" in capsys.readouterr().err


def test_every_folder_a_service_keeps_is_under_the_data_dir(tmp_path: Path) -> None:
    """A setting defaulting under ./.data that `baan up` does not move would be shared
    by two instances: each must be set from the data folder."""
    layout = Layout(tmp_path)
    for spec in SERVICES:
        module = importlib.import_module(f"{spec.name}.settings")
        settings_class = next(
            value
            for name, value in vars(module).items()
            if name.endswith("Settings") and name.lower().startswith(spec.name)
        )
        environment = layout.service_environment(spec.name, {})
        for field, info in settings_class.model_fields.items():
            if ".data" in str(info.default):
                variable = f"{spec.env_prefix}{field.upper()}"
                assert variable in environment, f"{variable} (default {info.default}) not moved"


def test_a_database_url_in_the_environment_wins(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://u:p@127.0.0.1/finance"
    environment = Layout(tmp_path).service_environment("finance", {"FINANCE_DATABASE_URL": url})
    assert environment == {"FINANCE_DATABASE_URL": url}


def test_help_lists_every_option_and_its_environment_variable() -> None:
    subparsers = _subparsers()
    assert set(subparsers) == set(cli.COMMANDS)
    for name, sub in subparsers.items():
        text = " ".join(sub.format_help().split())
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in text, f"baan {name} --help lacks {flag}"
        if "--data-dir" in text:
            assert "[env BAAN_DATA_DIR]" in text, name
    up = " ".join(subparsers["up"].format_help().split())
    for variable in (
        "BAAN_PORT_BASE",
        "BAAN_SURVEY_PORT",
        "BAAN_CONSTRUCTION_PORT",
        "BAAN_FINANCE_PORT",
        "BAAN_REPORTING_PORT",
        "BAAN_ISSUER_PORT",
        "BAAN_KAFKA_PORT",
        "BAAN_KAFKA_CONTROLLER_PORT",
        "FINANCE_DATABASE_URL",
        "SURVEY_STORAGE_DIR",
        "SURVEY_IMPORT_SPOOL_DIR",
        "CONSTRUCTION_STORAGE_DIR",
    ):
        assert variable in up, variable
    assert "[env BAAN_TOKEN]" in " ".join(subparsers["reconcile"].format_help().split())


def test_the_old_command_names_still_run(tmp_path: Path) -> None:
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts")}
    for name in (
        "baan",
        "baan-up",
        "baan-dev-token",
        "baan-dev-issuer",
        "baan-reconcile",
        "baan-kafka",
        "baan-contracts",
    ):
        assert callable(scripts[name].load()), name


def test_reconcile_names_a_missing_url_instead_of_guessing_a_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["reconcile", "--data-dir", str(tmp_path), "--survey", "http://127.0.0.1:9"]
    assert cli.main(argv) == 2
    error = capsys.readouterr().err
    assert "no construction URL: give --construction" in error
    assert str(tmp_path / "instance.json") in error


def test_reconcile_reads_every_url_and_its_token_from_the_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout(tmp_path)
    ports = Ports.from_base(20000)
    write_instance(layout, **instance_record(layout, ports))
    from baan_local.dev_issuer import load_or_create_key

    load_or_create_key(layout.issuer_key)
    seen: dict[str, Any] = {}

    def fake_run(urls: dict[str, str], token: str | None) -> int:
        seen.update(urls=urls, token=token)
        return 0

    monkeypatch.setattr("baan_tools.reconcile.run", fake_run)
    assert cli.main(["reconcile", "--data-dir", str(tmp_path)]) == 0
    # The services reconcile compares (its SERVICES_READ), at this instance's ports.
    assert seen["urls"] == {
        name: f"http://127.0.0.1:{ports.services[name]}" for name in SERVICES_READ
    }
    claims = jwt.decode(seen["token"], options={"verify_signature": False})
    assert claims["iss"] == "http://127.0.0.1:20090"
    assert claims["client_id"] == "baan-national"


def test_token_without_an_instance_is_an_error_and_makes_no_key(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    finished = _baan(
        ["token", "--client", "baan-national"], cwd=elsewhere, data_dir=tmp_path / "none"
    )
    assert finished.returncode == 2
    assert "give --issuer and --key-file" in finished.stderr
    assert not list(elsewhere.iterdir())
    assert not (tmp_path / "none").exists()


def _baan(
    argv: list[str], cwd: Path, data_dir: Path | None = None, **popen: Any
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BAAN_")}
    if data_dir is not None:
        environment["BAAN_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "baan_local.cli", *argv]
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def two_issuers(tmp_path: Path) -> Iterator[list[tuple[Path, int]]]:
    """`baan issuer` twice, each on its own data folder and port, started elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BAAN_")}
    instances = [(tmp_path / name, port) for name, port in zip("ab", free_ports(2), strict=True)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "baan_local.cli",
                "issuer",
                "--data-dir",
                str(d),
                "--port",
                str(port),
            ],
            cwd=elsewhere,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for d, port in instances
    ]
    try:
        for (_, port), process in zip(instances, processes, strict=True):
            _wait_serving(f"http://127.0.0.1:{port}/jwks.json", process)
        yield instances
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


def _wait_serving(url: str, process: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the issuer for {url} exited"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_two_issuers_run_side_by_side_and_tokens_follow_the_data_dir(
    two_issuers: list[tuple[Path, int]], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    keys = {}
    for data_dir, port in two_issuers:
        url = f"http://127.0.0.1:{port}"
        assert read_instance(Layout(data_dir))["issuer"]["url"] == url
        assert (data_dir / "dev-issuer" / "key.pem").is_file()
        keys[data_dir] = jwt.PyJWKSet.from_dict(httpx.get(f"{url}/jwks.json").json()).keys[0]
    assert keys[two_issuers[0][0]].key_id != keys[two_issuers[1][0]].key_id
    for data_dir, port in two_issuers:
        finished = _baan(["token", "--client", "bangkok-office"], cwd=elsewhere, data_dir=data_dir)
        assert finished.returncode == 0, finished.stderr
        token = finished.stdout.strip()
        claims = jwt.decode(token, keys[data_dir].key, algorithms=["RS256"], audience="baan")
        assert claims["iss"] == f"http://127.0.0.1:{port}"
        assert claims["baan_areas"] == ["10"]
        other = next(d for d, _ in two_issuers if d != data_dir)
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, keys[other].key, algorithms=["RS256"], audience="baan")
        # The issuer's own token endpoint agrees with `baan token`'s key.
        answer = httpx.post(
            f"http://127.0.0.1:{port}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("bangkok-office", "dev-bangkok-secret"),
        )
        assert answer.status_code == 200
        jwt.decode(
            answer.json()["access_token"], keys[data_dir].key, algorithms=["RS256"], audience="baan"
        )
    urls = _baan(["url", "issuer"], cwd=elsewhere, data_dir=two_issuers[1][0])
    assert urls.stdout.strip() == f"http://127.0.0.1:{two_issuers[1][1]}"
    assert not list(elsewhere.iterdir()), "nothing is made in the current folder"


def test_dry_run_prints_the_instance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["up", "--dry-run", "--data-dir", str(tmp_path), "--port-base", "9000"]
    assert cli.main(argv) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["services"]["survey"] == "http://127.0.0.1:9001"
    assert shown["issuer"]["key_file"] == str(tmp_path / "dev-issuer" / "key.pem")
    assert shown["folders"]["SURVEY_STORAGE_DIR"] == str(tmp_path / "survey-photos")
    assert not (tmp_path / "instance.json").exists()


def test_a_port_in_use_is_refused_naming_its_flag(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = _up_config("--data-dir", str(tmp_path), "--port-base", "21000")
        busy = _up_config("--data-dir", str(tmp_path), "--issuer-port", str(port))
        assert not [p for p in config.problems() if "--issuer-port" in p]
        assert any(f"port {port} (--issuer-port) is in use" in p for p in busy.problems())


def test_a_data_folder_in_use_is_refused(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    config = _up_config("--data-dir", str(tmp_path), "--port-base", "21000")
    write_instance(layout, pid=None)
    assert not [p for p in config.problems() if "already runs" in p]
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        write_instance(layout, pid=sleeper.pid)
        assert any(f"already runs from {tmp_path}" in p for p in config.problems())
    finally:
        sleeper.kill()
        sleeper.wait()


def test_import_follows_a_queued_job_until_it_is_done(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A big sheet is queued (202): ``baan import`` polls the job, showing rows done of
    the total, until the job is done, and returns what the job ended as."""

    def job(status: str, read: int) -> dict[str, object]:
        return {
            "id": "j1",
            "filename": "big.csv",
            "status": status,
            "rows_read": read,
            "rows_total": 90_000,
            "rows_per_second": 30_000.0,
        }

    answers = iter([job("running", 30_000), job("running", 60_000), job("done", 90_000)])
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, json=next(answers))

    monkeypatch.setattr(cli.time, "sleep", lambda _: None)
    with httpx.Client(transport=httpx.MockTransport(answer), base_url="http://survey") as survey:
        ended = cli._follow_import(survey, job("queued", 0))

    assert ended["status"] == "done"
    assert asked == ["/v1/household-imports/j1"] * 3
    assert "90000/90000" in capsys.readouterr().err

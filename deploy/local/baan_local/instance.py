"""One local Baan instance: its data folder, its ports, and ``instance.json``.

Everything one ``baan up`` keeps lives under one data folder, so two instances
run side by side when they have two folders and two port sets::

    <data-dir>/instance.json          the running instance's URLs (written by baan up)
    <data-dir>/<service>.db           each service's SQLite database
    <data-dir>/survey-photos/         survey's household photos
    <data-dir>/survey-imports/        survey's spooled import sheets
    <data-dir>/construction-photos/   construction's photo evidence
    <data-dir>/kafka/                 the broker's log, certificates and users
    <data-dir>/dev-issuer/key.pem     the development token issuer's signing key
    <data-dir>/logs/                  each service's log

The data folder is ``--data-dir``, else ``$BAAN_DATA_DIR``, else ``.data`` in
the repository (``$BAAN_HOME``, else found from this package's own path): never
the current folder. ``instance.json`` is the one place the commands that talk to
an instance (``baan token``, ``baan reconcile``, ``baan url``, …) read its URLs
from; a URL neither given as a flag nor found there is an error naming both.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baan_shared import registry
from baan_shared.registry import SERVICES

HOME_ENV = "BAAN_HOME"
DATA_DIR_ENV = "BAAN_DATA_DIR"
INSTANCE_FILE = "instance.json"

DEFAULT_PORT_BASE = 8000
# Offsets from the port base: each service's registry port less 8000 (8001-...), the token
# issuer base+90 (8090), Kafka base+1092 and its controller base+1093 (9092, 9093).
SERVICE_PORT_OFFSETS = {spec.name: spec.port - DEFAULT_PORT_BASE for spec in SERVICES}
ISSUER_PORT_OFFSET = 90
KAFKA_PORT_OFFSET = 1092


class InstanceError(RuntimeError):
    """The repository, the data folder or a URL of the instance could not be found."""


def repo_root() -> Path:
    """The repository: ``$BAAN_HOME``, else the checkout this package sits in."""
    override = os.environ.get(HOME_ENV)
    if override:
        root = Path(override).expanduser().resolve()
        if not (root / "deploy" / "local").is_dir():
            raise InstanceError(f"${HOME_ENV}={override} is not a Baan repository")
        return root
    # deploy/local/baan_local/instance.py -> the repository
    root = Path(__file__).resolve().parents[3]
    if not (root / "deploy" / "local" / "baan_local").is_dir():
        raise InstanceError(
            f"baan_local is not installed from a Baan repository ({root}): "
            f"set ${HOME_ENV} to the repository, or give --data-dir"
        )
    return root


def default_data_dir() -> Path:
    """``$BAAN_DATA_DIR``, else the repository's ``.data``."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return repo_root() / ".data"


@dataclass(frozen=True)
class Ports:
    """Every port one instance listens on."""

    services: dict[str, int]
    issuer: int
    kafka: int
    kafka_controller: int

    @classmethod
    def from_base(cls, base: int = DEFAULT_PORT_BASE) -> Ports:
        kafka = base + KAFKA_PORT_OFFSET
        return cls(
            services={name: base + offset for name, offset in SERVICE_PORT_OFFSETS.items()},
            issuer=base + ISSUER_PORT_OFFSET,
            kafka=kafka,
            kafka_controller=kafka + 1,
        )

    def all(self) -> dict[str, int]:
        """Every port by the flag that sets it."""
        named = {f"--{name}-port": port for name, port in self.services.items()}
        named |= {"--issuer-port": self.issuer, "--kafka-port": self.kafka}
        named["--kafka-controller-port"] = self.kafka_controller
        return named

    def clashes(self) -> list[str]:
        """Flags that name the same port."""
        seen: dict[int, str] = {}
        problems = []
        for flag, port in self.all().items():
            if port in seen:
                problems.append(f"{flag} and {seen[port]} are both {port}")
            seen.setdefault(port, flag)
        return problems


@dataclass(frozen=True)
class Layout:
    """Where one instance keeps everything, under one data folder."""

    data_dir: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().resolve())

    @property
    def instance_file(self) -> Path:
        return self.data_dir / INSTANCE_FILE

    @property
    def kafka_dir(self) -> Path:
        return self.data_dir / "kafka"

    @property
    def issuer_key(self) -> Path:
        return self.data_dir / "dev-issuer" / "key.pem"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def database(self, service: str) -> Path:
        return self.data_dir / f"{service}.db"

    def folders(self, name: str) -> dict[str, Path]:
        """The service's folders, by their variable (``SURVEY_STORAGE_DIR`` …)."""
        entry = registry.service(name)
        return {entry.env_prefix + var: self.data_dir / sub for var, sub in entry.folders.items()}

    def service_environment(
        self, service: str, environ: dict[str, str] | None = None
    ) -> dict[str, str]:
        """The service's database URL and folders under the data folder; a variable
        already set in ``environ`` (e.g. ``FINANCE_DATABASE_URL=postgresql+asyncpg://…``)
        wins."""
        environ = dict(os.environ) if environ is None else environ
        url_var = f"{service.upper()}_DATABASE_URL"
        wanted = {url_var: f"sqlite+aiosqlite:///{self.database(service)}"}
        wanted |= {var: str(path) for var, path in self.folders(service).items()}
        return {var: environ.get(var) or value for var, value in wanted.items()}

    def paths(self) -> list[Path]:
        """Every file and folder of the instance (for tests: two instances share none)."""
        found = [self.instance_file, self.kafka_dir, self.issuer_key, self.logs]
        for spec in SERVICES:
            found.append(self.database(spec.name))
            found += self.folders(spec.name).values()
        return found


# -- instance.json ---------------------------------------------------------------


def read_instance(layout: Layout) -> dict[str, Any]:
    """What ``baan up`` (or ``baan issuer`` / ``baan kafka start``) wrote; {} if nothing."""
    try:
        data: dict[str, Any] = json.loads(layout.instance_file.read_text())
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise InstanceError(f"{layout.instance_file} is not JSON: {exc}") from exc
    return data


def write_instance(layout: Layout, **sections: Any) -> Path:
    """Merge ``sections`` (``services=…``, ``issuer=…``, ``kafka=…``) into instance.json."""
    data = read_instance(layout)
    data.update(sections)
    data["data_dir"] = str(layout.data_dir)
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    temporary = layout.instance_file.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    temporary.replace(layout.instance_file)
    return layout.instance_file


def instance_record(layout: Layout, ports: Ports, host: str = "127.0.0.1") -> dict[str, Any]:
    """The sections ``baan up`` writes for an instance on these ports."""
    return {
        "services": {name: f"http://{host}:{port}" for name, port in ports.services.items()},
        "issuer": {
            "url": f"http://{host}:{ports.issuer}",
            "key_file": str(layout.issuer_key),
            "audience": "baan",
        },
        "kafka": {
            "bootstrap": f"{host}:{ports.kafka}",
            "port": ports.kafka,
            "controller_port": ports.kafka_controller,
            "data_dir": str(layout.kafka_dir),
        },
        "logs": str(layout.logs),
    }


def missing(
    what: str, flag: str, layout: Layout, hint: str = "run `baan up` first"
) -> InstanceError:
    return InstanceError(
        f"no {what}: give {flag}, or point --data-dir/${DATA_DIR_ENV} at an instance "
        f"({layout.instance_file} has none; {hint})"
    )


def service_url(layout: Layout, service: str, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    url = read_instance(layout).get("services", {}).get(service)
    if not url:
        raise missing(f"{service} URL", f"--{service}", layout)
    return str(url)


def issuer_of(layout: Layout) -> dict[str, Any]:
    issuer: dict[str, Any] = read_instance(layout).get("issuer") or {}
    return issuer


def kafka_of(layout: Layout) -> dict[str, Any]:
    kafka: dict[str, Any] = read_instance(layout).get("kafka") or {}
    return kafka

"""``baan up`` (``make up``): the whole platform on one machine.

Starts the Apache Kafka broker and the four services as separate processes,
with a development token issuer beside them (never in production: the services
trust it, ``baan token --client baan-national`` prints a token for curl).
Everything is kept under one data folder (SQLite databases, photos, spooled
imports, Kafka's log and users, the issuer's key, logs; see
``baan_local.instance``), and the instance's URLs are written to
``<data-dir>/instance.json``, where ``baan token``, ``baan url``, ``baan
reconcile`` and the other commands find them. A service's database URL in the
environment (``FINANCE_DATABASE_URL=postgresql+asyncpg://...``) replaces its
SQLite file. Prints each URL, stops everything on Ctrl-C; a second run reuses
the data. Kafka runs with TLS, SASL and ACLs: each service gets its own user's
credentials; ``baan kafka env`` prints the administrator's.

Two instances run side by side with two data folders and two port sets:
``baan up --data-dir /tmp/b --port-base 9000`` puts the services on 9001-9004,
the issuer on 9090 and Kafka on 10092-10093.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import dataclass
from types import FrameType

from baan_local.dev_issuer import DevIssuer, DevIssuerServer, load_or_create_key
from baan_local.instance import Layout, Ports, instance_record, read_instance, write_instance
from baan_local.kafka import LocalKafka
from baan_local.ports import port_in_use
from baan_local.services import ServiceProcess
from baan_shared.registry import SERVICES


@dataclass(frozen=True)
class UpConfig:
    """One instance: where it keeps its data, and where it listens."""

    layout: Layout
    ports: Ports
    host: str = "127.0.0.1"

    def problems(self) -> list[str]:
        """Why this instance cannot start here: its data folder in use, clashing or busy ports."""
        found = []
        running = read_instance(self.layout).get("pid")
        if running and running != os.getpid() and _alive(int(running)):
            found.append(
                f"an instance already runs from {self.layout.data_dir} (pid {running}); "
                f"give another --data-dir (or delete {self.layout.instance_file} if it is stale)"
            )
        found += self.ports.clashes()
        for flag, port in self.ports.all().items():
            if port_in_use(port, self.host):
                found.append(f"port {port} ({flag}) is in use: another instance? pick another")
        return found

    def kafka(self) -> LocalKafka:
        return LocalKafka(
            self.layout.kafka_dir,
            port=self.ports.kafka,
            controller_port=self.ports.kafka_controller,
        )

    def issuer(self) -> DevIssuer:
        # The same key file `baan token` reads (through instance.json).
        return DevIssuer(
            issuer=f"http://{self.host}:{self.ports.issuer}",
            key=load_or_create_key(self.layout.issuer_key),
        )

    def service_environment(
        self, service: str, kafka: LocalKafka, auth_env: dict[str, str]
    ) -> dict[str, str]:
        return {
            **auth_env,
            # its own Kafka user (SASL_SSL, SCRAM-SHA-512): the broker's ACLs apply
            **kafka.environment(service),
            **self.layout.service_environment(service, dict(os.environ)),
        }


def build_processes(
    config: UpConfig, kafka: LocalKafka, auth_env: dict[str, str] | None = None
) -> list[ServiceProcess]:
    return [
        ServiceProcess(
            spec,
            config.ports.services[spec.name],
            config.service_environment(spec.name, kafka, auth_env or {}),
            config.layout.logs / f"{spec.name}.log",
        )
        for spec in SERVICES
    ]


def run(config: UpConfig) -> int:
    problems = config.problems()
    if problems:
        for problem in problems:
            print(f"baan up: {problem}", file=sys.stderr)
        return 2
    layout = config.layout
    kafka = config.kafka()
    issuer = config.issuer()
    issuer_server = DevIssuerServer(issuer, config.ports.issuer, config.host)
    processes = build_processes(config, kafka, issuer.service_environment())
    record = instance_record(layout, config.ports, config.host)
    instance_file = write_instance(layout, **record, pid=os.getpid())
    stopping = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(f"Starting Kafka on {kafka.bootstrap} (data in {kafka.data_dir}) ...", flush=True)
    try:
        kafka.start()
        issuer_server.start()
        for process in processes:
            process.start()
        for process in processes:
            process.wait_live()
        here = "" if _is_default(layout) else f" --data-dir {layout.data_dir}"
        print("\nBaan is running:\n")
        for process in processes:
            print(f"  {process.spec.name:<13} {process.url}   API docs: {process.url}/docs")
        print(f"\n  Kafka         {kafka.bootstrap} (SASL_SSL; each service its own user)")
        print(f'                as admin: eval "$(baan kafka env{here})"')
        print(f"  Dev tokens    {issuer.issuer}/oauth/token")
        print(f"                (or: TOKEN=$(baan token --client baan-national{here}))")
        print(f"  Data          {layout.data_dir}/ (URLs in {instance_file.name})")
        print(f"  Logs          {layout.logs}/\n\nPress Ctrl-C to stop.", flush=True)
        while not stopping.wait(1.0):
            for process in processes:
                if process.process is not None and process.process.poll() is not None:
                    print(f"{process.spec.name} exited; last log lines:\n{process.log_tail()}")
                    stopping.set()
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"baan up: {exc}", file=sys.stderr)
        return 1
    finally:
        print("\nStopping services ...", flush=True)
        for process in reversed(processes):
            process.stop()
        issuer_server.stop()
        print("Stopping Kafka ...", flush=True)
        kafka.stop()
        write_instance(layout, pid=None)
        print("Stopped.", flush=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_default(layout: Layout) -> bool:
    from baan_local.instance import InstanceError, default_data_dir

    try:
        return layout.data_dir == default_data_dir()
    except InstanceError:
        return False


def main(argv: list[str] | None = None) -> int:
    """``baan-up``: the old name of ``baan up``."""
    from baan_local.cli import main as baan

    return baan(["up", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())

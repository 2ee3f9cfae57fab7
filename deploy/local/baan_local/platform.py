"""``baan-up`` (``make up``): the whole platform on one machine.

Starts the Apache Kafka broker (KRaft, data under ``.data/kafka``) and the four
services as separate processes, on SQLite files under ``.data/`` unless a
service's database URL is given (e.g. ``FINANCE_DATABASE_URL=postgresql+asyncpg://...``).
Prints each service's URL and API docs, and stops everything on Ctrl-C.
A second run reuses the data. Kafka runs with TLS, SASL and ACLs: each
service gets its own user's credentials (generated once under
``.data/kafka/security/``); ``baan-kafka env`` prints the administrator's.

A development token issuer runs beside them on 127.0.0.1:8090 (never in
production): the services trust it, and ``baan-dev-token --client
baan-national`` prints a token for curl (the key is kept under ``.data/``).
"""

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from baan_local.dev_issuer import DevIssuer, DevIssuerServer, load_or_create_key
from baan_local.kafka import LocalKafka
from baan_local.services import SERVICES, ServiceProcess

DEV_ISSUER_PORT = 8090


def build_processes(
    data_dir: Path, kafka: LocalKafka, auth_env: dict[str, str] | None = None
) -> list[ServiceProcess]:
    processes = []
    for spec in SERVICES:
        url_var = f"{spec.env_prefix}DATABASE_URL"
        env = {
            **(auth_env or {}),
            # its own Kafka user (SASL_SSL, SCRAM-SHA-512): the broker's ACLs apply
            **kafka.environment(spec.name),
            url_var: os.environ.get(url_var)
            or f"sqlite+aiosqlite:///{(data_dir / f'{spec.name}.db').resolve()}",
        }
        port = int(os.environ.get(f"{spec.env_prefix}PORT", spec.port))
        processes.append(ServiceProcess(spec, port, env, data_dir / "logs" / f"{spec.name}.log"))
    return processes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baan-up", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(".data"))
    parser.add_argument("--kafka-port", type=int, default=9092)
    args = parser.parse_args(argv)
    data_dir: Path = args.data_dir

    kafka = LocalKafka(data_dir / "kafka", port=args.kafka_port)
    print(f"Starting Kafka on {kafka.bootstrap} (data in {data_dir / 'kafka'}) ...", flush=True)
    kafka.start()
    # Same key file as `baan-dev-token`, so tokens it prints verify here.
    issuer = DevIssuer(
        issuer=f"http://127.0.0.1:{DEV_ISSUER_PORT}",
        key=load_or_create_key(data_dir / "dev-issuer" / "key.pem"),
    )
    issuer_server = DevIssuerServer(issuer, DEV_ISSUER_PORT)
    processes = build_processes(data_dir, kafka, issuer.service_environment())
    stopping = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        issuer_server.start()
        for process in processes:
            process.start()
        for process in processes:
            process.wait_live()
        print("\nBaan is running:\n")
        for process in processes:
            print(f"  {process.spec.name:<13} {process.url}   API docs: {process.url}/docs")
        print(f"\n  Kafka         {kafka.bootstrap} (SASL_SSL; each service its own user)")
        print(f'                as admin: eval "$(baan-kafka env --data-dir {kafka.data_dir})"')
        print(f"  Dev tokens    {issuer.issuer}/oauth/token")
        print("                (or: baan-dev-token --client baan-national)")
        print(f"  Logs          {data_dir / 'logs'}/\n\nPress Ctrl-C to stop.", flush=True)
        while not stopping.wait(1.0):
            for process in processes:
                if process.process is not None and process.process.poll() is not None:
                    print(f"{process.spec.name} exited; last log lines:\n{process.log_tail()}")
                    stopping.set()
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"baan-up: {exc}", file=sys.stderr)
        return 1
    finally:
        print("\nStopping services ...", flush=True)
        for process in reversed(processes):
            process.stop()
        issuer_server.stop()
        print("Stopping Kafka ...", flush=True)
        kafka.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())

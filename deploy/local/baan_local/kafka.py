"""The local Apache Kafka broker: one KRaft node running the official jars.

This module owns how Baan runs Kafka on one machine (a laptop, CI, the test
suite): fetching the official Apache jars from Maven Central with
deploy/kafka/pom.xml, writing the broker's properties, formatting the log
directory once, starting and stopping the JVM, and knowing when the broker
really serves requests. It needs a JDK 17+ and Maven, nothing else (no Docker,
no downloaded tarball).

One data directory holds everything of one broker, so a second start reuses it:

    server.properties   written on every start (mode 0600: it holds the admin password)
    security/           CA, broker certificate, users' passwords (kafka_security)
    logs/               the durable log (log.dirs, with meta.properties)
    broker.log          the JVM's output: the broker's log4j2 log at INFO
    broker.pid          the pid of the running JVM

Topics are never created automatically and keep their events forever
(log.retention.ms=-1): the platform's event streams are its history.

Clients connect as in production: TLS with SASL (``SASL_SSL``), each service
as its own SCRAM-SHA-512 user whose ACLs allow only its own topics, its
dead-letter topics, its subscriptions and its group; the tooling as the super
user ``admin`` (see ``baan_local.kafka_security``). ``client_options()`` gives
a raw aiokafka client the admin's credentials, ``security(user)`` any user's,
``environment(user)`` the ``KAFKA_*`` variables of a process.

CLI: `baan-kafka start|stop|status|run|env [--data-dir .data/kafka] [--port 9092] [--user admin]`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from baan_local._sync import run_sync
from baan_local.kafka_security import ADMIN_USER, SecurityFiles, all_acls, create_acls
from baan_local.ports import port_in_use, port_open
from baan_shared.bus.access import SERVICE_ACCESS
from baan_shared.bus.security import KafkaSecurity

KAFKA_HOME_ENV = "BAAN_KAFKA_HOME"
"""Environment variable naming the directory with pom.xml and log4j2.yaml."""

_LOG_ROTATE_BYTES = 20 * 1024 * 1024


class KafkaError(RuntimeError):
    """The local broker could not be set up, started or stopped."""


def kafka_home() -> Path:
    """The directory holding deploy/kafka's pom.xml and log4j2.yaml."""
    override = os.environ.get(KAFKA_HOME_ENV)
    if override:
        return Path(override).resolve()
    # deploy/local/baan_local/kafka.py -> deploy/kafka
    return Path(__file__).resolve().parents[2] / "kafka"


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaError(
            "java not found: install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless) "
            "or set JAVA_HOME"
        )
    return java


def new_cluster_id() -> str:
    """A Kafka cluster id, as `kafka-storage.sh random-uuid` makes it.

    Kafka's Uuid is a random UUID in URL-safe base64 without padding; Kafka
    re-draws ids starting with '-' so they cannot be taken for a CLI option.
    Doing it here saves starting a JVM for it.
    """
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


class LocalKafka:
    """One Apache Kafka broker (KRaft, broker and controller in one JVM) on 127.0.0.1.

    `start()` is idempotent: if a broker from the same data directory is already
    running (its pid file names a live JVM), it is reused. The JVM is detached
    (its own session), so it outlives a CLI `start`; `stop()` ends it from any
    process that points at the same data directory.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int = 9092,
        controller_port: int | None = None,
        heap: str = "512m",
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.controller_port = port + 1 if controller_port is None else controller_port
        self.heap = heap
        self.home = kafka_home()
        self.security_files = SecurityFiles(self.data_dir)
        self._process: subprocess.Popen[bytes] | None = None

    # -- where things are -------------------------------------------------

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients connect to."""
        return f"127.0.0.1:{self.port}"

    @property
    def log_dir(self) -> Path:
        """Kafka's log.dirs: the durable topic data and meta.properties."""
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        """The broker's own log (JVM stdout and stderr)."""
        return self.data_dir / "broker.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def properties_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def jar_dir(self) -> Path:
        return self.home / "target" / "dependency"

    # -- who connects -----------------------------------------------------

    @property
    def ca_file(self) -> Path:
        """The local CA's certificate, which signed the broker's (KAFKA_SSL_CAFILE)."""
        return self.security_files.ca_file

    def security(self, user: str = ADMIN_USER) -> KafkaSecurity:
        """Client security settings as ``user``: ``admin`` (the super user) or a service."""
        self.security_files.ensure()
        return self.security_files.security_for(user)

    def client_options(self, user: str = ADMIN_USER) -> dict[str, Any]:
        """aiokafka keyword arguments (TLS, SASL) to connect as ``user``; admin by default."""
        return self.security(user).client_options()

    def environment(self, user: str = ADMIN_USER) -> dict[str, str]:
        """The ``KAFKA_*`` environment of a process connecting as ``user``."""
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, **self.security(user).environment()}

    # -- jars and configuration -------------------------------------------

    def ensure_jars(self) -> Path:
        """Make sure the Kafka jars are in deploy/kafka/target/dependency; return that dir.

        Maven copies them from Maven Central (or ~/.m2) when the directory is
        missing, empty, or was filled from another version of pom.xml: a stamp
        file holds the pom's digest so a Kafka upgrade never mixes old and new jars.
        """
        pom = self.home / "pom.xml"
        if not pom.is_file():
            raise KafkaError(
                f"{pom} not found: set {KAFKA_HOME_ENV} to the directory holding Baan's "
                "deploy/kafka/pom.xml"
            )
        digest = hashlib.sha256(pom.read_bytes()).hexdigest()
        stamp = self.jar_dir / ".pom.sha256"
        has_jars = self.jar_dir.is_dir() and any(self.jar_dir.glob("*.jar"))
        if has_jars and stamp.is_file() and stamp.read_text().strip() == digest:
            return self.jar_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KafkaError("mvn not found: install Maven (apt-get install maven) to fetch Kafka")
        shutil.rmtree(self.jar_dir, ignore_errors=True)
        command = [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies"]
        result = subprocess.run(
            [*command, "-DincludeScope=runtime"],
            cwd=self.home,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not any(self.jar_dir.glob("*.jar")):
            output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            raise KafkaError(f"mvn could not fetch the Kafka jars:\n{output}")
        stamp.write_text(digest + "\n")
        return self.jar_dir

    def properties(self) -> dict[str, str]:
        """The broker's server.properties, tuned for one node on a small machine."""
        return {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"CLIENT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"CLIENT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "CLIENT",
            "listener.security.protocol.map": "CLIENT:SASL_SSL,CONTROLLER:SASL_PLAINTEXT",
            **self._security_properties(),
            "log.dirs": str(self.log_dir),
            # topics are created on purpose and keep their events forever
            "auto.create.topics.enable": "false",
            "log.retention.ms": "-1",
            "log.retention.bytes": "-1",
            "num.partitions": "1",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            # one node: every internal topic has one replica, and few partitions
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # after a crash the restarted node cannot register until the dead
            # one's session expires (default 9 s): shorter, for fault tests
            "broker.session.timeout.ms": "4000",
            "broker.heartbeat.interval.ms": "1000",
            # a laptop or a 2-core CI runner, not a server
            "num.network.threads": "2",
            "num.io.threads": "4",
            "num.recovery.threads.per.data.dir": "1",
        }

    def _security_properties(self) -> dict[str, str]:
        """TLS and SASL on the client listener, ACLs enforced, the tooling's super user.

        Clients: SASL_SSL with SCRAM-SHA-512 (services) or PLAIN (the static super
        user ``admin``, which needs nothing in the metadata log). The controller
        listener (the broker talking to its own controller) uses PLAIN as ``admin``.
        """
        files = self.security_files
        files.ensure()
        jaas = files.plain_jaas()
        return {
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            "super.users": f"User:{ADMIN_USER}",
            "sasl.mechanism.inter.broker.protocol": "PLAIN",
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.client.sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN",
            "listener.name.client.plain.sasl.jaas.config": jaas,
            "listener.name.client.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
            "listener.name.client.ssl.keystore.type": "PEM",
            "listener.name.client.ssl.keystore.location": str(files.broker_pem),
            "listener.name.client.ssl.truststore.type": "PEM",
            "listener.name.client.ssl.truststore.location": str(files.ca_file),
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": jaas,
        }

    def _write_properties(self) -> None:
        lines = []
        for key, value in self.properties().items():
            escaped = value.replace("\\", "\\\\")  # java.util.Properties: backslash escapes
            lines.append(f"{key}={escaped}")
        header = (
            "# Written by baan_local.kafka on every start; edit LocalKafka.properties() instead.\n"
        )
        text = header + "\n".join(lines) + "\n"
        descriptor = os.open(self.properties_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:  # it holds the admin's password
            handle.write(text)
        os.chmod(self.properties_file, 0o600)

    def _java_command(self, main_class: str, *args: str) -> list[str]:
        return [
            _java(),
            f"-Xmx{self.heap}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.yaml'}",
            "-cp",
            f"{self.jar_dir}/*",
            main_class,
            *args,
        ]

    def _format_storage(self) -> None:
        """Format the log directory, with every service's SCRAM user in its metadata."""
        users = sorted(SERVICE_ACCESS)
        scram = [
            argument
            for user in users
            for argument in (
                "--add-scram",
                f"SCRAM-SHA-512=[name={user},password={self.security_files.password(user)}]",
            )
        ]
        command = self._java_command(
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            new_cluster_id(),
            "--config",
            str(self.properties_file),
            *scram,
        )
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise KafkaError(f"formatting {self.log_dir} failed:\n{result.stdout}{result.stderr}")
        self.security_files.record_scram_users(users)

    def _add_missing_scram_users(self) -> None:
        """SCRAM users for a data directory formatted before it had them (ConfigCommand)."""
        missing = sorted(set(SERVICE_ACCESS) - self.security_files.scram_users())
        if not missing:
            return
        admin = self.security()
        client_config = self.security_files.dir / "admin-client.properties"
        client_config.write_text(
            "security.protocol=SASL_SSL\n"
            "sasl.mechanism=PLAIN\n"
            f"sasl.jaas.config={self.security_files.plain_jaas()}\n"
            "ssl.truststore.type=PEM\n"
            f"ssl.truststore.location={admin.cafile}\n"
        )
        os.chmod(client_config, 0o600)
        for user in missing:
            password = self.security_files.password(user)
            command = self._java_command(
                "kafka.admin.ConfigCommand",
                "--bootstrap-server",
                self.bootstrap,
                "--command-config",
                str(client_config),
                "--alter",
                "--add-config",
                f"SCRAM-SHA-512=[password={password}]",
                "--entity-type",
                "users",
                "--entity-name",
                user,
            )
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise KafkaError(
                    f"creating the Kafka user {user} failed:\n{result.stdout}{result.stderr}"
                )
            self.security_files.record_scram_users([user])

    def _apply_acls(self) -> None:
        """Every service's ACLs (baan_shared.bus.access), as the super user; idempotent."""
        run_sync(create_acls(self.bootstrap, self.security(), all_acls()))

    # -- processes --------------------------------------------------------

    def _alive(self, pid: int) -> bool:
        """Whether `pid` is a live broker JVM of this data directory."""
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # the pid may have been reused by another program since the pid file was written
        if not Path("/proc/self").exists():  # no procfs (macOS): trust the pid
            return True
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return str(self.properties_file).encode() in cmdline

    def _running_pid(self) -> int | None:
        """The pid of this data directory's running broker; removes a stale pid file."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except FileNotFoundError:
            return None
        except ValueError:
            pid = -1
        if pid > 0 and self._alive(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def is_running(self) -> bool:
        """Whether a broker from this data directory is running."""
        return self._running_pid() is not None

    def pid(self) -> int | None:
        """The running broker's process id, if any."""
        return self._running_pid()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of broker.log, for error messages."""
        return _tail(self.log_file, lines)

    def start(self, timeout: float = 90) -> None:
        """Start the broker (or reuse the running one) and wait until it serves requests."""
        pid = self._running_pid()
        if pid is not None:
            running = self.properties_file.read_text() if self.properties_file.is_file() else ""
            if f"listeners={self.properties()['listeners']}\n" not in running:
                raise KafkaError(
                    f"a broker from {self.data_dir} is already running (pid {pid}) on other "
                    "ports; stop it first"
                )
            self._wait_ready(pid, timeout)
            return
        pid = self._launch()
        try:
            self._wait_ready(pid, timeout)
            self._add_missing_scram_users()
            self._apply_acls()
        except BaseException:
            self.kill()  # a half-started JVM is no use to anyone
            raise

    def _launch(self) -> int:
        self.ensure_jars()
        for port in (self.port, self.controller_port):
            if port_in_use(port):
                raise KafkaError(f"port {port} on 127.0.0.1 is already in use")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_properties()
        if not (self.log_dir / "meta.properties").is_file():
            self._format_storage()
        if self.log_file.is_file() and self.log_file.stat().st_size > _LOG_ROTATE_BYTES:
            self.log_file.replace(self.log_file.with_name(self.log_file.name + ".1"))
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self._java_command("kafka.Kafka", str(self.properties_file)),
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{self._process.pid}\n")
        return self._process.pid

    def _wait_ready(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self._alive(pid):
                raise KafkaError(
                    f"the Kafka broker exited while starting; end of {self.log_file}:\n"
                    f"{self.log_tail()}"
                )
            if port_open(self.port) and run_sync(self._serves_requests()):
                return
            if time.monotonic() > deadline:
                raise KafkaError(
                    f"the Kafka broker did not get ready within {timeout:.0f}s; "
                    f"end of {self.log_file}:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    async def _serves_requests(self) -> bool:
        """One metadata round trip: the broker answers and knows its controller."""
        from aiokafka.admin import AIOKafkaAdminClient
        from aiokafka.errors import KafkaError as ClientError

        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap, request_timeout_ms=5000, **self.client_options()
        )
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
        except (TimeoutError, ClientError, OSError):
            return False
        finally:
            await admin.close()
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while self._alive(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _end(self, sig: signal.Signals, timeout: float) -> None:
        pid = self._running_pid()
        if pid is None:
            return
        os.kill(pid, sig)
        if not self._wait_exit(pid, timeout) and sig != signal.SIGKILL:
            os.kill(pid, signal.SIGKILL)
            self._wait_exit(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._process = None

    def stop(self, timeout: float = 30) -> None:
        """Shut the broker down cleanly (SIGTERM), SIGKILL if it takes longer than `timeout`."""
        self._end(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (for fault tests)."""
        self._end(signal.SIGKILL, 10)

    def __enter__(self) -> LocalKafka:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalKafka({str(self.data_dir)!r}, bootstrap={self.bootstrap!r})"


# -- CLI ------------------------------------------------------------------


def _run_foreground(broker: LocalKafka, timeout: float) -> int:
    """Start the broker, keep it until Ctrl-C or SIGTERM, then stop it."""
    stopping = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        broker.start(timeout)
        print(f"Kafka ready on {broker.bootstrap}; log in {broker.log_file}; Ctrl-C stops it")
        while not stopping.wait(1.0):
            if not broker.is_running():
                print(f"the broker exited; end of {broker.log_file}:", file=sys.stderr)
                print(broker.log_tail(), file=sys.stderr)
                return 1
        print("stopping Kafka ...")
        return 0
    finally:
        broker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """`baan-kafka start|stop|status|run|env`: manage the local Kafka broker."""
    parser = argparse.ArgumentParser(
        prog="baan-kafka",
        description="Baan's local Apache Kafka broker (KRaft, one node, durable log).",
    )
    parser.add_argument(
        "command",
        choices=["start", "stop", "status", "run", "env"],
        help=(
            "start: in the background; run: in the foreground until Ctrl-C; "
            "env: print the KAFKA_* variables to connect as --user (e.g. for baan-dlq)"
        ),
    )
    parser.add_argument(
        "--user",
        default=ADMIN_USER,
        help=f"for env: {ADMIN_USER} (the super user) or a service's name",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="default: <BAAN_DATA_DIR, else the repository's .data>/kafka, from any folder",
    )
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--controller-port", type=int, default=None, help="default: port + 1")
    parser.add_argument("--heap", default="512m", help="JVM -Xmx (default 512m)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for readiness")
    args = parser.parse_args(argv)
    if args.data_dir is None:
        from baan_local.instance import default_data_dir

        args.data_dir = default_data_dir() / "kafka"
    broker = LocalKafka(args.data_dir, args.port, args.controller_port, args.heap)
    try:
        if args.command == "start":
            broker.start(args.timeout)
            print(f"Kafka ready on {broker.bootstrap} (pid {broker.pid()}, log {broker.log_file})")
        elif args.command == "env":
            if args.user != ADMIN_USER and args.user not in SERVICE_ACCESS:
                parser.error(f"--user: {ADMIN_USER} or one of {', '.join(SERVICE_ACCESS)}")
            for name, value in broker.environment(args.user).items():
                print(f"export {name}={shlex.quote(value)}")
        elif args.command == "stop":
            broker.stop()
            print("Kafka stopped")
        elif args.command == "status":
            pid = broker.pid()
            if pid is None:
                print(f"Kafka is not running from {broker.data_dir}")
                return 3
            print(f"Kafka is running (pid {pid}) from {broker.data_dir}")
        else:
            return _run_foreground(broker, args.timeout)
    except KafkaError as exc:
        print(f"baan-kafka: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

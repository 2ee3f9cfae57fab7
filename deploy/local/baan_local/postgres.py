"""A throwaway PostgreSQL server for tests and local runs.

This module owns running a real PostgreSQL on one machine without Docker:
finding the server binaries, `initdb` into its own directory, one `postgres`
process on a free 127.0.0.1 port (trust auth, the unix socket in its own
directory, durability settings off because the data is disposable), creating
and dropping databases, and cleaning up.

Why not pytest-postgresql (10.0.0, the well-kept library for this): it runs
`pg_ctl initdb` and `pg_ctl start` as the current user, and PostgreSQL refuses
to run as root ("pg_ctl: cannot be run as root"; tried on this machine). Our
developer machines and CI run as root, so using it would take a wrapper script
around pg_ctl plus re-owning its 0700 pytest temp dirs, and it would bring
psycopg, mirakuru and port-for along. The root case is a few lines here: as
root, initdb and postgres run as the `postgres` system user (subprocess's
`user=`), in a directory that user owns.

The binaries come from `BAAN_PG_BINDIR`, `pg_config --bindir`, the directory of
an `initdb` on PATH, or the newest /usr/lib/postgresql/*/bin (Debian's layout;
CI does `apt-get install postgresql`).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from baan_local._sync import run_sync
from baan_local.ports import free_port

BINDIR_ENV = "BAAN_PG_BINDIR"
SUPERUSER = "postgres"
"""The database superuser (initdb -U); trust auth, no password."""

_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresError(RuntimeError):
    """The local PostgreSQL server could not be found, set up, started or used."""


def find_bindir() -> Path:
    """The directory holding PostgreSQL's server programs (initdb, postgres)."""
    candidates: list[Path] = []
    if os.environ.get(BINDIR_ENV):
        candidates.append(Path(os.environ[BINDIR_ENV]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)

    def version(bindir: Path) -> float:
        try:
            return float(bindir.parent.name)
        except ValueError:
            return 0.0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise PostgresError(
        "PostgreSQL server programs (initdb, postgres) not found: install them "
        f"(apt-get install postgresql) or set {BINDIR_ENV} to their directory"
    )


def _server_account() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as when we are root, else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError("running as root, but there is no 'postgres' or 'nobody' user to run as")


class LocalPostgres:
    """One PostgreSQL server on 127.0.0.1 for tests.

    `data_dir` (default: a new temporary directory, removed by `stop()`) holds
    `pgdata/`, `socket/` and `postgres.log`; a given directory that already
    holds a cluster is reused. `port` defaults to a free port. `settings` are
    server parameters (`{"shared_buffers": "2GB"}`) passed as `-c name=value`
    after the defaults, so they win.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        port: int | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        self._owns_dir = data_dir is None
        self.settings = dict(settings or {})
        self.data_dir = (
            Path(tempfile.mkdtemp(prefix="baan-pg-")) if data_dir is None else Path(data_dir)
        ).resolve()
        self.port = free_port() if port is None else port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir / "socket"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    def url(self, dbname: str, driver: str = "asyncpg") -> str:
        """SQLAlchemy URL of a database on this server; `driver=""` gives a plain libpq URL."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 60) -> None:
        """initdb (once) and start the server; return when it accepts connections."""
        if self.is_running():
            return
        bindir = find_bindir()
        account = _server_account()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if account is not None:
            # initdb and postgres run as this account: it must own their directories
            for path in (self.data_dir, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        # as root: the server account's uid and gid, and none of root's groups
        uid = None if account is None else account.pw_uid
        gid = None if account is None else account.pw_gid
        groups: list[int] | None = None if account is None else []
        if not (self.pgdata / "PG_VERSION").is_file():
            command = [str(bindir / "initdb"), "-D", str(self.pgdata), "-U", SUPERUSER]
            result = subprocess.run(
                [*command, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                cwd=self.data_dir,
                capture_output=True,
                text=True,
                check=False,
                user=uid,
                group=gid,
                extra_groups=groups,
            )
            if result.returncode != 0:
                hint = ""
                if account is not None:
                    hint = (
                        f"\n(running as root: initdb runs as {account.pw_name!r}, who must be "
                        f"able to reach {self.data_dir})"
                    )
                raise PostgresError(f"initdb failed:\n{result.stdout}{result.stderr}{hint}")
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(self.pgdata),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.socket_dir),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "max_connections=200",
                    # throwaway data: durability buys nothing here
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    *(
                        option
                        for name, value in self.settings.items()
                        for option in ("-c", f"{name}={value}")
                    ),
                ],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=uid,
                group=gid,
                extra_groups=groups,
            )
        self._wait_ready(bindir, timeout)

    def _wait_ready(self, bindir: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        command = [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        while True:
            if not self.is_running():
                raise PostgresError(f"postgres exited while starting:\n{self._log_tail()}")
            if subprocess.run([*command, "-U", SUPERUSER], check=False).returncode == 0:
                return
            if time.monotonic() > deadline:
                self.stop()
                raise PostgresError(f"postgres not ready within {timeout:.0f}s")
            time.sleep(0.1)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        """Stop the server (fast shutdown) and remove its directory if it made it."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)  # "fast" shutdown
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- databases -------------------------------------------------------------

    async def _execute(self, statement: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(self.url("postgres", driver=""))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    def create_database(self, name: str) -> str:
        """Create database `name` (lowercase letters, digits, _); return its asyncpg URL."""
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain lowercase database name: {name!r}")
        run_sync(self._execute(f'CREATE DATABASE "{name}"'))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, disconnecting its sessions."""
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain lowercase database name: {name!r}")
        run_sync(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def __enter__(self) -> LocalPostgres:
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
        return f"LocalPostgres(port={self.port}, data_dir={str(self.data_dir)!r})"

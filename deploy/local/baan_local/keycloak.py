"""A local Keycloak: the real identity provider, for the tests that need one.

Production runs Keycloak (docs/adr/0003-partner-access.md, "Keycloak in
production"); the development issuer (``baan_local.dev_issuer``) only imitates
it. This module runs Keycloak's own server distribution, taken from Maven
Central with deploy/keycloak/pom.xml (``org.keycloak:keycloak-quarkus-dist``,
a zip), on 127.0.0.1, with realms imported from JSON at start-up
(deploy/keycloak/baan-realm.json by default). It needs Maven and a Java 21+
(Keycloak 26), nothing else: no Docker.

Once per checkout, ``ensure_distribution()`` unzips the distribution into
deploy/keycloak/target/keycloak-<version> and runs ``kc.sh build`` (Quarkus'
augmentation, tens of seconds) with the options below, so that every start is
``kc.sh start --optimized`` and skips it (``start-dev`` would redo it on every
start). Each server then has its own home in its data directory: its own
``data/`` (the realms to import, the transaction log, temp files) with the
distribution's ``lib`` and ``conf`` linked in, so servers of parallel test runs
share nothing they write.

    home/lib, home/conf   links to the unpacked distribution
    home/data/import/     the realm files, with each client's secret filled in
    secrets.json          the client secrets and the bootstrap admin's (mode 0600)
    keycloak.log          the server's output
    keycloak.pid          the pid of kc.sh (the JVM runs in its process group)

The database is H2 in memory (``--db=dev-mem``): a server starts from its realm
files and forgets everything when it stops. Clustering is off
(``--cache=local``). HTTP on ``127.0.0.1:<port>``, the management interface
(health) on ``127.0.0.1:<management_port>`` instead of 9000. Client secrets are
not in the realm files in deploy/: this module draws one per client at each
start and writes it into the copy Keycloak imports; ``client_secret(realm,
client_id)`` returns it. The admin REST API is reached with a bootstrap admin
service account (client credentials on the master realm); ``rotate_signing_key``
uses it to rotate a realm's RSA key as an operator would.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from baan_local.ports import free_ports, port_in_use

KEYCLOAK_HOME_ENV = "BAAN_KEYCLOAK_HOME"
"""Environment variable naming the directory with pom.xml and the realm files."""

MIN_JAVA = 21
ADMIN_CLIENT_ID = "baan-local-admin"
KEY_PROVIDER_TYPE = "org.keycloak.keys.KeyProvider"

# Build-time options, baked into the distribution once by `kc.sh build`.
BUILD_OPTIONS = ("--db=dev-mem", "--health-enabled=true")


class KeycloakError(RuntimeError):
    """The local Keycloak could not be set up, started, stopped or administered."""


def keycloak_home() -> Path:
    """The directory holding deploy/keycloak's pom.xml and realm files."""
    override = os.environ.get(KEYCLOAK_HOME_ENV)
    if override:
        return Path(override).resolve()
    # deploy/local/baan_local/keycloak.py -> deploy/keycloak
    return Path(__file__).resolve().parents[2] / "keycloak"


def baan_realm_file() -> Path:
    """The platform's realm: its clients, scopes, audience and areas claim."""
    return keycloak_home() / "baan-realm.json"


def keycloak_version() -> str:
    """The version pom.xml fetches (``<keycloak.version>``)."""
    pom = keycloak_home() / "pom.xml"
    match = re.search(r"<keycloak\.version>([^<]+)</keycloak\.version>", pom.read_text())
    if match is None:
        raise KeycloakError(f"{pom} names no <keycloak.version>")
    return match.group(1).strip()


def java_version(java_home: Path) -> int | None:
    """The feature version (21, 25, ...) of the JDK or JRE at java_home, if it is one."""
    if not (java_home / "bin" / "java").is_file():
        return None
    release = java_home / "release"
    text = release.read_text(errors="replace") if release.is_file() else ""
    match = re.search(r'^JAVA_VERSION="(?:1\.)?(\d+)', text, re.MULTILINE)
    if match is not None:
        return int(match.group(1))
    result = subprocess.run(
        [str(java_home / "bin" / "java"), "-version"], capture_output=True, text=True, check=False
    )
    match = re.search(r'version "(?:1\.)?(\d+)', result.stderr)
    return int(match.group(1)) if match else None


def find_java_home(minimum: int = MIN_JAVA) -> Path:
    """A Java home of at least ``minimum``: JAVA_HOME if new enough, else the newest
    under /usr/lib/jvm (Debian's packages and Adoptium's both install there)."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        found = [(java_version(path), path) for path in sorted(jvm.iterdir()) if path.is_dir()]
        candidates += [path for version, path in sorted(found, key=lambda f: -(f[0] or 0))]
    for path in candidates:
        version = java_version(path)
        if version is not None and version >= minimum:
            return path.resolve()
    raise KeycloakError(
        f"Keycloak needs Java {minimum}+ and none was found (JAVA_HOME or /usr/lib/jvm/*): "
        "run scripts/install-test-deps.sh, install e.g. openjdk-21-jre-headless or Adoptium's "
        "temurin-21-jre, or set JAVA_HOME"
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (two test runs preparing one distribution)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def _java_environment(java_home: Path) -> dict[str, str]:
    environment = {**os.environ, "JAVA_HOME": str(java_home)}
    for name in ("JAVA_OPTS", "JAVA", "KC_DB", "KC_CACHE"):
        environment.pop(name, None)
    if (java_version(java_home) or 0) >= 24:
        # Quarkus' thread pool resets thread locals through java.lang internals;
        # Java 24+ refuses that unless the package is opened (the JVM says so).
        environment["JAVA_OPTS_APPEND"] = "--add-opens=java.base/java.lang=ALL-UNNAMED"
    return environment


def ensure_distribution(java_home: Path | None = None) -> Path:
    """The unpacked and built Keycloak distribution in deploy/keycloak/target.

    Maven unpacks the zip from Maven Central (or ~/.m2) when it is missing; then
    ``kc.sh build`` bakes BUILD_OPTIONS in. A stamp with the pom's digest and the
    options makes a version bump or an option change redo both.
    """
    home = keycloak_home()
    pom = home / "pom.xml"
    if not pom.is_file():
        raise KeycloakError(
            f"{pom} not found: set {KEYCLOAK_HOME_ENV} to the directory holding Baan's "
            "deploy/keycloak/pom.xml"
        )
    target = home / "target"
    distribution = target / f"keycloak-{keycloak_version()}"
    stamp_text = hashlib.sha256(pom.read_bytes() + " ".join(BUILD_OPTIONS).encode()).hexdigest()
    stamp = target / ".baan-build.sha256"
    with _locked(target / ".baan.lock"):
        kc_sh = distribution / "bin" / "kc.sh"
        if kc_sh.is_file() and stamp.is_file() and stamp.read_text().strip() == stamp_text:
            return distribution
        java_home = java_home or find_java_home()
        stamp.unlink(missing_ok=True)
        if not kc_sh.is_file():
            mvn = shutil.which("mvn")
            if mvn is None:
                raise KeycloakError(
                    "mvn not found: install Maven (apt-get install maven) to fetch Keycloak"
                )
            shutil.rmtree(distribution, ignore_errors=True)
            # without its marker, the plugin would think the zip is still unpacked
            shutil.rmtree(target / "dependency-maven-plugin-markers", ignore_errors=True)
            result = subprocess.run(
                [mvn, "-q", "-B", "-f", str(pom), "dependency:unpack"],
                cwd=home,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0 or not kc_sh.is_file():
                output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
                raise KeycloakError(f"mvn could not fetch Keycloak:\n{output}")
        result = subprocess.run(
            [str(kc_sh), "build", *BUILD_OPTIONS],
            cwd=distribution,
            env=_java_environment(java_home),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            raise KeycloakError(f"kc.sh build failed:\n{output}")
        stamp.write_text(stamp_text + "\n")
    return distribution


class LocalKeycloak:
    """One Keycloak server on 127.0.0.1 with its realms imported at start-up.

    ``realm_files`` are realm representations (exports) as JSON; their
    confidential clients get fresh secrets at every start. Everything the
    server writes is under ``data_dir``; ``stop()`` ends it (SIGTERM to its
    process group, then SIGKILL if it lingers).
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        management_port: int | None = None,
        realm_files: Sequence[Path] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        if port is None or management_port is None:
            free = free_ports(2)
            port = free[0] if port is None else port
            management_port = free[1] if management_port is None else management_port
        self.port = port
        self.management_port = management_port
        self.realm_files = [Path(f) for f in (realm_files or [baan_realm_file()])]
        self._process: subprocess.Popen[bytes] | None = None
        self._secrets: dict[str, Any] = {}

    # -- where things are -------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    @property
    def server_home(self) -> Path:
        return self.data_dir / "home"

    @property
    def import_dir(self) -> Path:
        return self.server_home / "data" / "import"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "keycloak.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "keycloak.pid"

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / "secrets.json"

    def issuer(self, realm: str = "baan") -> str:
        """The realm's issuer (``iss``), as services get it in ``AUTH_ISSUER``."""
        return f"{self.url}/realms/{realm}"

    def jwks_url(self, realm: str = "baan") -> str:
        return f"{self.issuer(realm)}/protocol/openid-connect/certs"

    def token_url(self, realm: str = "baan") -> str:
        return f"{self.issuer(realm)}/protocol/openid-connect/token"

    def service_environment(self, realm: str = "baan") -> dict[str, str]:
        """The ``AUTH_*`` variables of a service trusting this realm (ADR 0003)."""
        return {
            "AUTH_ISSUER": self.issuer(realm),
            "AUTH_JWKS_URL": self.jwks_url(realm),
            "AUTH_TOKEN_URL": self.token_url(realm),
            "AUTH_AUDIENCE": "baan",
        }

    @property
    def realms(self) -> list[str]:
        return [json.loads(path.read_text())["realm"] for path in self.realm_files]

    # -- clients and tokens -----------------------------------------------

    def client_secret(self, realm: str, client_id: str) -> str:
        """The secret this server's ``client_id`` in ``realm`` was given at start-up."""
        try:
            return str(self._load_secrets()["clients"][realm][client_id])
        except KeyError:
            message = f"no confidential client {client_id!r} in realm {realm!r}"
            raise KeycloakError(message) from None

    def token(self, client_id: str, realm: str = "baan", scope: str | None = None) -> str:
        """An access token for ``client_id`` (client credentials), as a partner gets one."""
        data = {"grant_type": "client_credentials"}
        if scope is not None:
            data["scope"] = scope
        response = httpx.post(
            self.token_url(realm),
            data=data,
            auth=(client_id, self.client_secret(realm, client_id)),
            timeout=30,
        )
        if response.status_code != 200:
            raise KeycloakError(
                f"token for {client_id} in {realm}: {response.status_code} {response.text}"
            )
        return str(response.json()["access_token"])

    # -- the admin REST API -----------------------------------------------

    def admin(self) -> httpx.Client:
        """An HTTP client of the admin REST API (``/admin/realms/...``), as the bootstrap
        admin service account."""
        secret = self._load_secrets()["admin"]
        response = httpx.post(
            self.token_url("master"),
            data={"grant_type": "client_credentials"},
            auth=(ADMIN_CLIENT_ID, secret),
            timeout=30,
        )
        if response.status_code != 200:
            raise KeycloakError(f"admin token: {response.status_code} {response.text}")
        token = response.json()["access_token"]
        return httpx.Client(
            base_url=f"{self.url}/admin/realms",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    def signing_key_ids(self, realm: str = "baan") -> list[str]:
        """The kids of the realm's RS256 keys in its published JWKS."""
        keys = httpx.get(self.jwks_url(realm), timeout=30).json()["keys"]
        return [key["kid"] for key in keys if key.get("use") == "sig" and key["alg"] == "RS256"]

    def rotate_signing_key(self, realm: str = "baan", *, keep_old: bool = True) -> str:
        """Rotate the realm's RS256 key at once; return the new key's kid.

        A new ``rsa-generated`` key provider with a higher priority than any other
        signs from now on; the old RS256 providers become passive (still in the
        JWKS, so tokens they signed verify until they expire) or, with
        ``keep_old=False``, are deleted.
        """
        kid = self.add_signing_key(realm, active=False)
        self.activate_signing_key(realm, kid, delete_others=not keep_old)
        return kid

    def add_signing_key(self, realm: str = "baan", *, active: bool = True) -> str:
        """A new RS256 key (``rsa-generated`` provider) above every other; its kid.

        ``active=False`` only publishes it in the JWKS: the realm keeps signing
        with its current key until ``activate_signing_key`` (a rotation announced
        in advance, so services have the key before any token uses it).
        """
        with self.admin() as admin:
            realm_id = _checked(admin.get(f"/{realm}")).json()["id"]
            priority = max(
                (
                    int(p["config"].get("priority", ["0"])[0])
                    for p in self._rsa_providers(admin, realm)
                ),
                default=0,
            )
            before = {key["kid"] for key in self._rsa_keys(admin, realm)}
            _checked(
                admin.post(
                    f"/{realm}/components",
                    json={
                        "name": f"rsa-{uuid.uuid4().hex[:8]}",
                        "providerId": "rsa-generated",
                        "providerType": KEY_PROVIDER_TYPE,
                        "parentId": realm_id,
                        "config": {
                            "priority": [str(priority + 100)],
                            "enabled": ["true"],
                            "active": ["true" if active else "false"],
                            "algorithm": ["RS256"],
                            "keySize": ["2048"],
                        },
                    },
                )
            )
            new = [k["kid"] for k in self._rsa_keys(admin, realm) if k["kid"] not in before]
        if len(new) != 1:
            raise KeycloakError(f"after adding a key, expected one new RS256 kid, found {new}")
        if active:
            self.activate_signing_key(realm, new[0])
        return str(new[0])

    def activate_signing_key(self, realm: str, kid: str, *, delete_others: bool = False) -> None:
        """Sign with the key ``kid`` from now on; the other RS256 keys become passive
        (still published, so their tokens verify until they expire) or are deleted."""
        with self.admin() as admin:
            owner = {k["kid"]: k["providerId"] for k in self._rsa_keys(admin, realm)}
            if kid not in owner:
                raise KeycloakError(f"realm {realm!r} has no RS256 key {kid!r}")
            for provider in self._rsa_providers(admin, realm):
                if provider["id"] == owner[kid]:
                    provider["config"]["active"] = ["true"]
                elif delete_others:
                    _checked(admin.delete(f"/{realm}/components/{provider['id']}"))
                    continue
                else:
                    provider["config"]["active"] = ["false"]
                _checked(admin.put(f"/{realm}/components/{provider['id']}", json=provider))

    @staticmethod
    def _rsa_providers(admin: httpx.Client, realm: str) -> list[dict[str, Any]]:
        providers = _checked(
            admin.get(f"/{realm}/components", params={"type": KEY_PROVIDER_TYPE})
        ).json()
        return [
            p
            for p in providers
            if p["providerId"] in ("rsa-generated", "rsa")
            and p["config"].get("algorithm", ["RS256"]) == ["RS256"]
        ]

    @staticmethod
    def _rsa_keys(admin: httpx.Client, realm: str) -> list[dict[str, Any]]:
        """The realm's RS256 signing keys (kid, providerId, status) from the admin API."""
        keys = _checked(admin.get(f"/{realm}/keys")).json()["keys"]
        return [k for k in keys if k.get("algorithm") == "RS256" and k.get("use") == "SIG"]

    # -- starting and stopping --------------------------------------------

    def _load_secrets(self) -> dict[str, Any]:
        if not self._secrets and self.secrets_file.is_file():
            self._secrets = json.loads(self.secrets_file.read_text())
        if not self._secrets:
            raise KeycloakError(f"Keycloak was not started from {self.data_dir}")
        return self._secrets

    def _prepare_home(self, distribution: Path) -> None:
        """The server's own home: fresh data/, the distribution's lib and conf linked in."""
        shutil.rmtree(self.server_home, ignore_errors=True)
        self.import_dir.mkdir(parents=True)
        for name in ("lib", "conf", "themes"):
            (self.server_home / name).symlink_to(distribution / name)
        (self.server_home / "providers").mkdir()
        clients: dict[str, dict[str, str]] = {}
        for path in self.realm_files:
            realm = json.loads(path.read_text())
            for client in realm.get("clients", []):
                if client.get("publicClient") or client.get("bearerOnly"):
                    continue
                client["secret"] = secrets.token_urlsafe(24)
                clients.setdefault(realm["realm"], {})[client["clientId"]] = client["secret"]
            target = self.import_dir / f"{realm['realm']}-realm.json"
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(realm, handle)
        self._secrets = {"admin": secrets.token_urlsafe(24), "clients": clients}
        descriptor = os.open(self.secrets_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(self._secrets, handle)

    def command(self, distribution: Path) -> list[str]:
        return [
            str(distribution / "bin" / "kc.sh"),
            f"-Dkc.home.dir={self.server_home}",
            "start",
            "--optimized",
            "--cache=local",
            "--http-enabled=true",
            "--http-host=127.0.0.1",
            f"--http-port={self.port}",
            f"--http-management-port={self.management_port}",
            "--hostname-strict=false",
            "--import-realm",
            "--log-level=info",
        ]

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 300) -> None:
        """Start the server and wait until every realm's discovery document answers."""
        if self.is_running():
            return
        java_home = find_java_home()
        distribution = ensure_distribution(java_home)
        for port in (self.port, self.management_port):
            if port_in_use(port):
                raise KeycloakError(f"port {port} on 127.0.0.1 is already in use")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_home(distribution)
        environment = _java_environment(java_home)
        environment["KC_BOOTSTRAP_ADMIN_CLIENT_ID"] = ADMIN_CLIENT_ID
        environment["KC_BOOTSTRAP_ADMIN_CLIENT_SECRET"] = self._secrets["admin"]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(distribution),
                cwd=self.data_dir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{self._process.pid}\n")
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop(timeout=10)
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.realms)
        with httpx.Client(timeout=5) as http:
            while pending:
                if not self.is_running():
                    raise KeycloakError(
                        f"Keycloak exited while starting; end of {self.log_file}:\n"
                        f"{_tail(self.log_file)}"
                    )
                try:
                    answer = http.get(f"{self.issuer(pending[0])}/.well-known/openid-configuration")
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code == 200:
                    pending.pop(0)
                    continue
                if time.monotonic() > deadline:
                    raise KeycloakError(
                        f"Keycloak did not serve realm {pending[0]!r} within {timeout:.0f}s; "
                        f"end of {self.log_file}:\n{_tail(self.log_file)}"
                    )
                time.sleep(0.5)

    def stop(self, timeout: float = 30) -> None:
        """Shut the server down (SIGTERM to its process group), SIGKILL after ``timeout``."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        # kc.sh has exited; make sure the JVM of its process group has too
        deadline = time.monotonic() + timeout
        while _group_alive(process.pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        self._process = None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_file, lines)

    def __enter__(self) -> LocalKeycloak:
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
        return f"LocalKeycloak({str(self.data_dir)!r}, url={self.url!r})"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise KeycloakError(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text}"
        )
    return response

"""The local broker's security: a CA and broker certificate, users, passwords and ACLs.

The local broker runs as production does: clients connect over TLS and
authenticate (``SASL_SSL``), each service with its own SCRAM-SHA-512 user, and
the broker's ACLs (``StandardAuthorizer``, ``allow.everyone.if.no.acl.found=false``)
allow each service only what ``baan_shared.bus.access`` says. The tooling itself
(readiness checks, tests, benches, ``baan-dlq``) is the super user ``admin``.

Everything is generated once into ``<data dir>/security/`` and never leaves it
(development secrets, not committed, not in images):

    ca.pem            the local CA's certificate (clients trust it: KAFKA_SSL_CAFILE)
    ca.key            the CA's private key
    broker.pem        the broker's private key and certificate (127.0.0.1, localhost)
    credentials.json  the users' passwords (admin and one per service), mode 0600
    scram-users       the SCRAM users the broker's metadata already has

``admin`` authenticates with SASL/PLAIN (over TLS, a static user in the broker's
configuration), so the tooling can log in even to a data directory formatted
before it had users; the services are SCRAM users, created at format time
(``kafka-storage format --add-scram``) or, for an older data directory, once
with Kafka's ``ConfigCommand``. The ACLs are (re)applied on every start with
the CreateAcls API (creating an existing ACL changes nothing).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baan_shared.bus.access import SERVICE_ACCESS, ServiceAccess
from baan_shared.bus.security import KafkaSecurity

ADMIN_USER = "admin"
"""The tooling's super user (``super.users``); SASL/PLAIN over TLS."""

SERVICE_MECHANISM = "SCRAM-SHA-512"

# Kafka's ACL codes (org.apache.kafka.common.acl / resource), as the CreateAcls API takes them.
_TOPIC, _GROUP = 2, 3
_LITERAL, _PREFIXED = 3, 4
_READ, _WRITE, _CREATE, _DESCRIBE = 3, 4, 5, 8
_ALLOW = 3

OPERATIONS = {"Read": _READ, "Write": _WRITE, "Create": _CREATE, "Describe": _DESCRIBE}
RESOURCE_TYPES = {"topic": _TOPIC, "group": _GROUP}
PATTERN_TYPES = {"literal": _LITERAL, "prefix": _PREFIXED}


@dataclass(frozen=True)
class AclBinding:
    """One allow-ACL: ``principal`` may do ``operation`` on a topic or group."""

    principal: str  # "User:survey"
    resource_type: str  # "topic" | "group"
    name: str
    pattern: str  # "literal" | "prefix"
    operation: str  # "Read" | "Write" | "Create" | "Describe"


def service_acls(access: ServiceAccess) -> list[AclBinding]:
    """The ACLs of one service's user, from ``baan_shared.bus.access``."""
    principal = f"User:{access.user}"
    bindings = [
        AclBinding(principal, "topic", topic, "literal", operation)
        for topic in access.writes
        for operation in ("Write", "Describe", "Create")
    ]
    bindings += [
        AclBinding(principal, "topic", topic, "literal", operation)
        for topic in access.consumes
        for operation in ("Read", "Describe")
    ]
    bindings.append(AclBinding(principal, "group", access.group, "literal", "Read"))
    bindings += [
        AclBinding(principal, "group", prefix, "prefix", "Read") for prefix in access.group_prefixes
    ]
    return bindings


def all_acls() -> list[AclBinding]:
    return [binding for access in SERVICE_ACCESS.values() for binding in service_acls(access)]


class SecurityFiles:
    """The ``security/`` directory of one local broker's data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir) / "security"

    @property
    def ca_file(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def ca_key_file(self) -> Path:
        return self.dir / "ca.key"

    @property
    def broker_pem(self) -> Path:
        return self.dir / "broker.pem"

    @property
    def credentials_file(self) -> Path:
        return self.dir / "credentials.json"

    @property
    def scram_users_file(self) -> Path:
        return self.dir / "scram-users"

    # -- generation ---------------------------------------------------------------

    def ensure(self) -> None:
        """Create whatever is missing: the CA, the broker's certificate, the passwords."""
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        if not (self.ca_file.is_file() and self.ca_key_file.is_file()):
            self._write_ca()
            self.broker_pem.unlink(missing_ok=True)
        if not self.broker_pem.is_file():
            self._write_broker_certificate()
        credentials = self._read_credentials()
        wanted = [ADMIN_USER, *SERVICE_ACCESS]
        if any(user not in credentials for user in wanted):
            for user in wanted:
                credentials.setdefault(user, secrets.token_urlsafe(24))
            _write_private(self.credentials_file, json.dumps(credentials, indent=2) + "\n")

    def _read_credentials(self) -> dict[str, str]:
        try:
            data = json.loads(self.credentials_file.read_text())
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def password(self, user: str) -> str:
        credentials = self._read_credentials()
        if user not in credentials:
            raise KeyError(f"no Kafka user {user!r} in {self.credentials_file}")
        return credentials[user]

    def _write_ca(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Baan local Kafka CA")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        _write_private(
            self.ca_key_file,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        )
        self.ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    def _write_broker_certificate(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        ca_key = serialization.load_pem_private_key(self.ca_key_file.read_bytes(), None)
        if not isinstance(ca_key, rsa.RSAPrivateKey):
            raise TypeError(f"{self.ca_key_file} is not an RSA key")
        ca = x509.load_pem_x509_certificate(self.ca_file.read_bytes())
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "baan-local-kafka")]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        chain = certificate.public_bytes(serialization.Encoding.PEM).decode()
        _write_private(self.broker_pem, key_pem + chain)

    # -- users ----------------------------------------------------------------------

    def scram_users(self) -> set[str]:
        """The service users the broker's metadata has (as far as this directory knows)."""
        try:
            return set(self.scram_users_file.read_text().split())
        except FileNotFoundError:
            return set()

    def record_scram_users(self, users: Iterable[str]) -> None:
        known = self.scram_users() | set(users)
        self.scram_users_file.write_text("".join(f"{user}\n" for user in sorted(known)))

    def security_for(self, user: str) -> KafkaSecurity:
        """A client's security settings as ``user`` (``admin`` or a service)."""
        return KafkaSecurity(
            protocol="SASL_SSL",
            sasl_mechanism="PLAIN" if user == ADMIN_USER else SERVICE_MECHANISM,
            username=user,
            password=self.password(user),
            cafile=str(self.ca_file),
        )

    def plain_jaas(self) -> str:
        """The broker's PLAIN login: the static super user, also its own client login."""
        password = self.password(ADMIN_USER)
        return (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{ADMIN_USER}" password="{password}" user_{ADMIN_USER}="{password}";'
        )


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


# -- ACLs through the CreateAcls API -----------------------------------------------


def _create_acls_request(bindings: list[AclBinding]) -> Any:
    """One CreateAcls request (v1, with pattern types) for all ``bindings``."""
    from aiokafka.protocol.admin import CreateAclsRequest

    class _CreateAll(CreateAclsRequest):
        def __init__(self) -> None:
            pass

        def build(self, request_struct_class: Any) -> Any:
            if request_struct_class.API_VERSION < 1:
                raise RuntimeError("the broker does not support CreateAcls v1")
            return request_struct_class(
                [
                    (
                        RESOURCE_TYPES[b.resource_type],
                        b.name,
                        PATTERN_TYPES[b.pattern],
                        b.principal,
                        "*",
                        OPERATIONS[b.operation],
                        _ALLOW,
                    )
                    for b in bindings
                ]
            )

    return _CreateAll()


async def create_acls(bootstrap: str, admin: KafkaSecurity, bindings: list[AclBinding]) -> None:
    """Create ``bindings`` as the super user; existing ones are left as they are."""
    from aiokafka.admin import AIOKafkaAdminClient

    client = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=15000, **admin.client_options()
    )
    await client.start()
    try:
        response = await client._send_request(_create_acls_request(bindings))
    finally:
        await client.close()
    errors = [
        f"{binding}: {message or code}"
        for binding, (code, message) in zip(
            bindings, _pairs(response.creation_responses), strict=False
        )
        if code != 0
    ]
    if errors:
        raise RuntimeError("creating Kafka ACLs failed: " + "; ".join(errors))


def _pairs(responses: Iterable[Any]) -> Iterator[tuple[int, str | None]]:
    for item in responses:
        yield int(item[0]), item[1]

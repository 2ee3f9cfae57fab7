"""How every Kafka client of Baan authenticates: one place builds aiokafka's options.

Each service has its own Kafka user (SASL/SCRAM-SHA-512 over TLS, i.e.
``SASL_SSL``), and the broker's ACLs let it write only its own topics and
dead-letter topics and read only what it subscribes to, in its own group
(see ``baan_shared.bus.access``). The credentials come from the environment,
unprefixed like ``KAFKA_BOOTSTRAP_SERVERS`` (one process, one service):

    KAFKA_SECURITY_PROTOCOL     PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL
    KAFKA_SASL_MECHANISM        SCRAM-SHA-512 (default when SASL is on), SCRAM-SHA-256, PLAIN
    KAFKA_SASL_USERNAME         the service's Kafka user
    KAFKA_SASL_PASSWORD         its password, or
    KAFKA_SASL_PASSWORD_FILE    a file holding it (e.g. a mounted Secret)
    KAFKA_SSL_CAFILE            the CA that signed the broker's certificate (PEM);
                                the system's trust store when unset

Every producer, consumer and admin client is built with ``client_options()``
of a ``KafkaSecurity``, so no client can forget the credentials.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


class KafkaSecuritySettings(Protocol):
    """The settings fields ``KafkaSecurity.from_settings`` reads (``ServiceSettings`` has them)."""

    kafka_security_protocol: str
    kafka_sasl_mechanism: str
    kafka_sasl_username: str | None
    kafka_sasl_password: str | None
    kafka_sasl_password_file: str | None
    kafka_ssl_cafile: str | None


@dataclass(frozen=True)
class KafkaSecurity:
    """A Kafka client's security settings; ``PLAINTEXT`` (no credentials) by default."""

    protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = None
    cafile: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"Kafka security protocol {self.protocol!r} is not one of {PROTOCOLS}")
        if self.uses_sasl:
            if self.sasl_mechanism not in MECHANISMS:
                raise ValueError(
                    f"Kafka SASL mechanism {self.sasl_mechanism!r} is not one of {MECHANISMS}"
                )
            if not self.username or self.password is None:
                raise ValueError(
                    f"Kafka security protocol {self.protocol} needs KAFKA_SASL_USERNAME and "
                    "KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
                )

    @property
    def uses_sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @classmethod
    def from_values(
        cls,
        *,
        protocol: str | None = None,
        sasl_mechanism: str | None = None,
        username: str | None = None,
        password: str | None = None,
        password_file: str | None = None,
        cafile: str | None = None,
    ) -> KafkaSecurity:
        if password is None and password_file:
            password = Path(password_file).read_text().strip()
        return cls(
            protocol=(protocol or "PLAINTEXT").upper(),
            sasl_mechanism=(sasl_mechanism or "SCRAM-SHA-512").upper(),
            username=username or None,
            password=password,
            cafile=cafile or None,
        )

    @classmethod
    def from_settings(cls, settings: KafkaSecuritySettings) -> KafkaSecurity:
        """A service's own credentials, from its settings."""
        return cls.from_values(
            protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password,
            password_file=settings.kafka_sasl_password_file,
            cafile=settings.kafka_ssl_cafile,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KafkaSecurity:
        """The ``KAFKA_*`` variables of the environment (command-line tools, tests)."""
        env = os.environ if environ is None else environ
        return cls.from_values(
            protocol=env.get("KAFKA_SECURITY_PROTOCOL"),
            sasl_mechanism=env.get("KAFKA_SASL_MECHANISM"),
            username=env.get("KAFKA_SASL_USERNAME"),
            password=env.get("KAFKA_SASL_PASSWORD"),
            password_file=env.get("KAFKA_SASL_PASSWORD_FILE"),
            cafile=env.get("KAFKA_SSL_CAFILE"),
        )

    def environment(self) -> dict[str, str]:
        """The ``KAFKA_*`` variables that give a process these credentials."""
        env = {"KAFKA_SECURITY_PROTOCOL": self.protocol}
        if self.uses_sasl:
            env["KAFKA_SASL_MECHANISM"] = self.sasl_mechanism
            env["KAFKA_SASL_USERNAME"] = self.username or ""
            env["KAFKA_SASL_PASSWORD"] = self.password or ""
        if self.cafile:
            env["KAFKA_SSL_CAFILE"] = self.cafile
        return env

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka producer, consumer or admin client."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_tls:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.cafile)
            options["ssl_context"] = context
        if self.uses_sasl:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.username
            options["sasl_plain_password"] = self.password
        return options

    def __repr__(self) -> str:  # never print the password
        return (
            f"KafkaSecurity(protocol={self.protocol!r}, sasl_mechanism={self.sasl_mechanism!r}, "
            f"username={self.username!r}, cafile={self.cafile!r})"
        )


def client_options(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """aiokafka's security keyword arguments: ``security``'s, else the environment's."""
    return (security if security is not None else KafkaSecurity.from_env()).client_options()

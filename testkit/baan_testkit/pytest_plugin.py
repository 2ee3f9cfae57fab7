"""Pytest fixtures that start Baan's real infrastructure on demand.

Registered as the `baan` pytest11 plugin, so every test in the workspace can ask
for them. Nothing starts unless a test asks: a unit-test run never pays for a
JVM or a database server.

- `kafka_broker` (session): a real Apache Kafka broker (LocalKafka) in a temp
  dir on free ports, with TLS, SASL and ACLs as in production. Tests may
  stop/start/kill it; a test that stops or kills it must start it again before
  it ends (the object stays the same). While it runs, the process's
  ``KAFKA_*`` variables are the tooling's super user's (``admin``), so clients
  built from the environment (in-process apps, ``create_producer``) connect;
  ``kafka_broker.client_options(user)`` gives a raw aiokafka client any user's
  credentials, ``kafka_broker.environment(service)`` a process's.
- `postgres_server` (session): a throwaway PostgreSQL server (LocalPostgres).
- `make_postgres_database` (function): a callable that creates a fresh,
  uniquely named database and returns its asyncpg URL; dropped after the test.
- `test_issuer` (session): the process's one development token issuer
  (`baan_testkit.auth.session_issuer()`), which the services' tests trust.
- `trusts_test_issuer` (session): `AUTH_*` set to trust `test_issuer` (key set
  embedded), so apps a test builds from the environment trust it; restored after.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from baan_local.dev_issuer import DevIssuer
from baan_local.kafka import LocalKafka
from baan_local.ports import free_ports
from baan_local.postgres import LocalPostgres
from baan_testkit.auth import session_issuer


class MakeDatabase(Protocol):
    """Creates a fresh database named `<prefix>_<random>` and returns its asyncpg URL."""

    def __call__(self, prefix: str = "test") -> str: ...


@contextlib.contextmanager
def running_broker(directory: Path) -> Iterator[LocalKafka]:
    """A real Kafka broker in ``directory`` on free ports, stopped on leaving. While it
    runs, the process's ``KAFKA_*`` variables are the tooling's super user's, so the
    checks' own clients connect (services started beside it connect as themselves)."""
    port, controller_port = free_ports(2)
    broker = LocalKafka(directory, port, controller_port)
    broker.start()
    try:
        with pytest.MonkeyPatch.context() as environment:
            for name, value in broker.environment().items():
                environment.setenv(name, value)
            yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A real Kafka broker for the whole session; `.bootstrap` is its address."""
    with running_broker(tmp_path_factory.mktemp("kafka")) as broker:
        yield broker


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[LocalPostgres]:
    """A real PostgreSQL server for the whole session."""
    server = LocalPostgres()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_postgres_database(postgres_server: LocalPostgres) -> Iterator[MakeDatabase]:
    """Factory of fresh databases on `postgres_server`, dropped after the test."""
    created: list[str] = []

    def make(prefix: str = "test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        url = postgres_server.create_database(name)
        created.append(name)
        return url

    yield make
    for name in created:
        with contextlib.suppress(Exception):
            postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def test_issuer() -> DevIssuer:
    """The development issuer every test client's token comes from."""
    return session_issuer()


@pytest.fixture(scope="session")
def trusts_test_issuer(test_issuer: DevIssuer) -> Iterator[None]:
    """``AUTH_*`` pointing at ``test_issuer``, restored at the end of the session."""
    with pytest.MonkeyPatch.context() as environment:
        for name, value in test_issuer.service_environment(embed_jwks=True).items():
            environment.setenv(name, value)
        yield

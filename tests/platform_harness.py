"""The platform as real processes for end-to-end and delivery tests.

Four uvicorn processes on the test tooling's own Kafka broker and PostgreSQL
server (one database per service), driven only through their HTTP APIs and
the broker, as partners and operators would. Each service connects as its own
Kafka user (the broker enforces its ACLs); the tests' raw clients connect with
the environment's credentials, the tooling's super user's (``kafka_broker``).
"""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from stdnum.th import pin

from baan_local.dev_issuer import DevIssuer, FreshToken
from baan_local.kafka import LocalKafka
from baan_local.ports import free_port
from baan_local.services import ServiceProcess
from baan_shared.bus.security import client_options
from baan_shared.registry import SERVICES
from baan_testkit.auth import session_issuer

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 90.0, what: str = "condition"
) -> T:
    """Poll ``probe`` until it returns something truthy; the bound keeps tests finite."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


@dataclass
class Platform:
    kafka: LocalKafka
    services: dict[str, ServiceProcess]
    database_urls: dict[str, str]
    log_dir: Path
    # The services trust this development issuer (its key set is in their environment):
    # the session's, so in-process apps and the platform's processes share one key.
    issuer: DevIssuer = field(default_factory=session_issuer)

    def url(self, service: str) -> str:
        return self.services[service].url

    def client(
        self, service: str, token: str | None = None, *, auth: FreshToken | None = None
    ) -> httpx.AsyncClient:
        """A client of ``service`` as the national office (every scope, every area),
        unless another client's ``token`` (sent as it is) or ``auth`` (its tokens
        minted again before they expire) is given. The national office's tokens are
        minted again too: a full acceptance outlives one token's hour."""
        if token is not None:
            return httpx.AsyncClient(
                base_url=self.url(service),
                timeout=30,
                headers={"authorization": f"Bearer {token}"},
            )
        return httpx.AsyncClient(
            base_url=self.url(service),
            timeout=30,
            auth=auth or self.issuer.auth("baan-national"),
        )

    async def wait_ready(self, timeout: float = 120.0) -> None:
        async def all_ready() -> bool:
            for process in self.services.values():
                try:
                    async with httpx.AsyncClient(timeout=5) as http:
                        response = await http.get(f"{process.url}/health/ready")
                except httpx.HTTPError:
                    return False
                if response.status_code != 200:
                    return False
            return True

        await eventually(all_ready, timeout=timeout, what="every service ready")

    async def metric(self, service: str, name: str, **labels: str) -> float:
        """Sum of a Prometheus counter/gauge's samples matching ``labels``."""
        async with self.client(service) as http:
            text = (await http.get("/metrics")).text
        total = 0.0
        for line in text.splitlines():
            match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
            if not match:
                continue
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(match.group(2))
        return total


def start_platform(
    kafka: LocalKafka, database_urls: dict[str, str], log_dir: Path, **extra_env: str
) -> Platform:
    processes: dict[str, ServiceProcess] = {}
    issuer = session_issuer()
    for spec in SERVICES:
        prefix = spec.env_prefix
        env = {
            **issuer.service_environment(embed_jwks=True),
            # the service's own Kafka user: the broker's ACLs apply as in production
            **kafka.environment(spec.name),
            f"{prefix}DATABASE_URL": database_urls[spec.name],
            f"{prefix}RELAY_IDLE_SECONDS": "0.1",
            f"{prefix}TOPIC_PARTITIONS": "3",
            f"{prefix}CONSUMER_RETRY_BACKOFF_SECONDS": "0.05",
            **extra_env,
        }
        processes[spec.name] = ServiceProcess(spec, free_port(), env, log_dir / f"{spec.name}.log")
    for process in processes.values():
        process.start()
    for process in processes.values():
        process.wait_live()
    return Platform(kafka, processes, database_urls, log_dir, issuer)


def national_id(serial: int) -> str:
    base = f"{3_1005_00000_00 + serial:012d}"
    return base + pin.calc_check_digit(base)


_serial = iter(range(1, 10**6))


def household_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme": "CANAL",
        "head_name": "นายประเสริฐ ริมคลอง",
        "national_id": national_id(next(_serial) + int(time.time()) % 100_000 * 10),
        "province_code": "10",
        "district_code": "1005",
        "subdistrict_code": "100502",
        "village": "ชุมชนริมคลองลาดพร้าว",
        "household_size": 5,
        "monthly_income_satang": 900_000,
        "need": "rebuild",
        "estimated_cost_satang": 50_000_000,
    }
    body.update(overrides)
    return body


async def approve_new_household(survey: httpx.AsyncClient, **overrides: Any) -> str:
    created = await survey.post("/v1/households", json=household_body(**overrides))
    assert created.status_code == 201, created.text
    household_id: str = created.json()["id"]
    for step in ("screen", "approve"):
        response = await survey.post(
            f"/v1/households/{household_id}/{step}", json={"decided_by": "คณะกรรมการชุมชน"}
        )
        assert response.status_code == 200, response.text
    return household_id


async def house_work_of(
    construction: httpx.AsyncClient, household_id: str
) -> dict[str, Any] | None:
    response = await construction.get("/v1/house-works", params={"household_id": household_id})
    items = response.json()["items"] if response.status_code == 200 else []
    return items[0] if items else None


async def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every record now in ``topic``, from the beginning, without joining a group."""
    return (await read_topics(bootstrap, [topic]))[topic]


async def read_topics(bootstrap: str, topics: list[str]) -> dict[str, list[Any]]:
    """Every record now in each of ``topics``, from the beginning, without joining a
    group: one consumer for them all (a consumer's start, metadata and offset look-ups
    cost about a second a topic when each topic has its own)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    records: dict[str, list[Any]] = {topic: [] for topic in topics}
    if not topics:
        return records
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **client_options()
    )
    await consumer.start()
    try:
        if any(not consumer.partitions_for_topic(topic) for topic in topics):
            await consumer._client.force_metadata_update()
        assigned = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not assigned:
            return records
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in assigned]
            if all(p >= ends[tp] for p, tp in zip(positions, assigned, strict=True)):
                break
            for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                records[tp.topic].extend(batch)
        return records
    finally:
        await consumer.stop()


async def produce_raw(
    bootstrap: str, topic: str, *, key: bytes, value: bytes, headers: list[tuple[str, bytes]]
) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, **client_options()
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def header(record: Any, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode(errors="replace")
    return None

"""The faults, one at a time, and what the broker can tell us about events in flight.

Each fault breaks one thing while the workload runs and returns once it is
undone (the process is back, the broker or database is up again); recovery is
measured from that moment. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from platform_harness import Platform, eventually, header, read_topics

from baan_local.ports import free_port
from baan_local.postgres import LocalPostgres
from baan_local.services import ServiceProcess
from baan_shared.bus.security import client_options
from baan_shared.registry import readers_of

POISON_SOURCE = "/services/faults"
# The streams whose consumers the suite breaks (dead-letter topics excluded).
STREAMS = ("survey.households", "construction.houses", "finance.grants", "finance.loans")
# Who reads each stream (ARCHITECTURE.md): a poison event is parked once per reader.
READERS = {topic: readers_of(topic) for topic in ("survey.households", "construction.houses")}


@dataclass(frozen=True)
class Profile:
    households: int  # per fault, each taken the whole way through
    concurrency: int
    race_approvals: int
    service_down_seconds: float
    kafka_down_seconds: float
    postgres_down_seconds: float
    rebalance_hold_seconds: float


PROFILES = {
    # inside `make test` (and so CI): small loads, every fault, a few minutes
    "ci": Profile(6, 3, 100, 1.0, 3.0, 5.0, 3.0),
    # `make faults`
    "full": Profile(40, 8, 100, 3.0, 15.0, 20.0, 10.0),
}


@dataclass
class FaultContext:
    platform: Platform
    postgres: LocalPostgres
    profile: Profile
    log_dir: Path
    stream_offsets_at_start: dict[TopicPartition, int] = field(default_factory=dict)
    in_flight_samples: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    async def sample_in_flight(self) -> None:
        self.in_flight_samples.append(await events_in_flight(self.platform))


Fault = Callable[[FaultContext], Awaitable[None]]


# -- measuring -------------------------------------------------------------------


async def _consumer_lag(bootstrap: str) -> int:
    """Events on the streams that some consumer group has not yet committed."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=5000, **client_options()
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, request_timeout_ms=5000, **client_options()
    )
    await admin.start()
    try:
        await consumer.start()
        try:
            committed: list[tuple[TopicPartition, int]] = []
            for group, _protocol in await admin.list_consumer_groups():
                offsets = await admin.list_consumer_group_offsets(group)
                committed += [(tp, meta.offset) for tp, meta in offsets.items() if meta.offset >= 0]
            ends = await consumer.end_offsets(list({tp for tp, _ in committed}))
            return sum(max(0, ends[tp] - offset) for tp, offset in committed)
        finally:
            await consumer.stop()
    finally:
        await admin.close()


async def _outbox_pending(platform: Platform) -> int:
    pending = 0
    for service in platform.services:
        with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
            async with httpx.AsyncClient(base_url=platform.url(service), timeout=3) as http:
                ready = (await http.get("/health/ready")).json()
            pending += int(ready["checks"]["outbox"]["pending"])
    return pending


async def events_in_flight(platform: Platform) -> int:
    """Written but not yet applied everywhere: rows waiting in the outboxes plus
    the consumer groups' lag. Whatever is down at the moment cannot be counted."""
    total = await _outbox_pending(platform)
    with contextlib.suppress(Exception):
        total += await asyncio.wait_for(_consumer_lag(platform.kafka.bootstrap), timeout=15)
    return total


async def end_offsets(
    bootstrap: str, topics: tuple[str, ...] = STREAMS
) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options())
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        found: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return found
    finally:
        await consumer.stop()


async def parked_events(bootstrap: str) -> int:
    """Real events sitting in dead-letter topics: anything there but the suite's own
    poison (no envelope, or sent by /services/faults) is an event a consumer gave up
    on, missing from its service until an operator replays it, so it counts as lost."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=10000, **client_options()
    )
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if ".dlq." in t]
    finally:
        await admin.close()
    parked = 0
    for records in (await read_topics(bootstrap, topics)).values():
        for record in records:
            source = header(record, "ce_source")
            if source is not None and source != POISON_SOURCE:
                parked += 1
    return parked


# -- the faults -------------------------------------------------------------------


def kill_service(name: str) -> Fault:
    async def fault(ctx: FaultContext) -> None:
        process = ctx.platform.services[name]
        await ctx.sample_in_flight()
        process.kill()  # SIGKILL: no shutdown, no offset commit, no goodbye
        await asyncio.sleep(ctx.profile.service_down_seconds)
        process.start()
        await asyncio.to_thread(process.wait_live)

    return fault


async def stop_kafka(ctx: FaultContext) -> None:
    await ctx.sample_in_flight()
    await asyncio.to_thread(ctx.platform.kafka.stop)
    await asyncio.sleep(ctx.profile.kafka_down_seconds)
    await ctx.sample_in_flight()  # the outboxes hold what could not be published
    await asyncio.to_thread(ctx.platform.kafka.start)


async def stop_postgres(ctx: FaultContext) -> None:
    await ctx.sample_in_flight()
    await asyncio.to_thread(ctx.postgres.stop)
    await asyncio.sleep(ctx.profile.postgres_down_seconds)
    await ctx.sample_in_flight()
    await asyncio.to_thread(ctx.postgres.start)


async def rebalance_finance(ctx: FaultContext) -> None:
    """A second finance instance joins its consumer group (partitions move to it),
    works for a while, then dies by SIGKILL (they move back once its session
    expires, including whatever it applied but had not committed)."""
    original = ctx.platform.services["finance"]
    env = {**original.env, "FINANCE_RELAY_ENABLED": "false"}  # one relay per outbox is enough
    extra = ServiceProcess(original.spec, free_port(), env, ctx.log_dir / "finance-extra.log")
    await ctx.sample_in_flight()
    extra.start()
    try:
        await asyncio.to_thread(extra.wait_live)
        await asyncio.sleep(ctx.profile.rebalance_hold_seconds)
        await ctx.sample_in_flight()
    finally:
        extra.kill()


async def redeliver_everything(ctx: FaultContext) -> None:
    """Every event published on the streams since this fault's workload began, again,
    with the same CloudEvents id, as a producer retry or an offset reset would."""
    bootstrap = ctx.platform.kafka.bootstrap
    ends = await end_offsets(bootstrap)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **client_options()
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, **client_options()
    )
    await consumer.start()
    await producer.start()
    copies = 0
    try:
        wanted = {
            tp: ctx.stream_offsets_at_start.get(tp, 0)
            for tp, end in ends.items()
            if end > ctx.stream_offsets_at_start.get(tp, 0)
        }
        if wanted:
            consumer.assign(list(wanted))
            for tp, start in wanted.items():
                consumer.seek(tp, start)
            for _ in range(400):  # bounded: a few hundred polls cover any profile
                positions = {tp: await consumer.position(tp) for tp in wanted}
                if all(positions[tp] >= ends[tp] for tp in wanted):
                    break
                for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                    for record in batch:
                        if record.offset >= ends[tp]:
                            continue
                        await producer.send(
                            tp.topic,
                            key=record.key,
                            value=record.value,
                            headers=list(record.headers),
                            partition=tp.partition,
                        )
                        copies += 1
            await producer.flush()
    finally:
        await producer.stop()
        await consumer.stop()
    ctx.in_flight_samples.append(copies + await events_in_flight(ctx.platform))
    ctx.notes.append(f"{copies} events redelivered")


async def publish_poison(ctx: FaultContext) -> None:
    """On each stream: bytes that are not an event, and an event whose data does not
    fit its type. Each reader must park both in its dead-letter topic and go on."""
    before = await dead_lettered(ctx.platform)
    poison = 0
    producer = AIOKafkaProducer(
        bootstrap_servers=ctx.platform.kafka.bootstrap, **ctx.platform.kafka.client_options()
    )
    await producer.start()
    await ctx.sample_in_flight()
    try:
        for topic, event_type in (
            ("survey.households", "household.approved"),
            ("construction.houses", "house.completed"),
        ):
            for partition in range(3):  # one per partition: every reader meets it
                key = str(uuid.uuid4()).encode()
                await producer.send_and_wait(
                    topic, key=key, value=b"\x00not json", partition=partition
                )
                envelope = [
                    ("ce_specversion", b"1.0"),
                    ("ce_id", str(uuid.uuid4()).encode()),
                    ("ce_source", POISON_SOURCE.encode()),
                    ("ce_type", event_type.encode()),
                    ("ce_subject", key),
                    ("content-type", b"application/json"),
                ]
                await producer.send_and_wait(
                    topic,
                    key=key,
                    value=json.dumps({"household_id": key.decode()}).encode(),
                    headers=envelope,
                    partition=partition,
                )
                poison += 2 * len(READERS[topic])
    finally:
        await producer.stop()

    async def all_parked() -> bool:
        return await dead_lettered(ctx.platform) >= before + poison

    await eventually(all_parked, timeout=180, what="every reader to park every poison event")
    ctx.notes.append(f"{poison} poison deliveries dead-lettered")


async def dead_lettered(platform: Platform) -> float:
    total = 0.0
    for service in platform.services:
        total += await platform.metric(service, "baan_events_dead_lettered_total", consumer=service)
    return total


async def nothing(ctx: FaultContext) -> None:
    """The budget race runs beside the workload; no infrastructure is broken."""
    await ctx.sample_in_flight()

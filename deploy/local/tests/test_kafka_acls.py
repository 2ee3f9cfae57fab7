"""The local broker authenticates every client and enforces each service's ACLs.

Real broker, real users and ACLs as the tooling creates them from
baan_shared.bus.access: what one service may not do, the broker refuses.

The broker is this module's own, not the session's: these tests write raw
records to ``survey.households``, which the session's other suites (the
platform, the reporting rebuild) read from the beginning as CloudEvents.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)

from baan_local.kafka import LocalKafka
from baan_local.ports import free_ports
from baan_shared.bus.access import SERVICE_ACCESS
from baan_shared.bus.admin import TopicsNotReady, ensure_topics
from baan_shared.bus.security import KafkaSecurity
from baan_shared.events import topics

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker of this module's own (see the module's docstring), same settings as any."""
    port, controller_port = free_ports(2)
    broker = LocalKafka(tmp_path_factory.mktemp("kafka-acls"), port, controller_port)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


ALL_TOPICS = sorted({t for access in SERVICE_ACCESS.values() for t in access.topics})


@pytest.fixture
async def every_topic(kafka_broker: LocalKafka) -> None:
    """Every stream and dead-letter topic exists (created by the super user)."""
    await ensure_topics(kafka_broker.bootstrap, ALL_TOPICS, 3, security=kafka_broker.security())


async def produce(kafka: LocalKafka, user: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap,
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=10000,
        **kafka.client_options(user),
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


@pytest.mark.usefixtures("every_topic")
async def test_construction_cannot_produce_to_survey_households(kafka_broker: LocalKafka) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(kafka_broker, "construction", topics.SURVEY_HOUSEHOLDS, b"forged")


@pytest.mark.usefixtures("every_topic")
async def test_a_service_cannot_write_another_services_dead_letters(
    kafka_broker: LocalKafka,
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(kafka_broker, "survey", "survey.households.dlq.construction", b"x")


async def test_an_unauthenticated_client_is_refused(kafka_broker: LocalKafka) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap, request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


async def test_a_wrong_password_is_refused(kafka_broker: LocalKafka) -> None:
    wrong = KafkaSecurity(
        protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        username="survey",
        password="not-the-password",
        cafile=str(kafka_broker.ca_file),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_broker.bootstrap,
        request_timeout_ms=5000,
        **wrong.client_options(),
    )
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


async def find(consumer: AIOKafkaConsumer, marker: bytes) -> bool:
    for _ in range(120):  # bounded: no timing assumptions beyond "eventually"
        batches = await consumer.getmany(timeout_ms=500)
        if any(r.value == marker for records in batches.values() for r in records):
            return True
    return False


@pytest.mark.usefixtures("every_topic")
async def test_a_service_produces_to_its_own_topic_and_consumes_its_subscriptions(
    kafka_broker: LocalKafka,
) -> None:
    marker = uuid.uuid4().hex.encode()
    await produce(kafka_broker, "survey", topics.SURVEY_HOUSEHOLDS, marker)

    # construction subscribes to survey.households: it may read it (partitions assigned
    # by hand, so as not to disturb the real "construction" group of a running platform)
    construction = AIOKafkaConsumer(
        bootstrap_servers=kafka_broker.bootstrap,
        enable_auto_commit=False,
        **kafka_broker.client_options("construction"),
    )
    await construction.start()
    try:
        await construction._client.set_topics([topics.SURVEY_HOUSEHOLDS])
        partitions = construction.partitions_for_topic(topics.SURVEY_HOUSEHOLDS) or set()
        assigned = [TopicPartition(topics.SURVEY_HOUSEHOLDS, p) for p in sorted(partitions)]
        construction.assign(assigned)
        await construction.seek_to_beginning(*assigned)
        assert await find(construction, marker)
    finally:
        await construction.stop()

    # reporting reads it in a group of its own (a fresh reporting-rebuild-* one) and commits
    reporting = AIOKafkaConsumer(
        topics.SURVEY_HOUSEHOLDS,
        bootstrap_servers=kafka_broker.bootstrap,
        group_id=f"reporting-rebuild-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka_broker.client_options("reporting"),
    )
    await reporting.start()
    try:
        assert await find(reporting, marker)
        await reporting.commit()
    finally:
        await reporting.stop()


@pytest.mark.usefixtures("every_topic")
async def test_a_service_cannot_read_in_another_group_or_an_unsubscribed_topic(
    kafka_broker: LocalKafka,
) -> None:
    in_other_group = AIOKafkaConsumer(
        topics.SURVEY_HOUSEHOLDS,
        bootstrap_servers=kafka_broker.bootstrap,
        group_id="finance",
        **kafka_broker.client_options("construction"),
    )
    with pytest.raises(GroupAuthorizationFailedError):
        await in_other_group.start()
        await in_other_group.getmany(timeout_ms=5000)
    await in_other_group.stop()

    # reporting reads every stream, but not another service's dead letters (a fresh
    # group of its own, so as not to disturb the groups of a running platform)
    unsubscribed = AIOKafkaConsumer(
        "survey.households.dlq.construction",
        bootstrap_servers=kafka_broker.bootstrap,
        group_id=f"reporting-rebuild-{uuid.uuid4().hex[:8]}",
        **kafka_broker.client_options("reporting"),
    )
    with pytest.raises(TopicAuthorizationFailedError):
        await unsubscribed.start()
        for _ in range(20):
            await unsubscribed.getmany(timeout_ms=500)
    await unsubscribed.stop()


async def test_a_service_creates_its_own_topics_and_waits_for_others(
    kafka_broker: LocalKafka,
) -> None:
    suffix = uuid.uuid4().hex[:6]
    # A topic nobody owns: the service may not create it, and says it waits for its owner.
    with pytest.raises(TopicsNotReady, match="not this service's to create"):
        await ensure_topics(
            kafka_broker.bootstrap,
            [f"unowned.{suffix}"],
            1,
            security=kafka_broker.security("survey"),
        )
    # Its own: created (or already there), no error.
    access = SERVICE_ACCESS["reporting"]
    await ensure_topics(
        kafka_broker.bootstrap,
        list(access.dead_letter_topics),
        3,
        security=kafka_broker.security("reporting"),
    )

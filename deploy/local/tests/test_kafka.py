"""The local Kafka broker: a real round trip, a durable log across restarts and crashes, the CLI."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from baan_local.kafka import LocalKafka, main, new_cluster_id
from baan_shared.bus.security import client_options

# The helpers connect with the environment's credentials: the kafka_broker fixture
# makes them the tooling's super user's (admin).


async def create_topic(bootstrap: str, partitions: int = 1) -> str:
    topic = f"test.local.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, replication_factor=1)])
    finally:
        await admin.close()
    return topic


async def produce(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **client_options()
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str, topic: str, count: int
) -> list[tuple[bytes | None, bytes | None]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        **client_options(),
    )
    await consumer.start()
    try:
        messages: list[tuple[bytes | None, bytes | None]] = []
        async with asyncio.timeout(30):
            while len(messages) < count:
                message = await consumer.getone()
                messages.append((message.key, message.value))
        return messages
    finally:
        await consumer.stop()


@pytest.mark.kafka
async def test_round_trip(kafka_broker: LocalKafka) -> None:
    topic = await create_topic(kafka_broker.bootstrap, partitions=3)
    await produce(kafka_broker.bootstrap, topic, b"household-1", b"approved")
    assert await read_all(kafka_broker.bootstrap, topic, 1) == [(b"household-1", b"approved")]


@pytest.mark.kafka
async def test_log_survives_stop_and_start(kafka_broker: LocalKafka) -> None:
    topic = await create_topic(kafka_broker.bootstrap)
    await produce(kafka_broker.bootstrap, topic, b"house-1", b"kept")
    kafka_broker.stop()
    assert not kafka_broker.is_running()
    assert not kafka_broker.pid_file.exists()
    kafka_broker.start()
    assert await read_all(kafka_broker.bootstrap, topic, 1) == [(b"house-1", b"kept")]


@pytest.mark.kafka
async def test_log_survives_a_crash(kafka_broker: LocalKafka) -> None:
    topic = await create_topic(kafka_broker.bootstrap)
    await produce(kafka_broker.bootstrap, topic, b"loan-1", b"acked before the crash")
    kafka_broker.kill()
    assert not kafka_broker.is_running()
    kafka_broker.start()
    assert await read_all(kafka_broker.bootstrap, topic, 1) == [
        (b"loan-1", b"acked before the crash")
    ]


@pytest.mark.kafka
def test_second_start_reuses_running_broker(kafka_broker: LocalKafka) -> None:
    pid = kafka_broker.pid()
    other = LocalKafka(kafka_broker.data_dir, kafka_broker.port, kafka_broker.controller_port)
    other.start()
    assert other.pid() == pid
    assert main(["status", "--data-dir", str(kafka_broker.data_dir)]) == 0


@pytest.mark.kafka
def test_env_prints_a_users_credentials(
    kafka_broker: LocalKafka, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "--data-dir", str(kafka_broker.data_dir), "--user", "finance"]) == 0
    printed = capsys.readouterr().out
    assert "export KAFKA_SECURITY_PROTOCOL=SASL_SSL" in printed
    assert "export KAFKA_SASL_USERNAME=finance" in printed
    assert (kafka_broker.security("finance").password or "?") in printed
    assert f"export KAFKA_SSL_CAFILE={kafka_broker.ca_file}" in printed


def test_secrets_stay_in_the_data_dir_readable_by_their_owner(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path / "kafka")
    properties = broker.properties()
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    assert properties["authorizer.class.name"].endswith("StandardAuthorizer")
    assert "CLIENT:SASL_SSL" in properties["listener.security.protocol.map"]
    files = broker.security_files
    for secret in (files.credentials_file, files.ca_key_file, files.broker_pem):
        assert secret.is_file()
        assert secret.stat().st_mode & 0o077 == 0
    again = LocalKafka(tmp_path / "kafka")  # generated once, then reused
    assert again.security("survey") == broker.security("survey")


def test_stale_pid_file_is_cleaned_up(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path / "kafka")
    broker.data_dir.mkdir()
    broker.pid_file.write_text("999999999\n")
    assert not broker.is_running()
    assert not broker.pid_file.exists()
    assert main(["status", "--data-dir", str(broker.data_dir)]) == 3


def test_cluster_ids_look_like_kafkas() -> None:
    ids = {new_cluster_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)

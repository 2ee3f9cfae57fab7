"""The aiokafka producer every service uses: idempotent, acks=all.

Idempotence makes the broker drop the producer's own retries, so a network
blip does not duplicate a message; consumers' inboxes cover everything else.

aiokafka keeps one produce request in flight per broker, carrying at most one
batch per partition: batches of up to 256 KiB (16 KiB by default, about 15 of a
committee's events) let an outbox relay's batch of hundreds of events go out in
a request or two rather than one round trip per 15 events.
"""

from aiokafka import AIOKafkaProducer

from baan_shared.bus.security import KafkaSecurity, client_options

MAX_BATCH_BYTES = 256 * 1024


def create_producer(
    bootstrap_servers: str, client_id: str, security: KafkaSecurity | None = None
) -> AIOKafkaProducer:
    """``security`` defaults to the environment's ``KAFKA_*`` credentials."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=MAX_BATCH_BYTES,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
        **client_options(security),
    )

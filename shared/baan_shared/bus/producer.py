"""The aiokafka producer every service uses: idempotent, acks=all.

Idempotence makes the broker drop the producer's own retries, so a network
blip does not duplicate a message; consumers' inboxes cover everything else.
"""

from aiokafka import AIOKafkaProducer

from baan_shared.bus.security import KafkaSecurity, client_options


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
        request_timeout_ms=15000,
        retry_backoff_ms=200,
        **client_options(security),
    )

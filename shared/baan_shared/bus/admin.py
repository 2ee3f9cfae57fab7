"""Topic administration: create the streams and dead-letter topics a service needs.

Under the broker's ACLs a service may create only the topics it owns (its
streams and its dead-letter topics, ``baan_shared.bus.access``); a topic it
subscribes to is created by its owner. ``ensure_topics`` creates what it may
and raises ``TopicsNotReady`` while others' topics are still missing, so the
caller retries until every topic it needs exists.
"""

import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from baan_shared.bus.security import KafkaSecurity, client_options

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36
_TOPIC_AUTHORIZATION_FAILED = 29


class TopicsNotReady(RuntimeError):
    """Some topics are missing and could not be created (yet)."""


async def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    partitions: int,
    *,
    replication_factor: int = 1,
    dead_letter_partitions: int = 1,
    security: KafkaSecurity | None = None,
) -> None:
    """Create missing topics. Streams keep events forever (reporting replays them)."""
    wanted = sorted(set(names))
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=15000,
        **client_options(security),
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=name,
                num_partitions=dead_letter_partitions if ".dlq." in name else partitions,
                replication_factor=replication_factor,
                topic_configs={"retention.ms": "-1"},
            )
            for name in wanted
            if name not in existing
        ]
        if not missing:
            return
        response = await admin.create_topics(missing)
    finally:
        await admin.close()
    created, not_ours, failed = [], [], []
    for error in getattr(response, "topic_errors", ()):
        topic, code = error[0], error[1]
        if code == 0:
            created.append(topic)
        elif code == _TOPIC_ALREADY_EXISTS:  # another service (or replica) won the race
            continue
        elif code == _TOPIC_AUTHORIZATION_FAILED:
            not_ours.append(topic)
        else:
            message = error[2] if len(error) > 2 and error[2] else f"error code {code}"
            failed.append(f"{topic}: {message}")
    if created:
        log.info("created topics", extra={"topics": created})
    if failed:
        raise TopicsNotReady(f"could not create topics: {'; '.join(failed)}")
    if not_ours:
        raise TopicsNotReady(
            f"waiting for {', '.join(sorted(not_ours))}: not this service's to create "
            "(their owner creates them)"
        )

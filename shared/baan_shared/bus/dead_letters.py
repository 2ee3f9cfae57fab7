"""``baan-dlq``: list or replay a dead-letter topic once the cause is fixed.

Replaying republishes each parked record to its original topic with its
original ``ce_id``. Every consumer's inbox already knows that id, except the
one that failed, so only the failed consumer applies it: the replay reaches
exactly the consumer that needs it, and running it twice changes nothing.

    baan-dlq list   survey.households.dlq.construction
    baan-dlq replay survey.households.dlq.construction

It connects with the environment's ``KAFKA_*`` credentials
(``baan_shared.bus.security``): an operator's, who may read the dead-letter
topics and write the original ones (locally, the tooling's administrator:
``baan-kafka env``).
"""

import argparse
import asyncio
import os
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from baan_shared.bus.producer import create_producer
from baan_shared.bus.security import KafkaSecurity, client_options


def _headers(record: Any) -> dict[str, str]:
    return {k: bytes(v).decode(errors="replace") for k, v in record.headers or ()}


async def read_all(
    bootstrap: str, topic: str, group: str | None, security: KafkaSecurity | None = None
) -> tuple[AIOKafkaConsumer, list[Any]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **client_options(security),
    )
    await consumer.start()
    partitions = [
        TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
    ]
    if not partitions:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
    consumer.assign(partitions)
    if group is None:
        await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    records: list[Any] = []
    while True:
        positions = {tp: await consumer.position(tp) for tp in partitions}
        if all(positions[tp] >= ends[tp] for tp in partitions):
            break
        for batch in (await consumer.getmany(timeout_ms=1000)).values():
            records.extend(
                r for r in batch if r.offset < ends[TopicPartition(r.topic, r.partition)]
            )
    return consumer, records


async def list_dead_letters(
    bootstrap: str, topic: str, security: KafkaSecurity | None = None
) -> int:
    consumer, records = await read_all(bootstrap, topic, group=None, security=security)
    await consumer.stop()
    for record in records:
        headers = _headers(record)
        print(
            f"{record.partition}:{record.offset}\t{headers.get('ce_type', '?')}\t"
            f"{headers.get('ce_id', '?')}\t{headers.get('dlq_error', '')[:200]}"
        )
    print(f"{len(records)} dead letters in {topic}")
    return 0


async def replay(bootstrap: str, topic: str, security: KafkaSecurity | None = None) -> int:
    """Republish what has not been replayed yet; progress is this topic's own group offset."""
    consumer, records = await read_all(
        bootstrap, topic, group=f"dlq-replay.{topic}", security=security
    )
    producer = create_producer(bootstrap, "dlq-replay", security)
    await producer.start()
    try:
        for record in records:
            original = _headers(record).get("dlq_original_topic")
            if not original:
                print(f"skipping {record.partition}:{record.offset}: no dlq_original_topic header")
                continue
            headers = [(k, v) for k, v in record.headers or () if not k.startswith("dlq_")]
            await producer.send_and_wait(
                original, value=record.value, key=record.key, headers=headers
            )
            await consumer.commit(
                {TopicPartition(record.topic, record.partition): record.offset + 1}
            )
        print(f"replayed {len(records)} records from {topic}")
    finally:
        await producer.stop()
        await consumer.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baan-dlq", description=__doc__)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("topic", help="e.g. survey.households.dlq.construction")
    parser.add_argument(
        "--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    )
    args = parser.parse_args(argv)
    if ".dlq." not in args.topic:
        parser.error("topic must be a dead-letter topic (<topic>.dlq.<consumer>)")
    action = list_dead_letters if args.action == "list" else replay
    return asyncio.run(action(args.bootstrap, args.topic))


if __name__ == "__main__":
    sys.exit(main())

"""Events as a test builds them: CloudEvents of catalogue models, and Kafka records.

- ``cloud_event(data, source=..., time=...)``: the CloudEvent a service's outbox
  relay would send for ``data`` (the source defaults to the stream's owner, from
  the registry of services).
- ``replay(event)``: the same facts under a new event id, which the inbox cannot
  catch (what a handler must tolerate on its own).
- ``kafka_record(event)`` / ``kafka_records(events)``: the records the broker
  would hand a consumer, on each event's stream, at fresh offsets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aiokafka import ConsumerRecord

from baan_shared.bus.access import owner_of
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import EVENT_TYPES, EventData
from baan_shared.ids import new_id

_offsets = itertools.count()


def next_offset() -> int:
    """A fresh offset: unique in this test process, as offsets in one partition are."""
    return next(_offsets)


def topic_of(event: CloudEvent) -> str:
    """The stream an event of this type travels on."""
    return EVENT_TYPES[event.type].topic


def cloud_event(
    data: EventData, *, source: str | None = None, time: datetime | None = None
) -> CloudEvent:
    """``data`` in the envelope its publisher's relay gives it (``source`` defaults to
    ``/services/<owner of the stream>``; ``time`` to now)."""
    fields: dict[str, Any] = {
        "source": source or f"/services/{owner_of(data.topic)}",
        "type": data.event_type,
        "subject": data.aggregate_id(),
        "dataschema": data.dataschema(),
        "data": data.model_dump(mode="json"),
    }
    if time is not None:
        fields["time"] = time
    return CloudEvent(**fields)


def replay(event: CloudEvent) -> CloudEvent:
    """The same facts under a new event id: what the inbox cannot catch."""
    return event.model_copy(update={"id": new_id()})


def kafka_record(
    event: CloudEvent, topic: str | None = None, *, partition: int = 0
) -> ConsumerRecord[bytes, bytes]:
    """The record the broker would hand the consumer for ``event`` (on its stream
    unless ``topic`` says otherwise), at a fresh offset."""
    key, value, headers = event.to_kafka()
    return ConsumerRecord(
        topic=topic or topic_of(event),
        partition=partition,
        offset=next_offset(),
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value or b""),
        headers=tuple(headers),
    )


def kafka_records(events: Iterable[CloudEvent]) -> list[ConsumerRecord[bytes, bytes]]:
    """The records one partition would hand the consumer for ``events``, in order."""
    return [kafka_record(event) for event in events]

"""The CloudEvents 1.0 envelope and its Kafka protocol binding (binary content mode).

In binary mode the event's attributes travel as ``ce_*`` headers and the value
is the JSON data alone, so a consumer can route on ``ce_type`` without parsing
the body, and dead-letter copies keep the original bytes untouched.
"""

import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from baan_shared.clock import utcnow
from baan_shared.ids import new_id

Headers = list[tuple[str, bytes]]


class MalformedEvent(ValueError):
    """A Kafka record that is not a valid CloudEvent of a known shape."""


class CloudEvent(BaseModel):
    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=new_id, description="Unique per event; the dedup key")
    source: str = Field(description="/services/<name>")
    type: str = Field(description="e.g. household.approved")
    subject: str = Field(description="The aggregate id; also the Kafka message key")
    time: datetime = Field(default_factory=utcnow)
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def to_kafka(self) -> tuple[bytes, bytes, Headers]:
        """(key, value, headers) for the Kafka protocol binding, binary mode."""
        headers = kafka_headers(
            id=self.id,
            source=self.source,
            type=self.type,
            subject=self.subject,
            time=self.time,
            dataschema=self.dataschema,
            traceparent=self.traceparent,
            datacontenttype=self.datacontenttype,
            specversion=self.specversion,
        )
        return self.subject.encode(), json_value(self.data), headers

    @classmethod
    def from_kafka(cls, value: bytes | None, headers: Headers | tuple[Any, ...]) -> "CloudEvent":
        attributes: dict[str, str] = {}
        for name, raw in headers or ():
            try:
                text = raw.decode() if raw is not None else ""
            except UnicodeDecodeError as exc:
                raise MalformedEvent(f"header {name} is not UTF-8") from exc
            if name.startswith("ce_"):
                attributes[name[3:]] = text
            elif name == "content-type":
                attributes["datacontenttype"] = text
            elif name == "traceparent":
                attributes["traceparent"] = text
        if "type" not in attributes or "id" not in attributes:
            raise MalformedEvent("missing ce_id or ce_type header")
        try:
            data = json.loads(value or b"")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedEvent(f"value is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise MalformedEvent("value is not a JSON object")
        try:
            return cls.model_validate({**attributes, "data": data})
        except ValidationError as exc:
            raise MalformedEvent(f"invalid envelope: {exc}") from exc


def kafka_headers(
    *,
    id: uuid.UUID,
    source: str,
    type: str,
    subject: str,
    time: datetime,
    dataschema: str | None,
    traceparent: str | None,
    datacontenttype: str = "application/json",
    specversion: str = "1.0",
) -> Headers:
    """An event's attributes as the binding's ``ce_*`` headers: what ``CloudEvent.to_kafka``
    sends, for a caller that has the attributes without the model (the outbox relay
    publishes thousands of rows a second and skips validating what its own writer wrote)."""
    headers: Headers = [
        ("ce_specversion", specversion.encode()),
        ("ce_id", str(id).encode()),
        ("ce_source", source.encode()),
        ("ce_type", type.encode()),
        ("ce_subject", subject.encode()),
        ("ce_time", time.isoformat().encode()),
        ("content-type", datacontenttype.encode()),
    ]
    if dataschema:
        headers.append(("ce_dataschema", dataschema.encode()))
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return headers


def json_text(data: dict[str, Any]) -> str:
    """An event's data as the binding's value carries it: compact JSON, Thai as is."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def json_value(data: dict[str, Any]) -> bytes:
    return json_text(data).encode()

"""The CloudEvents envelope survives the Kafka binding, and garbage is refused clearly."""

import uuid

import pytest

from baan_shared.events import CloudEvent, MalformedEvent
from baan_shared.events.catalog import EVENT_TYPES, HouseholdApproved
from baan_shared.events.topics import ALL_STREAMS


def _approved_event() -> CloudEvent:
    data = HouseholdApproved(
        household_id=uuid.uuid4(),
        programme="CANAL",
        province_code="10",
        district_code="1005",
        subdistrict_code="100502",
        fiscal_year=2562,
        household_size=5,
        need="rebuild",
        estimated_cost_satang=50_700_000,
        approved_at="2019-01-15T09:00:00+07:00",
        approved_by="คณะกรรมการชุมชนริมคลองลาดพร้าว",
    )
    return CloudEvent(
        source="/services/survey",
        type=data.event_type,
        subject=data.aggregate_id(),
        dataschema=data.dataschema(),
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        data=data.model_dump(mode="json"),
    )


def test_binary_mode_round_trip_keeps_every_attribute_and_thai_text() -> None:
    event = _approved_event()
    key, value, headers = event.to_kafka()
    assert key == event.subject.encode()
    assert dict(headers)["ce_type"] == b"household.approved"
    back = CloudEvent.from_kafka(value, headers)
    assert back == event
    assert back.data["approved_by"] == "คณะกรรมการชุมชนริมคลองลาดพร้าว"


def test_data_validates_against_its_catalogue_model() -> None:
    event = _approved_event()
    data = EVENT_TYPES[event.type].model_validate(event.data)
    assert isinstance(data, HouseholdApproved)
    assert data.estimated_cost_satang == 50_700_000


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (b"{}", [("ce_type", b"household.approved")], "missing ce_id"),
        (b"not json", [("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"x")], "not JSON"),
        (b"[1, 2]", [("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"x")], "JSON object"),
        (
            b"{}",
            [("ce_id", b"bad"), ("ce_type", b"x"), ("ce_source", b"s"), ("ce_subject", b"s")],
            "invalid envelope",
        ),
        (b"{}", [("ce_id", b"\xff\xfe"), ("ce_type", b"x")], "UTF-8"),
    ],
)
def test_malformed_records_are_refused_with_the_reason(
    value: bytes, headers: list[tuple[str, bytes]], reason: str
) -> None:
    with pytest.raises(MalformedEvent, match=reason):
        CloudEvent.from_kafka(value, headers)


def test_every_event_type_names_its_stream_and_schema() -> None:
    assert {"household.approved", "house.completed", "grant.disbursed"} <= set(EVENT_TYPES)
    for event_type, model in EVENT_TYPES.items():
        assert model.topic in ALL_STREAMS
        assert model.dataschema() == f"urn:baan:events:{event_type}:v1"

"""Kafka credentials from settings or the environment, and who may touch which topic."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from baan_shared.bus.access import SERVICE_ACCESS, owner_of
from baan_shared.bus.security import KafkaSecurity, client_options
from baan_shared.events.catalog import EVENT_TYPES
from baan_shared.events.topics import ALL_STREAMS
from baan_shared.settings import ServiceSettings


def test_plaintext_by_default() -> None:
    assert KafkaSecurity.from_env({}).client_options() == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_options_for_aiokafka(tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("s3cret\n")
    security = KafkaSecurity.from_env(
        {
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
            "KAFKA_SASL_USERNAME": "survey",
            "KAFKA_SASL_PASSWORD_FILE": str(password_file),
        }
    )
    options = security.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "survey"
    assert options["sasl_plain_password"] == "s3cret"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert "s3cret" not in repr(security)
    assert KafkaSecurity.from_env(security.environment()) == security


def test_sasl_without_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME"):
        KafkaSecurity.from_env({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})


def test_a_service_reads_its_credentials_from_unprefixed_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "finance")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "pw")
    security = KafkaSecurity.from_settings(ServiceSettings())
    assert security.protocol == "SASL_SSL"
    assert (security.username, security.password) == ("finance", "pw")
    assert client_options()["sasl_plain_username"] == "finance"


def test_every_stream_has_one_owner_and_every_event_type_a_writable_topic() -> None:
    for stream in ALL_STREAMS:
        owners = [a.service for a in SERVICE_ACCESS.values() if stream in a.produces]
        assert len(owners) == 1, (stream, owners)
        assert owner_of(stream) == stream.split(".")[0]
    assert {event.topic for event in EVENT_TYPES.values()} <= set(ALL_STREAMS)


def test_dead_letter_topics_are_their_consumers() -> None:
    construction = SERVICE_ACCESS["construction"]
    assert "survey.households.dlq.construction" in construction.writes
    assert owner_of("survey.households.dlq.construction") == "construction"
    assert "survey.households" not in construction.writes

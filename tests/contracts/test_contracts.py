"""The published contracts under contracts/ are what the code does, and well-formed.

``test_committed_contracts_match_the_code`` is the CI gate of docs/contracts.md:
it fails on a breaking change (version it instead) and on a compatible change
that was not regenerated (run ``make contracts``).
"""

import importlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import EVENT_TYPES
from baan_shared.events.topics import ALL_STREAMS
from baan_shared.registry import SERVICE_NAMES as SERVICES
from baan_tools.contracts import (
    ASYNCAPI_FILE,
    REPO_ROOT,
    check,
    generate_contracts,
    openapi_file,
)

# From the npm package @asyncapi/specs 6.11.1 (schemas/3.0.0.json, Apache-2.0).
ASYNCAPI_SCHEMA = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return generate_contracts()


@pytest.fixture(scope="module")
def events(generated: dict[str, str]) -> dict[str, Any]:
    """The AsyncAPI document the code generates (the check above holds the committed
    file to it, so one stale file fails one test, not all of these)."""
    loaded: dict[str, Any] = yaml.safe_load(generated[ASYNCAPI_FILE])
    return loaded


def _resolve(document: dict[str, Any], reference: str) -> Any:
    target: Any = document
    for part in reference.removeprefix("#/").split("/"):
        target = target[part]
    return target


@pytest.mark.timeout(900)  # a breaking change needs oasdiff, built once from its Go module
def test_committed_contracts_match_the_code() -> None:
    passed, messages = check(REPO_ROOT)
    assert passed, "\n".join(messages)


def test_generating_twice_writes_the_same_bytes(generated: dict[str, str]) -> None:
    assert generate_contracts() == generated


def test_every_service_and_the_events_have_a_contract(generated: dict[str, str]) -> None:
    assert set(generated) == {openapi_file(service) for service in SERVICES} | {ASYNCAPI_FILE}


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_documents_are_valid_openapi(service: str, generated: dict[str, str]) -> None:
    document = json.loads(generated[openapi_file(service)])
    validate_openapi(document)
    assert any(path.startswith("/v1/") for path in document["paths"])


class TestAsyncApiDocument:
    def test_it_is_valid_against_the_asyncapi_3_schema(self, events: dict[str, Any]) -> None:
        schema = json.loads(ASYNCAPI_SCHEMA.read_text())
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(events)]
        assert errors == []
        assert events["asyncapi"] == "3.0.0"

    def test_the_schema_would_reject_a_malformed_operation(self, events: dict[str, Any]) -> None:
        schema = json.loads(ASYNCAPI_SCHEMA.read_text())
        malformed = {**events, "operations": {"x": {"action": "publish"}}}
        assert not jsonschema.validators.validator_for(schema)(schema).is_valid(malformed)

    def test_every_reference_resolves(self, events: dict[str, Any]) -> None:
        def references(node: Any) -> list[str]:
            if isinstance(node, dict):
                found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
                return found + [r for value in node.values() for r in references(value)]
            if isinstance(node, list):
                return [r for value in node for r in references(value)]
            return []

        for reference in references(events):
            assert reference.startswith("#/"), reference
            _resolve(events, reference)

    def test_one_channel_per_topic_and_one_message_per_event_type(
        self, events: dict[str, Any]
    ) -> None:
        assert set(events["channels"]) == set(ALL_STREAMS)
        assert set(events["components"]["messages"]) == set(EVENT_TYPES)
        for event_type, model in EVENT_TYPES.items():
            assert event_type in events["channels"][model.topic]["messages"]

    def test_the_payload_is_the_event_model_json_schema(self, events: dict[str, Any]) -> None:
        for event_type, model in EVENT_TYPES.items():
            message = events["components"]["messages"][event_type]
            payload = _resolve(events, message["payload"]["$ref"])
            assert set(payload["properties"]) == set(model.model_fields)
            required = {name for name, field in model.model_fields.items() if field.is_required()}
            assert set(payload.get("required", [])) == required

    def test_the_headers_are_the_ones_the_envelope_writes(self, events: dict[str, Any]) -> None:
        """The documented Kafka headers are exactly what CloudEvent.to_kafka sends."""
        envelope = CloudEvent(
            source="/services/survey",
            type="household.approved",
            subject="018f0000-0000-7000-8000-000000000000",
            dataschema="urn:baan:events:household.approved:v1",
            traceparent="00-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
            data={},
        )
        _, _, headers = envelope.to_kafka()
        sent = {name for name, _ in headers}
        documented = events["components"]["messages"]["household.approved"]["headers"]
        assert set(documented["properties"]) == sent
        bare = CloudEvent(
            source="/services/survey", type="household.approved", subject="x", data={}
        )
        assert set(documented["required"]) == {name for name, _ in bare.to_kafka()[2]}

    def test_each_publisher_sends_on_its_topics(self, events: dict[str, Any]) -> None:
        sends = {
            operation["channel"]["$ref"].rsplit("/", 1)[-1]: name.split(".", 1)[0]
            for name, operation in events["operations"].items()
            if operation["action"] == "send"
        }
        assert sends == {
            "survey.households": "survey",
            "survey.tambon_plans": "survey",
            "survey.tambon_coverage": "survey",
            "construction.houses": "construction",
            "finance.grants": "finance",
            "finance.loans": "finance",
            "finance.budgets": "finance",
            "finance.revolving_funds": "finance",
            "finance.welfare_matches": "finance",
            "welfare.funds": "welfare",
            "welfare.members": "welfare",
            "welfare.benefits": "welfare",
            "welfare.matches": "welfare",
        }

    def test_each_consumer_receives_what_its_handlers_subscribe_to(
        self, events: dict[str, Any]
    ) -> None:
        received: dict[str, set[str]] = {service: set() for service in SERVICES}
        for name, operation in events["operations"].items():
            if operation["action"] == "receive":
                received[name.split(".", 1)[0]].update(
                    ref["$ref"].rsplit("/", 1)[-1] for ref in operation["messages"]
                )
        assert received == {service: _handled(service) for service in SERVICES}
        assert "household.approved" in received["construction"]
        assert "grant.rejected" in received["survey"]


def _handled(service: str) -> set[str]:
    """The event types the service's handlers.py subscribes to, read from that file's module."""
    handlers = importlib.import_module(f"{service}.handlers")
    if hasattr(handlers, "SUBSCRIPTIONS"):
        return set(handlers.SUBSCRIPTIONS.handlers)
    # Finance builds its mapping from the grant policy in its settings.
    from finance.grants.policy import GrantPolicy
    from finance.settings import FinanceSettings

    policy = GrantPolicy.from_settings(FinanceSettings())
    return set(handlers.subscriptions(policy).handlers)

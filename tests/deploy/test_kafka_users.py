"""Kafka in the Helm chart is authenticated and authorised as the local broker is.

One Strimzi KafkaUser per service, with exactly the ACLs of
baan_shared.bus.access (which the local broker applies, and which must match
what each service's code produces and subscribes to); the Kafka resource has a
TLS listener with SCRAM-SHA-512 and simple authorization; every service reads
its password from its KafkaUser's Secret and trusts the cluster CA.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import yaml
from deploy_tools import CHART
from test_helm_chart import SERVICES, by_kind, render

from baan_local.kafka_security import service_acls
from baan_shared.bus.access import SERVICE_ACCESS
from baan_shared.events.catalog import EVENT_TYPES


def chart_acls(user: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """(resource type, name, pattern, operation) of a KafkaUser's allow rules."""
    found = set()
    for acl in user["spec"]["authorization"]["acls"]:
        assert acl.get("type", "allow") == "allow"
        resource = acl["resource"]
        for operation in acl["operations"]:
            found.add((resource["type"], resource["name"], resource["patternType"], operation))
    return found


def local_acls(service: str) -> set[tuple[str, str, str, str]]:
    return {
        (b.resource_type, b.name, b.pattern, b.operation)
        for b in service_acls(SERVICE_ACCESS[service])
    }


@pytest.mark.parametrize("value_set", ["production", "development"])
def test_a_kafka_user_per_service_with_the_local_brokers_acls(value_set: str) -> None:
    _, docs = render(value_set)
    users = by_kind(docs, "KafkaUser")
    assert set(users) == {f"baan-{service}" for service in SERVICES} | {"baan-operator"}
    for service in SERVICES:
        user = users[f"baan-{service}"]
        assert user["apiVersion"] == "kafka.strimzi.io/v1"
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "baan-kafka"
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["spec"]["authorization"]["type"] == "simple"
        assert chart_acls(user) == local_acls(service), service


def test_the_operators_user_replays_dead_letters_only() -> None:
    _, docs = render("production")
    acls = chart_acls(by_kind(docs, "KafkaUser")["baan-operator"])
    every = {t for access in SERVICE_ACCESS.values() for t in access.topics}
    dead_letters = {t for t in every if ".dlq." in t}
    streams = every - dead_letters
    assert acls == (
        {("topic", t, "literal", op) for t in dead_letters for op in ("Read", "Describe")}
        | {("topic", t, "literal", op) for t in streams for op in ("Write", "Describe")}
        | {("group", "dlq-replay.", "prefix", "Read")}
    )


def test_construction_may_not_write_survey_households() -> None:
    _, docs = render("production")
    acls = chart_acls(by_kind(docs, "KafkaUser")["baan-construction"])
    assert ("topic", "survey.households", "literal", "Read") in acls
    assert ("topic", "survey.households", "literal", "Write") not in acls
    assert ("topic", "survey.households.dlq.construction", "literal", "Write") in acls
    assert not any(pattern == "prefix" and kind == "topic" for kind, _, pattern, _ in acls)


def test_kafka_has_a_tls_scram_listener_and_simple_authorization() -> None:
    _, docs = render("production")
    kafka = by_kind(docs, "Kafka")["baan-kafka"]["spec"]
    (listener,) = kafka["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"] == {"type": "scram-sha-512"}
    assert kafka["kafka"]["authorization"]["type"] == "simple"
    assert "userOperator" in kafka["entityOperator"]


@pytest.mark.parametrize("value_set", ["production", "development"])
def test_services_read_their_password_and_the_cluster_ca(value_set: str) -> None:
    _, docs = render(value_set)
    config_maps = by_kind(docs, "ConfigMap")
    for service in SERVICES:
        data = config_maps[f"baan-{service}"]["data"]
        assert data["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert data["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert data["KAFKA_SASL_USERNAME"] == f"baan-{service}"
        assert "KAFKA_SASL_PASSWORD" not in data
        pod = by_kind(docs, "Deployment")[f"baan-{service}"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        (password,) = [e for e in container["env"] if e["name"] == "KAFKA_SASL_PASSWORD"]
        secret = password["valueFrom"]["secretKeyRef"]
        assert secret == {"name": f"baan-{service}", "key": "password"}
        (ca,) = [v for v in pod["volumes"] if v["name"] == "kafka-ca"]
        assert ca["secret"]["secretName"] == "baan-kafka-cluster-ca-cert"
        (mount,) = [m for m in container["volumeMounts"] if m["name"] == "kafka-ca"]
        assert data["KAFKA_SSL_CAFILE"].startswith(mount["mountPath"] + "/")


def test_no_secret_in_the_values() -> None:
    for values in ("values.yaml", "values-dev.yaml"):
        text = (CHART / values).read_text().lower()
        assert "password:" not in text
        assert "sasl.jaas" not in text


def test_the_values_name_what_each_service_produces_and_consumes() -> None:
    services = yaml.safe_load((CHART / "values.yaml").read_text())["services"]
    for service, access in SERVICE_ACCESS.items():
        assert set(services[service]["produces"]) == set(access.produces), service
        assert set(services[service]["consumes"]) == set(access.consumes), service


def test_the_access_table_is_what_the_services_do() -> None:
    """baan_shared.bus.access against each service's own Subscriptions and topics."""
    for service, access in SERVICE_ACCESS.items():
        app = importlib.import_module(f"{service}.main").create_app()
        runtime = app.state.runtime
        subscribed = runtime.subscriptions.topics if runtime.subscriptions else []
        assert set(subscribed) == set(access.consumes), service
        assert set(runtime.produces) <= set(access.produces), service
    for event in EVENT_TYPES.values():
        owners = [s for s, a in SERVICE_ACCESS.items() if event.topic in a.produces]
        assert owners == [event.topic.split(".")[0]], event.event_type

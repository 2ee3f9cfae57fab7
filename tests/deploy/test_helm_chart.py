"""The Helm chart: lint, render and validate both value sets, offline.

Rendered objects are validated against the Kubernetes JSON schemas bundled in
kubernetes-validate, and the Strimzi, CloudNativePG and Prometheus-operator custom
resources against the CRDs kept in deploy/schemas/ (tests/deploy/validate_manifests.py).
"""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_tools import CHART, run, tool

from baan_shared.registry import SERVICE_NAMES

VALUE_SETS = {
    "production": ["-f", str(CHART / "values.yaml")],
    "development": ["-f", str(CHART / "values-dev.yaml")],
    # Migrations as a Helm hook Job, with databases and Kafka that exist already.
    "hook-external": [
        "--set",
        "migrations.mode=hook",
        "--set",
        "postgres.create=false",
        "--set",
        "kafka.create=false",
        "--set",
        "kafka.bootstrapServers=kafka.example:9092",
        *[
            arg
            for name in SERVICE_NAMES
            for arg in (
                "--set",
                f"externalDatabases.{name}.uri=postgresql://{name}:pw@db.example:5432/{name}",
                "--set",
                f"externalDatabases.{name}.cidr=10.0.0.0/24",
            )
        ],
    ],
    # The front door: the release's own Gateway with HTTPRoutes, and the Ingress.
    "front-door": [
        "--set",
        "gateway.enabled=true",
        "--set",
        "gateway.create=true",
        "--set",
        "gateway.className=example",
        "--set",
        "ingress.enabled=true",
    ],
    # HTTPRoutes on a shared Gateway that strip the prefix.
    "gateway-strip": ["--set", "gateway.enabled=true", "--set", "gateway.stripPrefix=true"],
}
# Helm built from source defaults to Kubernetes 1.20; render for a supported version.
KUBE_VERSION = "1.33.0"
SERVICES = SERVICE_NAMES
STREAMS = (
    "survey.households",
    "survey.tambon_plans",
    "survey.tambon_coverage",
    "construction.houses",
    "finance.grants",
    "finance.loans",
    "finance.budgets",
    "finance.revolving_funds",
    "finance.welfare_matches",
    "welfare.funds",
    "welfare.members",
    "welfare.benefits",
    "welfare.matches",
)


def render(value_set: str) -> tuple[str, list[dict[str, Any]]]:
    result = run(
        tool("helm"),
        "template",
        "baan",
        CHART,
        "--namespace",
        "baan",
        "--kube-version",
        KUBE_VERSION,
        *VALUE_SETS[value_set],
    )
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    return result.stdout, docs


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.mark.parametrize("value_set", ["production", "development"])
def test_helm_lint(value_set: str) -> None:
    result = run(
        tool("helm"),
        "lint",
        "--strict",
        CHART,
        "--kube-version",
        KUBE_VERSION,
        *VALUE_SETS[value_set],
    )
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("value_set", list(VALUE_SETS))
def test_rendered_manifests_validate(value_set: str, tmp_path: Path) -> None:
    text, docs = render(value_set)
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(text)
    result = run(
        tool("python"),
        Path(__file__).with_name("validate_manifests.py"),
        rendered,
        check=False,
    )
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    assert report is not None, result.stderr[-4000:]
    assert report["errors"] == [], "\n".join(report["errors"])
    assert len(report["checked"]) == len(docs)
    against = Counter(item["against"] for item in report["checked"])
    assert against["kubernetes"] > 0
    if value_set != "hook-external":
        assert against["crd"] > 0


@pytest.mark.parametrize("value_set", ["production", "development"])
def test_every_service_has_its_objects(value_set: str) -> None:
    _, docs = render(value_set)
    kinds = Counter(d["kind"] for d in docs)
    for kind in ("Deployment", "Service", "NetworkPolicy", "ServiceAccount"):
        assert kinds[kind] == len(SERVICES), kind
    # One ConfigMap of settings per service, and the Grafana dashboard's in production.
    assert kinds["ConfigMap"] == len(SERVICES) + (1 if value_set == "production" else 0)
    assert kinds["Cluster"] == len(SERVICES)  # one CloudNativePG cluster per service database
    assert kinds["Kafka"] == 1 and kinds["KafkaNodePool"] == 2
    if value_set == "production":
        assert kinds["HorizontalPodAutoscaler"] == len(SERVICES)
        assert kinds["PodDisruptionBudget"] == len(SERVICES)
        assert kinds["ServiceMonitor"] == 1
        assert kinds["PodMonitor"] == 1  # the reporting rebuild's Jobs
        assert kinds["PrometheusRule"] == 1
    else:
        assert kinds["HorizontalPodAutoscaler"] == 0


@pytest.mark.parametrize("value_set", ["production", "development"])
def test_deployments_probes_security_and_shutdown(value_set: str) -> None:
    _, docs = render(value_set)
    for name, deployment in by_kind(docs, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["ports"][0]["containerPort"] == 8000
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in [container, *pod.get("initContainers", [])]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
        assert any(v["name"] == "tmp" and "emptyDir" in v for v in pod["volumes"])
        assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
        # SIGTERM after preStop, uvicorn's graceful timeout inside the grace period.
        env = by_kind(docs, "ConfigMap")[name]["data"]
        pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
        graceful = int(env["GRACEFUL_SHUTDOWN_SECONDS"])
        assert pre_stop + graceful < pod["terminationGracePeriodSeconds"]
        # Migrations before serving: the init container runs `migrate`.
        (init,) = pod["initContainers"]
        assert init["args"] == ["migrate"]


@pytest.mark.parametrize("value_set", ["production", "development"])
def test_services_read_cloudnativepg_secret_and_settings(value_set: str) -> None:
    _, docs = render(value_set)
    config_maps = by_kind(docs, "ConfigMap")
    for service in SERVICES:
        deployment = by_kind(docs, "Deployment")[f"baan-{service}"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        (db,) = [e for e in container["env"] if e["name"] == f"{service.upper()}_DATABASE_URL"]
        assert db["valueFrom"]["secretKeyRef"] == {"name": f"baan-{service}-db-app", "key": "uri"}
        data = config_maps[f"baan-{service}"]["data"]
        assert data["KAFKA_BOOTSTRAP_SERVERS"] == "baan-kafka-kafka-bootstrap:9093"
        assert data[f"{service.upper()}_AUTO_MIGRATE"] == "false"
        assert data[f"{service.upper()}_CREATE_TOPICS"] == "false"
        cluster = by_kind(docs, "Cluster")[f"baan-{service}-db"]
        assert cluster["spec"]["bootstrap"]["initdb"] == {"database": service, "owner": service}


def test_topics_streams_forever_and_dead_letters() -> None:
    _, docs = render("production")
    topics = {t["spec"]["topicName"]: t for t in by_kind(docs, "KafkaTopic").values()}
    for stream in STREAMS:
        assert topics[stream]["spec"]["partitions"] == 12
        assert topics[stream]["spec"]["replicas"] == 3
        assert topics[stream]["spec"]["config"]["retention.ms"] == -1
    dead_letters = {name for name in topics if ".dlq." in name}
    assert {
        "finance.grants.dlq.survey",
        "survey.households.dlq.construction",
        "finance.grants.dlq.construction",
        "survey.households.dlq.finance",
        "construction.houses.dlq.finance",
        "welfare.matches.dlq.finance",
        "finance.welfare_matches.dlq.welfare",
        # Reporting reads every stream but the welfare matches: the requests (finance's to
        # pay) and finance's payments of them (welfare's to show).
        *(
            f"{stream}.dlq.reporting"
            for stream in STREAMS
            if stream not in ("welfare.matches", "finance.welfare_matches")
        ),
    } == dead_letters
    for topic in topics.values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "baan-kafka"


def test_kafka_runs_in_kraft_mode_with_node_pools() -> None:
    _, docs = render("production")
    kafka = by_kind(docs, "Kafka")["baan-kafka"]
    assert "zookeeper" not in kafka["spec"]
    pools = by_kind(docs, "KafkaNodePool")
    assert {p["spec"]["roles"][0] for p in pools.values()} == {"controller", "broker"}
    for pool in pools.values():
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "baan-kafka"


def test_network_policies_allow_only_kafka_own_database_and_dns() -> None:
    _, docs = render("production")
    for service in SERVICES:
        policy = by_kind(docs, "NetworkPolicy")[f"baan-{service}"]
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        egress = policy["spec"]["egress"]
        # Survey and construction keep uploads in the S3 store: one more rule, HTTPS out.
        store = [rule for rule in egress if "ipBlock" in rule["to"][0]]
        if service in ("survey", "construction"):
            assert [(r["to"][0]["ipBlock"]["cidr"], r["ports"][0]["port"]) for r in store] == [
                ("0.0.0.0/0", 443)
            ]
        else:
            assert store == []
        egress = [rule for rule in egress if rule not in store]
        assert len(egress) == 3
        targets = [rule["to"][0]["podSelector"]["matchLabels"] for rule in egress]
        assert {"k8s-app": "kube-dns"} in targets
        assert {"strimzi.io/cluster": "baan-kafka", "strimzi.io/kind": "Kafka"} in targets
        assert {"cnpg.io/cluster": f"baan-{service}-db"} in targets
        others = {f"baan-{o}-db" for o in SERVICES if o != service}
        assert not any(t.get("cnpg.io/cluster") in others for t in targets)


def test_traces_go_to_the_collector_only_when_one_is_configured() -> None:
    _, production = render("production")  # no collector configured
    _, development = render("development")
    for service in SERVICES:
        quiet = by_kind(production, "ConfigMap")[f"baan-{service}"]["data"]
        assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in quiet
        traced = by_kind(development, "ConfigMap")[f"baan-{service}"]["data"]
        assert traced["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector.monitoring:4318"
        assert traced["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio"
        egress = by_kind(development, "NetworkPolicy")[f"baan-{service}"]["spec"]["egress"]
        collector = [r for r in egress if {"port": 4318, "protocol": "TCP"} in r["ports"]]
        assert len(collector) == 1
        assert collector[0]["to"][0]["podSelector"]["matchLabels"] == {
            "app.kubernetes.io/name": "opentelemetry-collector"
        }


def test_uploads_go_to_the_object_store_and_big_imports_to_the_data_volume() -> None:
    _, production = render("production")
    _, development = render("development")
    for service in SERVICES:
        data = by_kind(production, "ConfigMap")[f"baan-{service}"]["data"]
        prefix = service.upper()
        if service in ("survey", "construction"):
            assert data[f"{prefix}_STORAGE_BACKEND"] == "s3"
            assert data[f"{prefix}_STORAGE_S3_BUCKET"] == "baan-uploads"
            assert data[f"{prefix}_STORAGE_S3_KEY_PREFIX"] == f"{service}/"
            dev = by_kind(development, "ConfigMap")[f"baan-{service}"]["data"]
            assert dev[f"{prefix}_STORAGE_BACKEND"] == "local"
            assert dev[f"{prefix}_STORAGE_DIR"].startswith("/var/lib/baan/")
        else:
            assert not any(key.endswith("_STORAGE_BACKEND") for key in data)
        pod = by_kind(production, "Deployment")[f"baan-{service}"]["spec"]["template"]["spec"]
        mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
        assert "/var/lib/baan" in mounts
    survey = by_kind(production, "ConfigMap")["baan-survey"]["data"]
    assert survey["SURVEY_IMPORT_SPOOL_DIR"].startswith("/var/lib/baan/")


def test_hook_mode_migrates_with_a_pre_install_pre_upgrade_job() -> None:
    _, docs = render("hook-external")
    jobs = by_kind(docs, "Job")
    assert set(jobs) == {f"baan-{s}-migrate" for s in SERVICES}
    for job in jobs.values():
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["migrate"]
    for deployment in by_kind(docs, "Deployment").values():
        assert "initContainers" not in deployment["spec"]["template"]["spec"]
    secrets = by_kind(docs, "Secret")
    annotations = secrets["baan-survey-database"]["metadata"]["annotations"]
    assert annotations["helm.sh/hook-weight"] == "-10"
    assert not by_kind(docs, "Cluster") and not by_kind(docs, "Kafka")


def test_the_validator_rejects_what_the_api_server_would(tmp_path: Path) -> None:
    _, docs = render("production")
    topic = next(d for d in docs if d["kind"] == "KafkaTopic")
    topic["spec"]["partitionz"] = 3
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    cluster["spec"]["instances"] = "three"
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGett"] = {}
    unknown = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "x"}}
    rendered = tmp_path / "broken.yaml"
    rendered.write_text(yaml.safe_dump_all([topic, cluster, deployment, unknown]))
    result = run(
        tool("python"), Path(__file__).with_name("validate_manifests.py"), rendered, check=False
    )
    assert result.returncode == 1
    errors = "\n".join(json.loads(result.stdout)["errors"])
    assert "partitionz" in errors
    assert "'three' is not of type 'integer'" in errors
    assert "httpGett" in errors
    assert "no CRD schema for example.com/v1 Thing" in errors


def test_one_database_can_be_sized_apart() -> None:
    _, docs = render("production")
    clusters = by_kind(docs, "Cluster")
    welfare, survey = clusters["baan-welfare-db"]["spec"], clusters["baan-survey-db"]["spec"]
    # welfare keeps a national year of contributions: its own storage, memory and
    # parameters (strings, as CloudNativePG requires); the others keep the shared sizing
    assert welfare["storage"]["size"] == "100Gi"
    assert welfare["resources"]["limits"]["memory"] == "6Gi"
    assert welfare["postgresql"]["parameters"]["shared_buffers"] == "1GB"
    assert welfare["instances"] == survey["instances"] == 3
    assert survey["storage"]["size"] == "20Gi"
    assert "postgresql" not in survey
    _, dev = render("development")
    for spec in (c["spec"] for c in by_kind(dev, "Cluster").values()):
        assert spec["storage"]["size"] == "1Gi"
        assert "postgresql" not in spec

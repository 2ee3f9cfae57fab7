"""The chart's alerts and Grafana dashboard, offline.

`promtool check rules` on the PrometheusRule's group as rendered, `promtool test rules`
with alerts_test.yaml (input series -> the alerts expected to fire), a runbook section
in docs/operations.md for every alert, and every metric the rules and the dashboard
query exported by the services' code (their Prometheus registry).
"""

import importlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from deploy_tools import CHART, ROOT, run, tool
from prometheus_client import REGISTRY
from test_helm_chart import SERVICES, by_kind, render

KEYWORDS = {"and", "or", "unless", "offset", "bool", "inf", "nan"}


def _rule_groups() -> list[dict[str, Any]]:
    _, docs = render("production")
    (rule,) = by_kind(docs, "PrometheusRule").values()
    groups: list[dict[str, Any]] = rule["spec"]["groups"]
    return groups


def _alerts() -> list[dict[str, Any]]:
    return [r for g in _rule_groups() for r in g["rules"] if "alert" in r]


def test_promtool_checks_the_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": _rule_groups()}, sort_keys=False))
    result = run(tool("promtool"), "check", "rules", rules)
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_alerts_fire_on_their_series(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": _rule_groups()}))
    tests = tmp_path / "alerts_test.yaml"
    shutil.copy(Path(__file__).with_name("alerts_test.yaml"), tests)
    result = run(tool("promtool"), "test", "rules", tests)
    assert "SUCCESS" in result.stdout + result.stderr
    # Every alert of the chart has a unit test.
    tested = set(re.findall(r"alertname: (\w+)", tests.read_text()))
    assert tested == {a["alert"] for a in _alerts()}


def _slugs(markdown: str) -> set[str]:
    """GitHub's anchors of the headings: lower case, punctuation dropped, spaces to -."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_alert_has_a_runbook_section() -> None:
    slugs = _slugs((ROOT / "docs" / "operations.md").read_text())
    base = yaml.safe_load((CHART / "values.yaml").read_text())["prometheusRule"]["runbookBaseUrl"]
    for alert in _alerts():
        url = alert["annotations"]["runbook_url"]
        assert url == f"{base}#{alert['alert'].lower()}"
        assert alert["alert"].lower() in slugs, f"docs/operations.md has no {alert['alert']}"
        assert alert["labels"]["severity"] in {"warning", "critical"}


def _metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    expr = re.sub(r"\boffset\s+\w+", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expr):
        if match.group(1).lower() not in KEYWORDS:
            names.add(match.group(1))
    return names


def _exported_metrics() -> set[str]:
    """Every sample name the services' code registers: build each app (the HTTP metrics
    are registered when baan_shared.observability.http_metrics is imported) and import the
    rebuild's module."""
    from baan_shared.auth import AuthSettings
    from baan_shared.settings import ServiceSettings

    for service in SERVICES:
        main = importlib.import_module(f"{service}.main")
        module = importlib.import_module(f"{service}.settings")
        (settings_class,) = [
            v
            for k, v in vars(module).items()
            if k.endswith("Settings") and isinstance(v, type) and issubclass(v, ServiceSettings)
            if v.__module__ == module.__name__
        ]
        settings = settings_class(database_url="sqlite+aiosqlite:///:memory:", log_json=False)
        app = main.create_app(settings, AuthSettings(enabled=False))
        app.build_middleware_stack()
    importlib.import_module("reporting.rebuild.replay")
    names = {"up"}  # Prometheus's own, per target
    suffixes = {
        "counter": ["_total"],
        "histogram": ["_bucket", "_sum", "_count"],
        "summary": ["_sum", "_count"],
    }
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(family.name + s for s in suffixes.get(family.type, []))
    return names


def test_rules_and_dashboard_read_metrics_the_code_exports() -> None:
    exported = _exported_metrics()
    dashboard = json.loads((CHART / "dashboards" / "baan-flow.json").read_text())
    queries = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    queries += [a["expr"] for a in _alerts()]
    used: set[str] = set()
    for query in queries:
        names = _metric_names(query)
        assert names, query
        assert names <= exported, f"{sorted(names - exported)} in {query}"
        used |= names
    # The flow end to end: requests, outbox, consumers, dead letters, readiness, rebuild.
    for name in (
        "http_requests_total",
        "baan_outbox_oldest_pending_seconds",
        "baan_consumer_lag",
        "baan_events_dead_lettered_total",
        "baan_readiness_check_ok",
        "baan_rebuild_last_progress_time_seconds",
    ):
        assert name in used


def test_the_dashboard_configmap_for_the_grafana_sidecar() -> None:
    _, docs = render("production")
    config_map = by_kind(docs, "ConfigMap")["baan-dashboard"]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(config_map["data"]["baan-flow.json"])
    assert dashboard["uid"] == "baan-flow"
    panel_ids = [p["id"] for p in dashboard["panels"]]
    assert len(panel_ids) == len(set(panel_ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["targets"] and panel["datasource"]["uid"] == "${datasource}"


def test_the_rebuild_job_template_is_scraped_by_the_podmonitor() -> None:
    """BaanRebuildStalled reads the rebuild Job's metrics: the suspended CronJob's pods
    serve them on the port the PodMonitor scrapes, with the labels it selects."""
    _, docs = render("production")
    cron = by_kind(docs, "CronJob")["baan-reporting-rebuild"]
    assert cron["spec"]["suspend"] is True
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["args"][:5] == ["python", "-m", "reporting.rebuild", "--metrics-port", "8000"]
    # One catch-up process unless the values say more (with the resources for them).
    assert container["args"][5:] == ["--workers", "1"]
    (port,) = container["ports"]
    monitor = by_kind(docs, "PodMonitor")["baan-reporting-rebuild"]["spec"]
    (endpoint,) = monitor["podMetricsEndpoints"]
    assert (port["name"], port["containerPort"]) == (endpoint["port"], 8000)
    assert monitor["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    # The reporting Deployment's settings, database and Kafka user; restricted like it.
    env = {e["name"] for e in container["env"]}
    assert {"REPORTING_DATABASE_URL", "KAFKA_SASL_PASSWORD"} <= env
    assert container["envFrom"] == [{"configMapRef": {"name": "baan-reporting"}}]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # Not an API pod: the Service and the Deployment do not select it.
    assert pod["metadata"]["labels"]["app.kubernetes.io/component"] == "rebuild"

"""The front door: every service under one host and /<service>, through Gateway API
HTTPRoutes or an Ingress, rendered offline (their schemas are checked with the rest in
test_helm_chart.py, the HTTPRoute and Gateway against deploy/schemas/gateway-api)."""

from typing import Any

from test_helm_chart import SERVICES, by_kind, render

PUBLIC = ("/v1", "/docs", "/redoc", "/openapi.json")
PRIVATE = ("/metrics", "/health")


def _route_paths(route: dict[str, Any]) -> list[str]:
    return [m["path"]["value"] for rule in route["spec"]["rules"] for m in rule["matches"]]


def test_off_by_default() -> None:
    _, docs = render("production")
    kinds = {d["kind"] for d in docs}
    assert not kinds & {"HTTPRoute", "Gateway", "Ingress"}
    for config in by_kind(docs, "ConfigMap").values():
        assert not any(k.endswith("_ROOT_PATH") for k in config.get("data", {}))


def test_one_httproute_per_service_on_the_gateways_https_listener() -> None:
    _, docs = render("front-door")
    (gateway,) = by_kind(docs, "Gateway").values()
    (listener,) = gateway["spec"]["listeners"]
    assert listener["protocol"] == "HTTPS" and listener["port"] == 443
    assert listener["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "baan-tls"}]
    routes = by_kind(docs, "HTTPRoute")
    assert set(routes) == {f"baan-{s}" for s in SERVICES}
    for service in SERVICES:
        route = routes[f"baan-{service}"]["spec"]
        assert route["parentRefs"] == [{"name": "baan", "sectionName": "https"}]
        assert route["hostnames"] == ["baan.example.org"]
        paths = _route_paths(routes[f"baan-{service}"])
        expected = [f"/{service}{p}" for p in PUBLIC]
        if service == "reporting":
            expected.append("/reporting/dashboard")
        assert paths == expected
        assert not any(p.endswith(private) for p in paths for private in PRIVATE)
        for rule in route["rules"]:
            assert rule["backendRefs"] == [{"name": f"baan-{service}", "port": 80}]
            assert "filters" not in rule  # the prefix is kept: the service serves under it


def test_the_services_serve_under_their_prefix() -> None:
    _, docs = render("front-door")
    config_maps = by_kind(docs, "ConfigMap")
    for service in SERVICES:
        assert config_maps[f"baan-{service}"]["data"][f"{service.upper()}_ROOT_PATH"] == (
            f"/{service}"
        )


def test_a_shared_gateway_that_strips_the_prefix() -> None:
    _, docs = render("gateway-strip")
    assert not by_kind(docs, "Gateway")
    route = by_kind(docs, "HTTPRoute")["baan-survey"]["spec"]
    assert route["parentRefs"] == [
        {"name": "shared-gateway", "namespace": "gateway-system", "sectionName": "https"}
    ]
    for rule in route["rules"]:
        ((match,), (rewrite,)) = rule["matches"], rule["filters"]
        assert rewrite["type"] == "URLRewrite"
        replaced = rewrite["urlRewrite"]["path"]
        assert replaced["type"] == "ReplacePrefixMatch"
        assert match["path"]["value"] == "/survey" + replaced["replacePrefixMatch"]


def test_the_ingress_alternative() -> None:
    _, docs = render("front-door")
    (ingress,) = by_kind(docs, "Ingress").values()
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["tls"] == [{"hosts": ["baan.example.org"], "secretName": "baan-tls"}]
    (rule,) = spec["rules"]
    assert rule["host"] == "baan.example.org"
    paths = {(p["path"], p["backend"]["service"]["name"]) for p in rule["http"]["paths"]}
    expected = {(f"/{s}{p}", f"baan-{s}") for s in SERVICES for p in PUBLIC}
    assert paths == expected | {("/reporting/dashboard", "baan-reporting")}
    assert all(p["pathType"] == "Prefix" for p in rule["http"]["paths"])

"""The services behind the gateway, under a path prefix (``<SERVICE>_ROOT_PATH``).

The chart publishes each service under ``/<service>`` on one host (HTTPRoute or
Ingress) and keeps the prefix on the way in. The services must then answer with the
prefix where a client needs it: the OpenAPI ``servers``, the docs' ``openapi.json``,
Location headers and the dashboard's API calls. Requests are served with the prefix or
without it (a proxy that strips it, the kubelet's probes).
"""

import importlib
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response, status
from pydantic import ValidationError

from baan_shared.auth import AuthSettings
from baan_shared.registry import SERVICE_NAMES
from baan_shared.service import create_service_app
from baan_shared.settings import ServiceSettings

SERVICES = SERVICE_NAMES


def _quiet(tmp_path: Path) -> dict[str, Any]:
    return {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/service.db",
        "auto_migrate": False,
        "create_topics": False,
        "consumer_enabled": False,
        "relay_enabled": False,
        "log_json": False,
    }


def _chassis_app(tmp_path: Path, root_path: str) -> FastAPI:
    router = APIRouter()

    @router.post("/v1/things", status_code=status.HTTP_202_ACCEPTED)
    async def queue_thing(response: Response) -> dict[str, str]:
        response.headers["location"] = "/v1/things/7"
        return {"id": "7"}

    @router.get("/v1/elsewhere")
    async def elsewhere(response: Response) -> dict[str, str]:
        response.headers["location"] = "https://example.org/v1/x"
        return {}

    settings = ServiceSettings(**_quiet(tmp_path), root_path=root_path)
    return create_service_app(
        name="tester",
        title="Tester",
        description="",
        version="0",
        settings=settings,
        routers=[router],
        migrations=None,
    )


@pytest.fixture
async def prefixed(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = _chassis_app(tmp_path, "/survey")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        yield client


async def test_openapi_servers_and_docs_carry_the_prefix(prefixed: httpx.AsyncClient) -> None:
    spec = (await prefixed.get("/survey/openapi.json")).json()
    assert spec["servers"] == [{"url": "/survey"}]
    docs = await prefixed.get("/survey/docs")
    assert docs.status_code == 200
    assert "'/survey/openapi.json'" in docs.text or '"/survey/openapi.json"' in docs.text


@pytest.mark.parametrize("path", ["/survey/v1/things", "/v1/things"])
async def test_location_carries_the_prefix_whether_the_proxy_strips_it_or_not(
    prefixed: httpx.AsyncClient, path: str
) -> None:
    response = await prefixed.post(path)
    assert response.status_code == 202
    assert response.headers["location"] == "/survey/v1/things/7"


METRICS_UNDER_A_PREFIX = """
import asyncio, sys, tempfile
from pathlib import Path
import httpx
from prometheus_client import REGISTRY
sys.path.insert(0, sys.argv[1])
import test_root_path

async def main():
    app = test_root_path._chassis_app(Path(tempfile.mkdtemp()), "/survey")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        await client.post("/survey/v1/things")
        await client.post("/v1/things")
    labels = {"handler": "/v1/things", "method": "POST", "status": "2xx"}
    print(REGISTRY.get_sample_value("http_requests_total", labels))

asyncio.run(main())
"""


def test_http_metrics_name_the_route_under_the_prefix() -> None:
    """The HTTP metrics' ``handler`` label (the 5xx runbook's breakdown) is the route,
    with the prefix or without. In a process of its own: the metrics are process-wide,
    and other tests' apps would add to the count."""
    result = subprocess.run(
        [sys.executable, "-c", METRICS_UNDER_A_PREFIX, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "2.0", result.stderr[-2000:]


async def test_an_absolute_url_location_is_left_alone(prefixed: httpx.AsyncClient) -> None:
    response = await prefixed.get("/survey/v1/elsewhere")
    assert response.headers["location"] == "https://example.org/v1/x"


async def test_probes_need_no_prefix(prefixed: httpx.AsyncClient) -> None:
    assert (await prefixed.get("/health/live")).status_code == 200
    assert (await prefixed.get("/survey/health/live")).status_code == 200


async def test_without_a_root_path_nothing_changes(tmp_path: Path) -> None:
    app = _chassis_app(tmp_path, "")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        assert "servers" not in (await client.get("/openapi.json")).json()
        assert (await client.post("/v1/things")).headers["location"] == "/v1/things/7"


def test_root_path_is_checked() -> None:
    assert ServiceSettings(root_path="/survey/").root_path == "/survey"
    for wrong in ("survey", "/a//b", "/a?b"):
        with pytest.raises(ValidationError):
            ServiceSettings(root_path=wrong)


def _service_app(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_path: str
) -> FastAPI:
    """The real service app, its prefix from ``<SERVICE>_ROOT_PATH`` as the chart sets it."""
    monkeypatch.setenv(f"{service.upper()}_ROOT_PATH", root_path)
    main = importlib.import_module(f"{service}.main")
    settings_module = importlib.import_module(f"{service}.settings")
    (settings_class,) = [
        v
        for k, v in vars(settings_module).items()
        if k.endswith("Settings") and isinstance(v, type) and issubclass(v, ServiceSettings)
        if v.__module__ == settings_module.__name__
    ]
    settings = settings_class(**_quiet(tmp_path))
    app: FastAPI = main.create_app(settings, AuthSettings(enabled=False))
    return app


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_publishes_its_prefix(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _service_app(service, tmp_path, monkeypatch, f"/{service}")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        spec = (await client.get(f"/{service}/openapi.json")).json()
    assert spec["servers"] == [{"url": f"/{service}"}]
    assert any(path.startswith("/v1/") for path in spec["paths"])


async def test_the_dashboard_calls_the_api_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _service_app("reporting", tmp_path, monkeypatch, "/reporting")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        page = (await client.get("/reporting/dashboard")).text
        unprefixed = (await client.get("/dashboard")).text
    assert 'const ROOT = "/reporting";' in page
    # Every API call the page makes goes through getJson, which puts ROOT first; its
    # only other request (the map's outlines) names ROOT itself.
    assert "const url = ROOT + path" in page
    calls = re.findall(r"fetch\(([^,)]+)", page)
    assert "url" in calls
    assert all(call == "url" or call.startswith("ROOT + ") for call in calls), calls
    assert all(p.startswith("/v1/") for p in re.findall(r'getJson\("([^"]+)"', page))
    # Reached without the prefix (a proxy that strips it), the page still names it.
    assert 'const ROOT = "/reporting";' in unprefixed


async def test_the_dashboard_without_a_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _service_app("reporting", tmp_path, monkeypatch, "")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        page = (await client.get("/dashboard")).text
    assert 'const ROOT = "";' in page


async def test_readiness_checks_are_exported(tmp_path: Path) -> None:
    """The BaanServiceNotReady alert reads baan_readiness_check_ok{service, check}."""
    from prometheus_client import REGISTRY

    app = _chassis_app(tmp_path, "")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    labels = {"service": "tester", "check": "database"}
    assert REGISTRY.get_sample_value("baan_readiness_check_ok", labels) == 1

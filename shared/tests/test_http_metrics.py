"""HTTP metrics name each request by the route it matched, as the 5xx runbook reads them."""

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client import REGISTRY

from baan_shared.observability.http_metrics import HttpMetrics, metrics_endpoint

ROUTE = f"/v1/metered-{uuid.uuid4().hex[:8]}"  # labels of this test's own, however often run


def _app() -> FastAPI:
    router = APIRouter(prefix=ROUTE)

    @router.get("/{thing_id}")
    async def read(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @router.post("/{thing_id}/breakage")
    async def broken(thing_id: str) -> None:
        raise RuntimeError(f"{thing_id} broke")

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(HttpMetrics)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app


def _count(method: str, handler: str, status: str) -> float:
    labels = {"method": method, "handler": handler, "status": status}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


def _observed(method: str, handler: str) -> float:
    labels = {"method": method, "handler": handler}
    return REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) or 0.0


async def test_requests_are_counted_by_route_template_and_status_class() -> None:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    template = f"{ROUTE}/{{thing_id}}"
    unmatched = _count("GET", "none", "4xx")
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        assert (await client.get(f"{ROUTE}/1")).status_code == 200
        assert (await client.get(f"{ROUTE}/2")).status_code == 200
        assert (await client.delete(f"{ROUTE}/3")).status_code == 405
        assert (await client.post(f"{ROUTE}/4/breakage")).status_code == 500
        assert (await client.get(f"{ROUTE}-unknown/5/6")).status_code == 404
        scraped = await client.get("/metrics")

    assert _count("GET", template, "2xx") == 2
    assert _observed("GET", template) == 2
    assert _count("DELETE", template, "4xx") == 1
    assert _count("POST", f"{template}/breakage", "5xx") == 1
    assert _count("GET", "none", "4xx") == unmatched + 1
    assert "/2" not in scraped.text.replace(template, "")  # ids never become labels
    assert f'handler="{template}"' in scraped.text
    assert scraped.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/metrics", "/health/live"])
async def test_scrapes_and_probes_are_not_counted(path: str) -> None:
    app = _app()

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    before = {m.name: sum(s.value for s in m.samples) for m in REGISTRY.collect()}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://baan.test") as client:
        assert (await client.get(path)).status_code == 200
    after = {m.name: sum(s.value for s in m.samples) for m in REGISTRY.collect()}
    assert after["http_requests"] == before["http_requests"]

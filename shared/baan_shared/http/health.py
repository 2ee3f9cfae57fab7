"""``/health/live`` (the process answers) and ``/health/ready`` (it can do its work:
database reachable, consumer polling, outbox draining)."""

from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(prefix="/health", tags=["health"])


class ReadinessProbe(Protocol):
    """What ``app.state.runtime`` answers (the chassis' ``ServiceRuntime``): each
    check by name, with ``ok`` and what was seen. Named here, not imported, so the
    HTTP layer does not depend on the chassis that mounts it."""

    async def readiness(self) -> dict[str, dict[str, Any]]: ...


@router.get("/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Database reachable, consumer healthy, outbox draining")
async def ready(request: Request) -> JSONResponse:
    runtime: ReadinessProbe = request.app.state.runtime
    checks = await runtime.readiness()
    ok = all(check["ok"] for check in checks.values())
    body: dict[str, Any] = {"status": "ok" if ok else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)

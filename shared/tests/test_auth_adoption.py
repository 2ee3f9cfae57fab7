"""The adoption recipe of docs/adr/0003-partner-access.md on the real service
chassis: ``create_service_app`` + ``install_partner_access`` with no extra
arguments uses the service's own database, and the audit row of a write
carries the trace id the service put on its response."""

import json
import uuid
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, FastAPI, Security
from sqlmodel import select

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import (
    AuthSettings,
    Principal,
    install_partner_access,
    operations_without_scopes,
    require_scopes,
)
from baan_shared.auth.audit import AuditRecord, audit_log_router
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.deps import SessionDep, get_session
from baan_shared.ids import new_id
from baan_shared.service import create_service_app
from baan_shared.settings import ServiceSettings

ISSUER = "https://keycloak.baan.test/realms/baan"

router = APIRouter(prefix="/v1/houses", tags=["houses"])


@router.post("/{house_id}/milestones", status_code=201)
async def record_milestone(
    house_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Security(require_scopes("construction:write"))],
) -> dict[str, str]:
    return {"house_id": str(house_id), "by": principal.client_id}


async def _service(tmp_path: Path, issuer: DevIssuer) -> FastAPI:
    settings = ServiceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/construction.db",
        auto_migrate=False,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    app = create_service_app(
        name="construction",
        title="t",
        description="t",
        version="0",
        settings=settings,
        routers=[router, audit_log_router(get_session)],
        migrations=None,
    )
    install_partner_access(
        app,
        AuthSettings(issuer=ISSUER, jwks_json=json.dumps(issuer.jwks())),
        environment=settings.environment,
    )
    # What the service's migration does.
    async with app.state.runtime.engine.begin() as connection:
        await connection.run_sync(AuditRecord.__table__.create)
        await connection.run_sync(RateLimitCounter.__table__.create)
    return app


async def test_a_service_audits_writes_and_counts_requests_in_its_own_database(
    tmp_path: Path,
) -> None:
    issuer = DevIssuer(issuer=ISSUER)
    app = await _service(tmp_path, issuer)
    house_id = new_id()
    token = issuer.mint_token("chiang-mai-office", ["construction:write"], ["50"])
    auditor = issuer.mint_token("national-auditor", ["audit:read"], ["*"])
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://construction.test",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            response = await client.post(f"/v1/houses/{house_id}/milestones")
            log = await client.get(
                "/v1/audit-log",
                params={"resource_id": str(house_id)},
                headers={"Authorization": f"Bearer {auditor}"},
            )
        assert response.status_code == 201
        assert operations_without_scopes(app) == []  # health and /metrics stay open
        assert response.json()["by"] == "chiang-mai-office"
        [entry] = log.json()["items"]
        assert entry["action"] == "record_milestone"
        assert entry["resource_type"] == "houses"
        assert entry["trace_id"] == response.headers["traceparent"].split("-")[1]
        async with app.state.runtime.session_factory() as session:
            counters = (await session.exec(select(RateLimitCounter))).all()
        # Each client's first request leased a twentieth of its 600 a minute.
        assert sorted((c.client_id, c.requests) for c in counters) == [
            ("chiang-mai-office", 30),
            ("national-auditor", 30),
        ]
    finally:
        await app.state.runtime.engine.dispose()

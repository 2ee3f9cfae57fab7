"""Partner access on the reporting API: scopes per operation, tokens, rate limits, audit rows."""

import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import BASE_URL, ISSUER, auth_settings, national_headers
from reporting_factories import target

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import operations_without_scopes
from baan_shared.auth.scopes import AUDIT_READ, REPORTS_READ
from baan_testkit.auth import ClientFor, answers_past_the_limit, asgi_client
from reporting.main import create_app
from reporting.settings import ReportingSettings

# Every report, query, export and dashboard data endpoint the page and partners read.
READS = [
    ("/v1/reports/progress", {}),
    ("/v1/reports/funnel", {}),
    ("/v1/reports/freshness", {}),
    ("/v1/reports/targets", {"fiscal_year": "2562"}),
    ("/v1/reports/money", {"fiscal_year": "2562"}),
    ("/v1/reports/progress/export", {}),
    ("/v1/query", {"fiscal_year": "2562", "measures": "completed"}),
    ("/v1/targets", {}),
]


def test_every_operation_requires_a_scope(app: FastAPI) -> None:
    assert operations_without_scopes(app) == []


def _anonymous(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return asgi_client(app, BASE_URL, headers)


@pytest.mark.parametrize(("path", "params"), READS)
async def test_no_token_is_401_problem_naming_the_header(
    app: FastAPI, path: str, params: dict[str, str]
) -> None:
    async with _anonymous(app) as anonymous:
        response = await anonymous.get(path, params=params)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "header.Authorization"


async def test_setting_targets_without_a_token_is_401(app: FastAPI) -> None:
    async with _anonymous(app) as anonymous:
        response = await anonymous.put("/v1/targets", json={"targets": [target()]})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_forged_token_is_401(app: FastAPI) -> None:
    forger = DevIssuer()  # another key, same issuer name
    token = forger.mint_token("baan-national", [REPORTS_READ], ["*"])
    async with _anonymous(app, {"Authorization": f"Bearer {token}"}) as forged:
        response = await forged.get("/v1/reports/progress")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_expired_token_is_401(app: FastAPI) -> None:
    an_hour_ago = time.time() - 3600
    token = ISSUER.mint_token(
        "baan-national", [REPORTS_READ], ["*"], now=an_hour_ago, lifetime_seconds=60
    )
    async with _anonymous(app, {"Authorization": f"Bearer {token}"}) as expired:
        response = await expired.get("/v1/reports/funnel")
    assert response.status_code == 401


@pytest.mark.parametrize(("path", "params"), READS)
async def test_reports_need_reports_read(
    client_for: ClientFor, path: str, params: dict[str, str]
) -> None:
    async with client_for("auditor", [AUDIT_READ], ["*"]) as auditor:
        response = await auditor.get(path, params=params)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["missing_scopes"] == ["reports:read"]


async def test_a_reader_cannot_set_targets(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    async with client_for("reader", [REPORTS_READ], ["*"]) as reader:
        refused = await reader.put("/v1/targets", json={"targets": [target()]})
        listed = await reader.get("/v1/targets")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["missing_scopes"] == ["reports:write"]
    assert listed.status_code == 200
    assert listed.json()["targets"] == []


async def test_the_audit_log_needs_audit_read(client_for: ClientFor) -> None:
    async with client_for("reader", [REPORTS_READ], ["*"]) as reader:
        response = await reader.get("/v1/audit-log")
    assert response.status_code == 403
    assert response.json()["missing_scopes"] == ["audit:read"]


async def test_setting_targets_is_in_the_audit_log_refusals_too(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    assert (await client.put("/v1/targets", json={"targets": [target()]})).status_code == 200
    async with client_for("reader", [REPORTS_READ], ["*"]) as reader:
        await reader.put("/v1/targets", json={"targets": [target()]})
    log = await client.get("/v1/audit-log")
    assert log.status_code == 200
    rows = [
        (r["client_id"], r["method"], r["path"], r["status"])
        for r in log.json()["items"]
        if r["method"] == "PUT"
    ]
    assert rows == [
        ("baan-national", "PUT", "/v1/targets", 200),
        ("reader", "PUT", "/v1/targets", 403),
    ]


async def test_the_dashboard_page_is_open_but_its_data_is_not(app: FastAPI) -> None:
    async with _anonymous(app) as anonymous:
        page = await anonymous.get("/dashboard")
        data = await anonymous.get("/v1/reports/funnel")
    assert page.status_code == 200
    assert data.status_code == 401


async def test_a_client_over_its_limit_gets_429_with_retry_after(tmp_path: Path) -> None:
    settings = ReportingSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/reporting.db",
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    auth = auth_settings(rate_limit_requests=3, rate_limit_window_seconds=3600)
    application = create_app(settings, auth)
    answers = await answers_past_the_limit(
        application, BASE_URL, national_headers(), "/v1/reports/funnel", requests=5
    )
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert int(refused.headers["retry-after"]) > 0
    assert refused.headers["content-type"] == "application/problem+json"


async def test_an_auditor_bound_to_areas_is_refused_the_audit_log(
    client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
) -> None:
    """The log records every area's requests (paths, ids): national auditors only."""
    assert (await client.put("/v1/targets", json={"targets": [target()]})).status_code == 200
    refused = await chiang_rai_client.get("/v1/audit-log")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["code"] for e in refused.json()["errors"]] == ["national-only"]
    assert "/v1/targets" not in refused.text

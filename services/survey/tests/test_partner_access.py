"""Partner access on the survey API: scopes per operation, tokens, rate limits, audit rows."""

import re
from pathlib import Path

import httpx
from fastapi import FastAPI
from survey_auth import BASE_URL, ClientFor, national_headers
from survey_factories import household_body

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import operations_without_scopes
from baan_shared.auth.scopes import (
    AUDIT_READ,
    SURVEY_APPROVE,
    SURVEY_READ,
    SURVEY_WRITE,
)
from baan_testkit.auth import (
    Refusal,
    answers_past_the_limit,
    asgi_client,
    auth_settings,
    refusal_without,
)
from survey.main import create_app
from survey.settings import SurveySettings


def test_every_operation_requires_a_scope(app: FastAPI) -> None:
    assert operations_without_scopes(app) == []


COMMITTEE_DECISIONS = re.compile(r"^/v1/household-decisions$|/(screen|approve|reject|waitlist)$")


def _right_scope(method: str, path: str) -> str:
    """The scope each kind of operation needs (README, Partner access)."""
    if path.startswith("/v1/audit-log"):
        return AUDIT_READ
    if COMMITTEE_DECISIONS.search(path):
        return SURVEY_APPROVE
    return SURVEY_READ if method == "get" else SURVEY_WRITE


def _operations(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    return [
        (method, path, [s for r in operation.get("security", []) for s in r.get("partner", [])])
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if not path.startswith(("/health/", "/metrics"))
    ]


def test_every_operation_names_the_right_scope(app: FastAPI) -> None:
    wrong = {
        f"{method.upper()} {path}": scopes
        for method, path, scopes in _operations(app)
        if scopes != [_right_scope(method, path)]
    }
    assert wrong == {}


async def test_every_operation_refuses_a_token_without_its_scope(
    app: FastAPI, client_for: ClientFor
) -> None:
    """Called with every other scope, each operation answers 403 naming the missing one:
    the scope is enforced, not only documented."""
    answered = {}
    for method, path, scopes in _operations(app):
        url = re.sub(r"\{code\}", "10", path)
        url = re.sub(r"\{[a-z_]+\}", "0190f5d2-0000-7000-8000-000000000000", url)
        url = url.replace("/v1/programmes/10", "/v1/programmes/BAAN_MANKONG")
        answered[f"{method.upper()} {path}"] = await refusal_without(
            client_for, method, url, scopes
        )
    assert answered == {
        f"{method.upper()} {path}": Refusal(403, "application/problem+json", scopes)
        for method, path, scopes in _operations(app)
    }


async def test_no_token_is_401_problem(app: FastAPI) -> None:
    async with asgi_client(app, BASE_URL) as anonymous:
        response = await anonymous.get("/v1/households")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "header.Authorization"


async def test_forged_token_is_401(app: FastAPI) -> None:
    forger = DevIssuer()  # another key, same issuer name
    token = forger.mint_token("baan-national", [SURVEY_READ], ["*"])
    async with asgi_client(app, BASE_URL, {"Authorization": f"Bearer {token}"}) as forged:
        response = await forged.get("/v1/households")
    assert response.status_code == 401


async def test_committee_decisions_need_survey_approve(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    created = await client.post("/v1/households", json=household_body())
    household_id = created.json()["id"]
    async with client_for("surveyor", [SURVEY_READ, SURVEY_WRITE], ["*"]) as surveyor:
        screened = await surveyor.post(
            f"/v1/households/{household_id}/screen", json={"decided_by": "surveyor"}
        )
        minutes = await surveyor.post(
            "/v1/household-decisions",
            json={
                "decided_by": "surveyor",
                "decisions": [{"household_id": household_id, "decision": "screen"}],
            },
        )
    assert screened.status_code == 403
    assert screened.headers["content-type"] == "application/problem+json"
    assert screened.json()["missing_scopes"] == ["survey:approve"]
    assert minutes.status_code == 403
    assert (await client.get(f"/v1/households/{household_id}")).json()["status"] == "surveyed"


async def test_a_reader_cannot_write(client_for: ClientFor) -> None:
    async with client_for("reader", [SURVEY_READ], ["*"]) as reader:
        response = await reader.post("/v1/households", json=household_body())
    assert response.status_code == 403
    assert response.json()["missing_scopes"] == ["survey:write"]


async def test_writes_are_in_the_audit_log(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/households", json=household_body())
    log = await client.get("/v1/audit-log", params={"client_id": "baan-national"})
    assert log.status_code == 200
    writes = [r for r in log.json()["items"] if r["method"] == "POST" and not r["pii_read"]]
    assert [(r["resource_type"], r["resource_id"], r["status"]) for r in writes] == [
        ("households", created.json()["id"], 201)
    ]


async def test_a_client_over_its_limit_gets_429_with_retry_after(
    tmp_path: Path, issuer: DevIssuer
) -> None:
    settings = SurveySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/survey.db",
        import_spool_dir=tmp_path / "imports",
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
    )
    auth = auth_settings(issuer, rate_limit_requests=3, rate_limit_window_seconds=3600)
    application = create_app(settings, auth)
    answers = await answers_past_the_limit(
        application, BASE_URL, national_headers(issuer), "/v1/programmes", requests=5
    )
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert int(refused.headers["retry-after"]) > 0
    assert refused.headers["content-type"] == "application/problem+json"

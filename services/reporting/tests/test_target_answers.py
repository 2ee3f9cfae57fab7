"""The targets report's and the query API's kept answers: made anew after a target is
set (an edit through the API, not an event: ``report_edits``), on this replica or
another, and after a household is projected; only the caller's areas; 304 for what a
client holds. On SQLite and PostgreSQL."""

from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from reporting_auth import BASE_URL, NATIONAL_SCOPES, national_headers
from reporting_factories import (
    BAAN_PHO_PHIANG,
    NOV_2018,
    Household,
    apply_events,
    journey,
    target,
)

from baan_testkit import auth as auth_testing
from baan_testkit.auth import ClientFor
from reporting.achievements.schemas import TargetReport
from reporting.query.schemas import QueryResult

RUN_ON_BOTH_DATABASES = True

TARGETS = "/v1/reports/targets"
REPORT: dict[str, Any] = {"fiscal_year": 2562, "period": "h1", "level": "province"}
QUERY: dict[str, Any] = {"fiscal_year": 2562, "period": "h1", "level": "province"}
QUERY |= {"measures": ["target", "approved", "grant_reserved_satang"]}


async def _ok(client: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


async def set_target(client: httpx.AsyncClient, **given: Any) -> None:
    response = await client.put("/v1/targets", json={"targets": [target(**given)]})
    assert response.status_code == 200, response.text


def targets_of(report: httpx.Response) -> dict[str, int | None]:
    return {row["area_code"]: row["target"] for row in report.json()["rows"]}


def query_targets(answer: httpx.Response) -> dict[str, int]:
    return {c["area_code"]: c["measures"]["target"] for c in answer.json()["cells"]}


async def approvals(app: FastAPI, province: str = "57", count: int = 2) -> None:
    for _ in range(count):
        household = Household(programme=BAAN_PHO_PHIANG, province_code=province)
        await apply_events(app, journey("approved", household=household, start=NOV_2018))


async def test_a_target_set_after_an_answer_is_in_the_next_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await approvals(app)
    await set_target(client, quantity=100)
    before, query_before = (
        await _ok(client, TARGETS, **REPORT),
        await _ok(client, "/v1/query", **QUERY),
    )
    assert targets_of(before)["57"] == 100 and query_targets(query_before)["57"] == 100
    assert (await _ok(client, TARGETS, **REPORT)).headers["etag"] == before.headers["etag"]
    await set_target(client, quantity=250)  # no event, no projection moved
    after, query_after = (
        await _ok(client, TARGETS, **REPORT),
        await _ok(client, "/v1/query", **QUERY),
    )
    assert targets_of(after)["57"] == 250 and query_targets(query_after)["57"] == 250
    assert after.headers["etag"] != before.headers["etag"]
    # A target in another province: a new row, in the next answers too.
    await set_target(client, area_code="10", quantity=40)
    assert targets_of(await _ok(client, TARGETS, **REPORT))["10"] == 40
    assert query_targets(await _ok(client, "/v1/query", **QUERY))["10"] == 40


async def test_a_household_projected_after_an_answer_is_in_the_next_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await set_target(client, quantity=100)
    await approvals(app, count=1)
    before = await _ok(client, "/v1/query", **QUERY)
    approved = {c["area_code"]: c["measures"]["approved"] for c in before.json()["cells"]}
    await approvals(app, count=2)
    after = await _ok(client, "/v1/query", **QUERY)
    assert {c["area_code"]: c["measures"]["approved"] for c in after.json()["cells"]} == {
        "57": approved["57"] + 2
    }
    report = (await _ok(client, TARGETS, **REPORT)).json()
    assert {row["area_code"]: row["approved"] for row in report["rows"]}["57"] == 3


async def test_every_answer_is_the_json_its_documented_model_gives_and_304_when_held(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await approvals(app)
    await set_target(client, quantity=100)
    asked: list[tuple[str, dict[str, Any], type[BaseModel]]] = [
        (TARGETS, REPORT, TargetReport),
        (TARGETS, {"fiscal_year": 2562, "level": "region"}, TargetReport),
        ("/v1/query", QUERY, QueryResult),
        ("/v1/query", {**QUERY, "fiscal_year": [2562, 2563]}, QueryResult),
    ]
    for path, params, model in asked:
        first, kept = await _ok(client, path, **params), await _ok(client, path, **params)
        assert first.content == model.model_validate_json(first.content).model_dump_json().encode()
        assert kept.content == first.content
        held = await client.get(
            path, params=params, headers={"If-None-Match": kept.headers["etag"]}
        )
        assert held.status_code == 304, path
        assert held.content == b""


async def test_a_caller_bound_to_a_province_never_gets_anothers_kept_answer(
    app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    await approvals(app, "57")
    await approvals(app, "10")
    await set_target(client, quantity=100)
    await set_target(client, area_code="10", quantity=40)
    assert set(targets_of(await _ok(client, TARGETS, **REPORT))) == {"10", "57"}
    assert set(query_targets(await _ok(client, "/v1/query", **QUERY))) == {"10", "57"}
    async with client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as chiang_rai:
        for _ in range(2):  # the first answer, then the kept one
            assert set(targets_of(await _ok(chiang_rai, TARGETS, **REPORT))) == {"57"}
            assert set(query_targets(await _ok(chiang_rai, "/v1/query", **QUERY))) == {"57"}


async def test_a_replica_answers_with_a_target_set_on_another_replica(
    two_replicas: tuple[FastAPI, FastAPI],
) -> None:
    reading, editing = two_replicas
    await approvals(editing)
    async with (
        auth_testing.asgi_client(reading, BASE_URL, national_headers()) as reader,
        auth_testing.asgi_client(editing, BASE_URL, national_headers()) as editor,
    ):
        await set_target(editor, quantity=100)
        assert targets_of(await _ok(reader, TARGETS, **REPORT))["57"] == 100
        await set_target(editor, quantity=300)
        assert targets_of(await _ok(reader, TARGETS, **REPORT))["57"] == 300
        assert query_targets(await _ok(reader, "/v1/query", **QUERY))["57"] == 300

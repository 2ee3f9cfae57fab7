"""A bulk sign-off interrupted by a crash (issue 17): nothing lost, nothing paid twice.

A community's houses are approved, planned, made ready, started and taken to a
milestone (the project-wide bulk reports); then one ``POST /v1/house-work-sign-offs``
signs them all off with an ``Idempotency-Key``, and construction is killed (SIGKILL)
while that request runs: the moment its key is claimed in construction's database.
The client, as a partner's would, retries the same request with the same key until it
is answered. Whether the crash came before or after the sign-off committed, every
house must end completed exactly once (one status change, one ``house.completed``),
finance must pay each grant's last tranche exactly once, reporting must count each
completion once, and ``baan-reconcile`` must find every service in agreement.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from faults.breakage import Profile
from faults.reconciling import reconcile_once_settled
from faults.table import ROWS, FaultRow
from faults.workload import (
    BUILDERS,
    PAUSE_BETWEEN_TRIES,
    RETRY_FOR_SECONDS,
    Acknowledged,
    GaveUp,
    allocate_budget,
    area,
    decide,
    house_work_when_planned,
    register,
    send,
    tally,
    until_answered,
)
from platform_harness import Platform, eventually
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from baan_shared.clock import thai_today

pytestmark = [
    pytest.mark.faults,
    pytest.mark.e2e,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.timeout(1800),
]

PROVINCE = "44"
SIGN_OFFS = "/v1/house-work-sign-offs"
INSPECTORS = "คณะกรรมการตรวจรับชุมชน"
SETTLE_SECONDS = 300.0


async def _approved_households(platform: Platform, count: int, concurrency: int) -> list[str]:
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int) -> str:
        async with gate, platform.client("survey") as survey:
            household_id = await register(
                survey, f"นายตรวจรับ {PROVINCE}-{number:04d}", **area(PROVINCE)
            )
            await decide(survey, household_id)
            return household_id

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def _built_project(platform: Platform, households: list[str]) -> list[str]:
    """The households' house works in one project, ready, started and at ``structure``."""
    async with platform.client("construction") as construction:
        works = [(await house_work_when_planned(construction, h))["id"] for h in households]
        today = thai_today().isoformat()
        project = await until_answered(
            construction,
            "POST",
            "/v1/projects",
            json={
                "name": f"ชุมชนตรวจรับ {PROVINCE}",
                "programme": "CANAL",
                **area(PROVINCE),
                "planned_start_on": today,
                "planned_end_on": today,
                "created_by": BUILDERS,
            },
        )
        assert project.status_code == 201, project.text
        base = f"/v1/projects/{project.json()['id']}/house-works"
        steps: list[tuple[str, dict[str, Any]]] = [
            ("", {"house_work_ids": works}),
            ("/ready", {"reported_by": BUILDERS}),
            ("/start", {"reported_by": BUILDERS}),
            ("/progress", {"reported_by": BUILDERS, "milestone": "structure"}),
        ]
        for step, body in steps:
            response = await until_answered(construction, "POST", base + step, json=body)
            assert response.status_code == 200, f"{step}: {response.text}"
    return works


async def _key_claimed(database_url: str, key: str, timeout: float = 60.0) -> None:
    """Until construction has claimed ``key``: its request is then running."""
    engine = create_async_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with engine.connect() as connection:
                found = await connection.execute(
                    text("SELECT status_code FROM idempotency_keys WHERE key = :key"),
                    {"key": key},
                )
                if found.first() is not None:
                    return
            await asyncio.sleep(0.005)
    finally:
        await engine.dispose()
    raise AssertionError(f"construction never claimed idempotency key {key}")


async def _answered_with_the_same_key(platform: Platform, body: Any, key: str) -> Any:
    """The retry a partner's client makes: the same request and key until a 200. A 409
    without ``errors`` is the dead request's claim, freed once it is stale."""
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    async with platform.client("construction") as construction:
        while time.monotonic() < deadline:
            response = await send(
                construction, "POST", SIGN_OFFS, json=body, headers={"Idempotency-Key": key}
            )
            if response is not None and not (
                response.status_code == 409 and not response.json().get("errors")
            ):
                return response
            await asyncio.sleep(PAUSE_BETWEEN_TRIES)
    raise GaveUp(f"{SIGN_OFFS}: no answer for {RETRY_FOR_SECONDS:.0f}s")


async def test_a_bulk_sign_off_interrupted_by_a_crash_completes_each_house_once(
    fault_platform: Platform, fault_profile: Profile
) -> None:
    platform = fault_platform
    houses = fault_profile.households * 5
    async with platform.client("finance") as finance:
        await allocate_budget(finance, PROVINCE, houses)
    households = await _approved_households(platform, houses, fault_profile.concurrency)
    works = await _built_project(platform, households)
    body = {
        "items": [
            {
                "house_work_id": work,
                "inspected_by": INSPECTORS,
                "actual_cost_satang": 48_500_000,
                "labour_days": 42,
            }
            for work in works
        ]
    }
    key = f"bulk-sign-off-{uuid.uuid4()}"
    construction = platform.services["construction"]

    async with platform.client("construction") as client:
        first = asyncio.create_task(
            send(client, "POST", SIGN_OFFS, json=body, headers={"Idempotency-Key": key})
        )
        await _key_claimed(platform.database_urls["construction"], key)
        construction.kill()  # SIGKILL mid-request: no answer, no shutdown
        first_answer = await first
    crashed_at = time.monotonic()
    await asyncio.sleep(fault_profile.service_down_seconds)
    construction.start()
    await asyncio.to_thread(construction.wait_live)
    answer = await _answered_with_the_same_key(platform, body, key)
    recovered_in = time.monotonic() - crashed_at
    assert answer.status_code == 200, answer.text
    assert answer.json()["applied"] == houses
    assert {r["status"] for r in answer.json()["results"]} == {"completed"}

    done = Acknowledged(
        registered=list(households), approved=list(households), completed=list(households)
    )

    async def settled() -> Any:
        found = await tally(platform, PROVINCE, done)
        return found if found.clean else None

    try:
        result = await eventually(settled, timeout=SETTLE_SECONDS, what="bulk sign-off settled")
    except AssertionError:
        result = await tally(platform, PROVINCE, done)
    async with platform.client("construction") as client:
        for work in works:
            history = (
                await until_answered(client, "GET", f"/v1/house-works/{work}/history")
            ).json()
            signed = [t for t in history if t["to_status"] == "completed"]
            result.duplicate(max(0, len(signed) - 1), f"sign-offs of house work {work}")
            result.lose(int(not signed), f"sign-off of house work {work}")
    reconciled = await reconcile_once_settled(platform, within=SETTLE_SECONDS)
    ROWS.append(
        FaultRow(
            fault="construction killed (SIGKILL) during a bulk sign-off, retried with its key",
            in_flight=houses,
            lost=result.lost,
            duplicated=result.duplicated,
            recovered_in=recovered_in,
            notes=f"{houses} houses in one request; the first try "
            + ("was cut off" if first_answer is None else f"answered {first_answer.status_code}")
            + (
                "; the retry replayed its answer"
                if answer.headers.get("Idempotent-Replayed") == "true"
                else "; the retry applied it"
            ),
        )
    )
    assert result.problems == [], result.problems
    assert reconciled[0] == 0, reconciled[1]

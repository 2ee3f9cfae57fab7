"""Faults, one at a time, under a steady stream of real work; nothing lost, nothing twice.

For each fault: households go the whole way (approved, built, paid, loaned,
repaying) through the public APIs while the fault strikes; once it is undone
we time how long until a fresh household approved at that moment is seen by
construction, finance and reporting; then we wait (bounded) for the platform
to settle and count, against what the services acknowledged, what was lost
and what was duplicated; and `baan-reconcile` must find every service in
agreement. Durations are recorded, never asserted.

    make faults                        # the full profile
    FAULTS_PROFILE=ci .venv/bin/pytest tests/faults -m faults   # what CI runs
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from faults.breakage import (
    Fault,
    FaultContext,
    Profile,
    end_offsets,
    kill_service,
    nothing,
    parked_events,
    publish_poison,
    rebalance_finance,
    redeliver_everything,
    stop_kafka,
    stop_postgres,
)
from faults.reconciling import reconcile_once_settled
from faults.table import ROWS, FaultRow
from faults.workload import (
    CANAL_GRANT_SATANG,
    SPURIOUS_CONFLICTS,
    Tally,
    Workload,
    allocate_budget,
    area,
    decide,
    every_page,
    register,
    tally,
)
from platform_harness import Platform, eventually

from baan_local.postgres import LocalPostgres

pytestmark = [
    pytest.mark.faults,
    pytest.mark.e2e,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.timeout(1800),
]

# fault name, the fault, the province its workload uses, the province of its canary
FAULTS: tuple[tuple[str, Fault, str, str], ...] = (
    ("survey killed (SIGKILL) and restarted", kill_service("survey"), "20", "21"),
    ("construction killed (SIGKILL) and restarted", kill_service("construction"), "22", "23"),
    ("finance killed (SIGKILL) and restarted", kill_service("finance"), "24", "25"),
    ("reporting killed (SIGKILL) and restarted", kill_service("reporting"), "26", "27"),
    ("Kafka broker stopped and restarted", stop_kafka, "30", "31"),
    ("PostgreSQL stopped for a while", stop_postgres, "32", "33"),
    ("finance consumer group rebalanced (join, then SIGKILL)", rebalance_finance, "34", "35"),
    ("events redelivered (all of this round so far, same ids)", redeliver_everything, "36", "37"),
    ("poison events on two streams", publish_poison, "38", "39"),
    ("100 approvals race for the last of a budget", nothing, "40", "41"),
)
RACE_PROVINCE = "42"
SETTLE_SECONDS = 300.0


@pytest.mark.parametrize(
    ("name", "fault", "province", "canary_province"),
    FAULTS,
    ids=[f[0].split(" ")[0].lower() + f"-{i}" for i, f in enumerate(FAULTS)],
)
async def test_nothing_is_lost_or_duplicated(
    fault_platform: Platform,
    fault_postgres: LocalPostgres,
    fault_profile: Profile,
    tmp_path: Any,
    name: str,
    fault: Fault,
    province: str,
    canary_province: str,
) -> None:
    platform = fault_platform
    ctx = FaultContext(platform, fault_postgres, fault_profile, tmp_path)
    ctx.stream_offsets_at_start = await end_offsets(platform.kafka.bootstrap)
    parked_before = await parked_events(platform.kafka.bootstrap)
    conflicts_before = len(SPURIOUS_CONFLICTS)
    async with platform.client("finance") as finance:
        await allocate_budget(finance, province, fault_profile.households)
        await allocate_budget(finance, canary_province, 1)
    workload = Workload(
        platform, province, fault_profile.households, fault_profile.concurrency, label=province
    )
    running = asyncio.create_task(workload.run())
    race: asyncio.Task[Tally] | None = None
    try:
        # Strike while households are at every stage: some approved, most not yet.
        await workload.wait_until_approved(max(1, fault_profile.households // 3))
        if fault is redeliver_everything:
            # Copy a stream with every kind of event on it: half the houses built and paid.
            await asyncio.wait_for(workload.half_completed.wait(), timeout=600)
        if fault is nothing:
            race = asyncio.create_task(budget_race(platform, fault_profile.race_approvals))
        await fault(ctx)
        restored = time.monotonic()
        await platform.wait_ready(timeout=300)
        await canary_seen_everywhere(platform, canary_province)
        recovered_in: float | None = time.monotonic() - restored
        await running
        race_tally = await race if race else Tally()
    finally:
        if not running.done():
            running.cancel()
        if race is not None and not race.done():
            race.cancel()

    async def settled() -> Tally | None:
        found = await tally(platform, province, workload.done)
        return found if found.clean else None

    try:
        result = await eventually(settled, timeout=SETTLE_SECONDS, what=f"{name}: settled")
    except AssertionError:
        result = await tally(platform, province, workload.done)
        recovered_in = None
    parked = await parked_events(platform.kafka.bootstrap) - parked_before
    result.lose(parked, "real events dead-lettered (missing until replayed)")
    spurious = SPURIOUS_CONFLICTS[conflicts_before:]
    if spurious:
        ctx.notes.append(f"{len(spurious)} spurious 409s retried: {spurious[0]}")
    result.lost += race_tally.lost
    result.duplicated += race_tally.duplicated
    result.problems += race_tally.problems
    # The canary and the race may still be on their way; reconciliation is a
    # snapshot, so it gets the same bounded time to agree.
    reconciled = await reconcile_once_settled(platform, within=SETTLE_SECONDS)
    ROWS.append(
        FaultRow(
            fault=name,
            in_flight=max(ctx.in_flight_samples, default=0),
            lost=result.lost,
            duplicated=result.duplicated,
            recovered_in=recovered_in,
            notes="; ".join(
                [f"{len(workload.done.completed)} households through", *ctx.notes]
                + ([] if reconciled[0] == 0 else ["baan-reconcile found mismatches"])
            ),
        )
    )
    assert result.problems == [], result.problems
    assert len(workload.done.completed) == fault_profile.households
    assert reconciled[0] == 0, reconciled[1]


async def canary_seen_everywhere(platform: Platform, province_code: str) -> None:
    """One household approved now must reach construction, finance and reporting."""
    async with platform.client("survey") as survey:
        household_id = await register(survey, f"นางนกขมิ้น {province_code}", **area(province_code))
        await decide(survey, household_id)

    async def everywhere() -> bool:
        async with (
            platform.client("construction") as construction,
            platform.client("finance") as finance,
            platform.client("reporting") as reporting,
        ):
            works = await construction.get("/v1/house-works", params={"household_id": household_id})
            grant = await finance.get(f"/v1/grants/by-household/{household_id}")
            report = await reporting.get(
                "/v1/reports/progress", params={"province_code": province_code}
            )
        rows = report.json().get("rows", []) if report.status_code == 200 else []
        return (
            works.status_code == 200
            and len(works.json()["items"]) == 1
            and grant.status_code == 200
            and bool(rows)
            and rows[0]["approved"] == 1
        )

    await eventually(everywhere, timeout=300, what="the canary household everywhere")


async def budget_race(platform: Platform, approvals: int) -> Tally:
    """A budget with room for three grants; two are taken; ``approvals`` households,
    registered and screened, are approved at once. Exactly one may be granted."""
    where = area(RACE_PROVINCE)
    result = Tally()
    async with platform.client("survey") as survey, platform.client("finance") as finance:
        await allocate_budget(finance, RACE_PROVINCE, 3)
        for number in range(2):
            household_id = await register(survey, f"นายก่อนแข่ง {number}", **where)
            await decide(survey, household_id)
        racers = []
        for number in range(approvals):
            household_id = await register(survey, f"นายแข่งขัน {number:03d}", **where)
            screened = await survey.post(
                f"/v1/households/{household_id}/screen", json={"decided_by": "คณะกรรมการ"}
            )
            assert screened.status_code == 200, screened.text
            racers.append(household_id)
        answers = await asyncio.gather(
            *(
                survey.post(f"/v1/households/{h}/approve", json={"decided_by": "คณะกรรมการ"})
                for h in racers
            )
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers][:3]

        async def decided() -> list[dict[str, Any]] | None:
            grants = await every_page(finance, "/v1/grants", province_code=RACE_PROVINCE)
            return grants if len(grants) >= approvals + 2 else None

        try:
            grants = await eventually(decided, timeout=300, what="a decision on every grant")
        except AssertionError:
            grants = await every_page(finance, "/v1/grants", province_code=RACE_PROVINCE)
        budget = (
            await every_page(finance, "/v1/budgets", area_code=RACE_PROVINCE, programme="CANAL")
        )[0]

        async def waitlisted() -> int | None:
            rows = await every_page(
                survey, "/v1/households", province_code=RACE_PROVINCE, status="waitlisted"
            )
            return len(rows) if len(rows) >= approvals - 1 else None

        try:
            on_waitlist = await eventually(waitlisted, timeout=300, what="the losers waitlisted")
        except AssertionError:
            on_waitlist = len(
                await every_page(
                    survey, "/v1/households", province_code=RACE_PROVINCE, status="waitlisted"
                )
            )

    granted = [g for g in grants if g["status"] != "rejected"]
    result.lose(approvals + 2 - len({g["household_id"] for g in grants}), "grant decisions")
    result.duplicate(len(grants) - len({g["household_id"] for g in grants}), "race grants")
    result.duplicate(max(0, len(granted) - 3), "grants beyond the budget")
    result.lose(max(0, 3 - len(granted)), "grants the budget could still pay")
    result.lose(max(0, approvals - 1 - on_waitlist), "losers not waitlisted by survey")
    if budget["free_satang"] < 0 or budget["allocated_satang"] != 3 * CANAL_GRANT_SATANG:
        result.duplicate(1, f"race budget overdrawn: {budget}")
    return result

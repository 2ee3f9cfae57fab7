"""Delivery guarantees against the real broker: at least once on the wire,
exactly once in effect.

- a redelivered event changes nothing;
- a consumer killed after its database commit but before its offset commit
  applies the event once;
- a parked event is applied once when its dead-letter topic is replayed
  (before the poison test, which parks events that can never apply);
- a malformed event goes to the dead-letter topic and the events behind it
  are still processed;
- a household approved while Kafka is stopped reaches construction after
  Kafka returns (last: it stops the shared broker).
"""

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from platform_harness import (
    Platform,
    approve_new_household,
    eventually,
    header,
    house_work_of,
    household_body,
    produce_raw,
    read_topic,
)

from baan_local.ports import free_port
from baan_local.postgres import LocalPostgres
from baan_local.services import ServiceProcess
from baan_shared import registry
from baan_shared.clock import utcnow
from baan_shared.fiscal import fiscal_year_at
from construction.handlers import SUBSCRIPTIONS as CONSTRUCTION_SUBSCRIPTIONS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

CONSUMERS_OF_HOUSEHOLDS = ("construction", "finance", "reporting")


async def _approved_record(platform: Platform, household_id: str) -> Any:
    records = await read_topic(platform.kafka.bootstrap, "survey.households")
    matching = [
        r
        for r in records
        if header(r, "ce_type") == "household.approved" and r.key == household_id.encode()
    ]
    assert len(matching) == 1, "the relay publishes each outbox row once when nothing fails"
    return matching[0]


async def test_a_redelivered_event_changes_nothing(platform: Platform) -> None:
    area = {"province_code": "14", "district_code": "1401", "subdistrict_code": "140101"}
    async with platform.client("survey") as survey, platform.client("finance") as finance:
        budget = await finance.post(
            "/v1/budgets",
            json={
                "programme": "CANAL",
                "fiscal_year": fiscal_year_at(utcnow()),
                "area_level": "province",
                "area_code": "14",
                "amount_satang": 147_000 * 100,
            },
        )
        assert budget.status_code == 201, budget.text
        household_id = await approve_new_household(survey, **area)

        async def granted() -> dict[str, Any] | None:
            response = await finance.get(f"/v1/grants/by-household/{household_id}")
            return response.json() if response.status_code == 200 else None

        grant = await eventually(granted, what="finance to open the grant")
    async with platform.client("construction") as construction:
        house = await eventually(
            lambda: house_work_of(construction, household_id), what="the house work"
        )

    record = await _approved_record(platform, household_id)
    before = {
        s: await platform.metric(s, "baan_events_duplicate_total", consumer=s)
        for s in CONSUMERS_OF_HOUSEHOLDS
    }
    for _ in range(2):  # the same event id, twice more
        await produce_raw(
            platform.kafka.bootstrap,
            record.topic,
            key=record.key,
            value=record.value,
            headers=list(record.headers),
        )

    async def all_skipped() -> bool:
        for service in CONSUMERS_OF_HOUSEHOLDS:
            now = await platform.metric(service, "baan_events_duplicate_total", consumer=service)
            if now < before[service] + 2:
                return False
        return True

    await eventually(all_skipped, what="every consumer to skip both redeliveries")
    async with (
        platform.client("construction") as construction,
        platform.client("finance") as finance,
    ):
        works = (
            await construction.get("/v1/house-works", params={"household_id": household_id})
        ).json()["items"]
        assert [w["id"] for w in works] == [house["id"]]
        again = (await finance.get(f"/v1/grants/by-household/{household_id}")).json()
        assert again["grant_id"] == grant["grant_id"]
        assert again["entitled_satang"] == grant["entitled_satang"]
        assert again["status"] == grant["status"] == "approved"


async def test_a_consumer_killed_between_its_commit_and_its_offset_commit_applies_the_event_once(
    platform: Platform, postgres_server: LocalPostgres, tmp_path: Path
) -> None:
    async with platform.client("survey") as survey, platform.client("construction") as construction:
        household_id = await approve_new_household(
            survey, province_code="15", district_code="1501", subdistrict_code="150101"
        )
        # Once the platform's own construction has it, the approval is on the stream.
        await eventually(lambda: house_work_of(construction, household_id), what="publication")
    records = await read_topic(platform.kafka.bootstrap, "survey.households")
    approved = [r for r in records if header(r, "ce_type") == "household.approved"]
    approved_households = {r.key.decode() for r in approved}
    # Everything construction applies, on every stream it reads: earlier tests may have
    # redelivered copies on purpose (same event id), which the inbox skips too.
    handled = [
        r
        for topic in CONSTRUCTION_SUBSCRIPTIONS.topics
        for r in await read_topic(platform.kafka.bootstrap, topic)
        if header(r, "ce_type") in CONSTRUCTION_SUBSCRIPTIONS.handlers
    ]
    copies = len(handled) - len({header(r, "ce_id") for r in handled})

    # A second construction deployment with its own database and consumer group
    # reads the whole stream; its first attempt dies right after its first commit.
    env = {
        **os.environ,
        **platform.issuer.service_environment(embed_jwks=True),
        "KAFKA_BOOTSTRAP_SERVERS": platform.kafka.bootstrap,
        "CONSTRUCTION_DATABASE_URL": postgres_server.create_database("crash_construction"),
        "CONSTRUCTION_CONSUMER_GROUP": f"construction-crash-{uuid.uuid4().hex[:8]}",
        "CONSTRUCTION_RELAY_ENABLED": "false",  # keep its house.planned off the shared stream
        "CONSTRUCTION_TOPIC_PARTITIONS": "3",
    }
    script = Path(__file__).with_name("crashing_construction.py")
    crashing = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        str(free_port()),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(crashing.communicate(), timeout=180)
    assert crashing.returncode == 86, output.decode(errors="replace")[-2000:]
    # It died after its first commit: a partition's batch (or a few, applied at once),
    # committed with their inbox rows, none of their offsets.
    applied_before_the_crash = await _inbox_rows(env["CONSTRUCTION_DATABASE_URL"])
    assert applied_before_the_crash >= 1

    spec = registry.service("construction")
    restarted = ServiceProcess(spec, free_port(), env, tmp_path / "construction-restarted.log")
    restarted.start()
    try:
        restarted.wait_live()
        national = platform.issuer.token_for("baan-national")
        async with httpx.AsyncClient(
            base_url=restarted.url, timeout=30, headers={"authorization": f"Bearer {national}"}
        ) as http:

            async def caught_up() -> list[dict[str, Any]] | None:
                items: list[dict[str, Any]] = []
                cursor = None
                while True:
                    params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
                    page = (await http.get("/v1/house-works", params=params)).json()
                    items += page["items"]
                    cursor = page["next_cursor"]
                    if not cursor:
                        break
                return items if len(items) >= len(approved_households) else None

            async def redelivery_skipped() -> bool:
                # Every event committed before the crash (and the copies) comes again and
                # is skipped, never applied twice (the house works below show that).
                metrics = (await http.get("/metrics")).text
                skipped = applied_before_the_crash + copies
                for line in metrics.splitlines():
                    if line.startswith('baan_events_duplicate_total{consumer="construction"}'):
                        return float(line.rsplit(" ", 1)[1]) >= skipped
                return False

            await eventually(redelivery_skipped, what="the crashed event's redelivery")
            works = await eventually(caught_up, what="the restarted consumer to catch up")
        households = [w["household_id"] for w in works]
        assert sorted(households) == sorted(approved_households)  # each exactly once
    finally:
        restarted.stop()


async def _inbox_rows(database_url: str) -> int:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM processed_events")
    finally:
        await connection.close()
    return count


async def test_replaying_a_dead_letter_topic_applies_what_was_parked_once(
    platform: Platform,
) -> None:
    """An approval parked in construction's dead letters (as if its handler had a
    bug, since fixed) is applied when ``baan-dlq replay`` runs, and only once."""
    area = {"province_code": "18", "district_code": "1801", "subdistrict_code": "180101"}
    async with platform.client("survey") as survey:
        household_id = await approve_new_household(survey, **area)
    parked = await eventually(
        lambda: _approved_record_or_none(platform, household_id), what="the approval on the stream"
    )
    # Park a copy under a new event id, as the consumer would have after its attempts.
    headers = [(k, v) for k, v in parked.headers if k != "ce_id"]
    headers += [
        ("ce_id", str(uuid.uuid4()).encode()),
        ("dlq_original_topic", b"survey.households"),
        ("dlq_error", b"RuntimeError: a bug, since fixed"),
    ]
    dlq = "survey.households.dlq.construction"
    before = await platform.metric(
        "construction", "baan_events_consumed_total", consumer="construction"
    )
    await produce_raw(
        platform.kafka.bootstrap, dlq, key=parked.key, value=parked.value, headers=headers
    )

    outputs = []
    for _ in range(2):  # the second run finds nothing new to replay
        replay = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "baan_shared.bus.dead_letters", "replay", dlq,
            "--bootstrap", platform.kafka.bootstrap,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(replay.communicate(), timeout=120)
        assert replay.returncode == 0, output.decode()
        outputs.append(output.decode())
    assert "replayed 1 records" in outputs[0]
    assert "replayed 0 records" in outputs[1]

    async def applied() -> bool:
        now = await platform.metric(
            "construction", "baan_events_consumed_total", consumer="construction"
        )
        return now >= before + 1

    await eventually(applied, what="construction to apply the replayed approval")
    async with platform.client("construction") as construction:
        works = (
            await construction.get("/v1/house-works", params={"household_id": household_id})
        ).json()["items"]
    assert len(works) == 1  # the replayed copy of an applied approval creates nothing new


async def test_a_malformed_event_is_dead_lettered_and_the_events_behind_it_still_apply(
    platform: Platform,
) -> None:
    area = {"province_code": "16", "district_code": "1601", "subdistrict_code": "160101"}
    async with platform.client("survey") as survey, platform.client("construction") as construction:
        created = await survey.post("/v1/households", json=household_body(**area))
        household_id = created.json()["id"]
        key = household_id.encode()  # same key → same partition as its approval, behind the poison
        before = await platform.metric(
            "construction", "baan_events_dead_lettered_total", consumer="construction"
        )
        await produce_raw(
            platform.kafka.bootstrap, "survey.households", key=key, value=b"\x00garbage", headers=[]
        )
        await produce_raw(
            platform.kafka.bootstrap,
            "survey.households",
            key=key,
            value=b'{"household_id": "%s"}' % key,  # a valid envelope, data missing its fields
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", str(uuid.uuid4()).encode()),
                ("ce_source", b"/services/survey"),
                ("ce_type", b"household.approved"),
                ("ce_subject", key),
                ("content-type", b"application/json"),
            ],
        )
        for step in ("screen", "approve"):
            response = await survey.post(
                f"/v1/households/{household_id}/{step}", json={"decided_by": "committee"}
            )
            assert response.status_code == 200

        house = await eventually(
            lambda: house_work_of(construction, household_id), what="the approval behind the poison"
        )
        # Planned, or on hold when finance has no budget here for the grant: either way opened.
        assert house["household_id"] == household_id
        assert house["status"] in ("planned", "on_hold")

    dead = [
        r
        for r in await read_topic(platform.kafka.bootstrap, "survey.households.dlq.construction")
        if r.key == key
    ]
    assert dead[0].value == b"\x00garbage"
    errors = [header(r, "dlq_error") or "" for r in dead]
    assert "MalformedEvent" in errors[0]
    assert "ValidationError" in errors[1]
    assert header(dead[1], "dlq_attempts") == "3"
    assert header(dead[0], "dlq_original_topic") == "survey.households"
    after = await platform.metric(
        "construction", "baan_events_dead_lettered_total", consumer="construction"
    )
    assert after == before + 2


async def test_a_household_approved_while_kafka_is_down_reaches_construction_when_it_returns(
    platform: Platform,
) -> None:
    area = {"province_code": "17", "district_code": "1701", "subdistrict_code": "170101"}
    platform.kafka.stop()
    try:
        async with platform.client("survey") as survey:
            household_id = await approve_new_household(survey, **area)  # the API keeps working
            ready = (await survey.get("/health/ready")).json()
            assert ready["checks"]["outbox"]["pending"] >= 2  # surveyed + approved, waiting
    finally:
        platform.kafka.start()
    async with platform.client("construction") as construction:
        house = await eventually(
            lambda: house_work_of(construction, household_id),
            timeout=180,
            what="the approval to drain from the outbox after Kafka returned",
        )
    assert house["province_code"] == "17"
    await platform.wait_ready()


async def _approved_record_or_none(platform: Platform, household_id: str) -> Any:
    records = await read_topic(platform.kafka.bootstrap, "survey.households")
    for record in records:
        if (
            header(record, "ce_type") == "household.approved"
            and record.key == household_id.encode()
        ):
            return record
    return None

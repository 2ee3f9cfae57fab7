"""How a large rebuild's catch-up shares the households among its processes."""

import asyncio
import json
import os
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from reporting_factories import Household, journey

from baan_testkit.events import kafka_record, kafka_records
from reporting.rebuild.replay import usable_cores
from reporting.rebuild.workers import FOLDED_TOPICS, household_workers, share, share_of


def test_every_event_of_a_household_goes_to_one_process_whatever_its_stream() -> None:
    households = [Household(programme="CANAL", province_code="10") for _ in range(40)]
    shares: dict[str, set[int]] = {}
    for household in households:
        for record in kafka_records(journey("completed", household=household)):
            shares.setdefault(str(household.household_id), set()).add(share_of(record, 3))
    streams = {r.topic for r in kafka_records(journey("completed", household=households[0]))}
    assert streams == FOLDED_TOPICS  # the survey's, construction's and finance's events
    assert all(len(found) == 1 for found in shares.values())
    # Forty households over three processes: each has some.
    assert set().union(*shares.values()) == {0, 1, 2}


def test_a_redelivered_copy_and_any_spelling_of_the_id_go_where_the_event_went() -> None:
    record = kafka_record(journey("surveyed")[0])
    household_id = uuid.UUID(_household_in(record))
    for spelling in (str(household_id).upper(), household_id.hex):
        respelt = replace(
            record, value=record.value.replace(str(household_id).encode(), spelling.encode())
        )
        assert share_of(respelt, 5) == share_of(record, 5)
    assert share_of(replace(record), 5) == share_of(record, 5)


def test_what_names_no_household_is_the_rebuilds_own() -> None:
    record = kafka_record(journey("surveyed")[0])
    assert share_of(replace(record, topic="finance.budgets"), 4) == 0
    assert share_of(replace(record, value=b'{"budget_id": "x"}'), 4) == 0
    assert share_of(replace(record, value=None), 4) == 0


async def test_a_share_applies_only_its_own_and_counts_them() -> None:
    records = kafka_records(
        [e for _ in range(30) for e in journey("approved", household=Household())]
    )
    taken: list[list[Any]] = []

    async def apply(own: list[Any]) -> None:
        taken.append(own)

    counts = [await share(apply, worker, 2)(records) for worker in (0, 1)]
    assert sum(counts) == len(records) and all(counts)
    assert sorted(r.offset for batch in taken for r in batch) == sorted(r.offset for r in records)


def _household_in(record: Any) -> str:
    return str(json.loads(record.value)["household_id"])


def test_by_default_a_rebuild_takes_the_cores_its_container_may_use(tmp_path: Path) -> None:
    cpu_max = tmp_path / "cpu.max"
    mine = len(os.sched_getaffinity(0))
    cpu_max.write_text("max 100000\n")
    assert usable_cores(cpu_max) == mine
    cpu_max.write_text("100000 100000\n")  # a pod limited to one CPU
    assert usable_cores(cpu_max) == 1
    cpu_max.write_text("50000 100000\n")  # half a CPU: still one process
    assert usable_cores(cpu_max) == 1
    cpu_max.write_text("250000 100000\n")
    assert usable_cores(cpu_max) == min(mine, 2)
    assert usable_cores(tmp_path / "absent") == mine  # no cgroup v2 limit


class _Heard:
    other_processes_memory = 0

    async def applied(self, events: int) -> None:
        pass


async def test_a_worker_that_fails_stops_the_rebuilds_own_share_at_its_next_batch() -> None:
    # A worker that cannot reach the broker fails at once; the rebuild's own share,
    # still folding, stops at its next batch instead of folding on for minutes.
    batches: list[int] = []

    async def apply(records: list[Any]) -> int:
        batches.append(len(records))
        return len(records)

    nowhere = "127.0.0.1:1"
    with pytest.raises(RuntimeError, match="rebuild worker processes failed") as failed:
        async with household_workers(
            "postgresql+asyncpg://nobody@127.0.0.1:1/nothing",
            nowhere,
            "reporting-rebuild-test",
            None,
            {},
            2,
            _Heard(),
            on_applied=lambda _n: None,
        ) as others:
            own_share = others.watching(apply)
            for _ in range(1_200):  # up to two minutes of batches, far more than needed
                await own_share([object()])
                await asyncio.sleep(0.1)
    assert "reporting-rebuild-1" in str(failed.value)
    assert 0 < len(batches) < 1_200  # raised by a batch, not after the share was done

"""What the rebuild tells Prometheus while it replays (the chart's BaanRebuildStalled
alert reads it): events replayed, and when it last made progress. No broker: a stand-in
consumer with two partitions of records."""

import time
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from reporting.rebuild.replay import _drain


@dataclass
class Record:
    offset: int


class StandInConsumer:
    def __init__(self, ends: dict[TopicPartition, int]) -> None:
        self.ends = ends
        self.positions = dict.fromkeys(ends, 0)

    def assignment(self) -> set[TopicPartition]:
        return set(self.ends)

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.ends[tp] for tp in partitions}

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    async def getmany(self, *partitions: TopicPartition, timeout_ms: int) -> dict[Any, Any]:
        batches = {}
        for tp in partitions:
            start = self.positions[tp]
            batches[tp] = [Record(o) for o in range(start, min(start + 3, self.ends[tp]))]
            self.positions[tp] = start + len(batches[tp])
        return batches

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        pass


def _sample(name: str) -> float:
    value = REGISTRY.get_sample_value(name)
    assert value is not None, name
    return value


@pytest.mark.parametrize("concurrently", [False, True])
async def test_the_rebuild_reports_its_progress(concurrently: bool) -> None:
    consumer = StandInConsumer(
        {TopicPartition("survey.households", 0): 5, TopicPartition("finance.grants", 1): 4}
    )
    applied: list[int] = []

    async def apply(records: list[Any]) -> None:
        applied.append(len(records))

    before = _sample("baan_rebuild_events_replayed_total")
    start = time.time()
    assert await _drain(consumer, apply, concurrently=concurrently) == 9
    assert sum(applied) == 9
    assert _sample("baan_rebuild_events_replayed_total") - before == 9
    assert _sample("baan_rebuild_last_progress_time_seconds") >= int(start)
    lag = REGISTRY.get_sample_value(
        "baan_consumer_lag",
        {"consumer": "reporting-rebuild", "topic": "survey.households", "partition": "0"},
    )
    assert lag == 0

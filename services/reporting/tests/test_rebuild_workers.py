"""How a large rebuild's catch-up shares the partitions among its worker processes."""

from aiokafka import TopicPartition

from reporting.rebuild.workers import split


def test_partitions_are_shared_by_records_none_twice_and_no_worker_empty() -> None:
    ends = {
        TopicPartition("survey.households", 0): 900,
        TopicPartition("survey.households", 1): 800,
        TopicPartition("construction.houses", 0): 700,
        TopicPartition("finance.grants", 0): 300,
        TopicPartition("welfare.funds", 0): 0,
    }
    shares = split(ends, 2)
    assert sorted(tp for share in shares for tp in share) == sorted(ends)
    assert sorted(sum(ends[tp] for tp in share) for share in shares) == [1200, 1500]
    # More workers than partitions: each gets one, none is started empty.
    assert len(split(dict(list(ends.items())[:2]), 4)) == 2

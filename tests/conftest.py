"""Cross-service fixtures: the whole platform, as processes, once per test session."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from platform_harness import Platform, start_platform
from trace_collector import TraceCollector

from baan_local.kafka import LocalKafka
from baan_local.postgres import LocalPostgres
from baan_shared.registry import SERVICE_NAMES


@pytest.fixture(scope="session")
def trace_collector() -> Iterator[TraceCollector]:
    """Where the platform's services send their spans (OTLP over HTTP)."""
    collector = TraceCollector()
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture(scope="session")
async def platform(
    kafka_broker: LocalKafka,
    postgres_server: LocalPostgres,
    trace_collector: TraceCollector,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    log_dir: Path = tmp_path_factory.mktemp("platform-logs")
    urls = {name: postgres_server.create_database(f"platform_{name}") for name in SERVICE_NAMES}
    running = start_platform(
        kafka_broker,
        urls,
        log_dir,
        OTEL_EXPORTER_OTLP_ENDPOINT=trace_collector.endpoint,
        OTEL_BSP_SCHEDULE_DELAY="200",  # export within a fraction of a second
    )
    try:
        await running.wait_ready()
        yield running
    finally:
        for process in running.services.values():
            process.stop()
        if not kafka_broker.is_running():
            kafka_broker.start()  # a delivery test may have left it stopped


# The acceptance tests put tens of thousands of households through the shared
# platform; construction and finance keep working through that backlog for minutes
# after the test has its figures. Run them last, so no other test of the shared
# platform waits behind their events.
_LAST = ("test_fy2562_acceptance.py", "test_canal_funnel.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name in _LAST)

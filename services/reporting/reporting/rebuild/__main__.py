"""``python -m reporting.rebuild``: replay every topic into fresh projections and swap
them in while the API keeps serving. Prints its progress on stderr every few seconds
(events done of the total, rate, time left, peak memory), which ``GET /v1/rebuilds``
also serves. Reads the service's settings (REPORTING_DATABASE_URL,
KAFKA_BOOTSTRAP_SERVERS)."""

import argparse
import asyncio
import json
import logging

from prometheus_client import start_http_server

from baan_shared.bus.security import KafkaSecurity
from reporting.rebuild.replay import rebuild
from reporting.settings import ReportingSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m reporting.rebuild", description=__doc__)
    parser.add_argument("--group-id", help="Kafka consumer group (default: a fresh one)")
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=0,
        help="serve Prometheus metrics (progress, lag) on this port while it runs",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help=(
            "processes to catch up in, a share of the households each "
            "(PostgreSQL; default: one per core, up to 4)"
        ),
    )
    args = parser.parse_args()
    if args.metrics_port:
        start_http_server(args.metrics_port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = ReportingSettings()
    result = asyncio.run(
        rebuild(
            settings.database_url,
            settings.kafka_bootstrap_servers,
            group_id=args.group_id,
            security=KafkaSecurity.from_settings(settings),
            workers=args.workers,
        )
    )
    print(
        json.dumps(
            {
                "group_id": result.group_id,
                "run_id": str(result.run_id),
                "events_replayed": result.events_replayed,
                "events_in_swap": result.events_in_swap,
                "seconds": round(result.seconds, 3),
                "workers": result.workers,
                "peak_memory_bytes": result.peak_memory_bytes,
            }
        )
    )


if __name__ == "__main__":
    main()

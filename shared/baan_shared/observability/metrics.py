"""Prometheus metrics of the messaging parts (HTTP metrics: ``http_metrics``)."""

from prometheus_client import Counter, Gauge

OUTBOX_PENDING = Gauge("baan_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_PENDING_SECONDS = Gauge(
    "baan_outbox_oldest_pending_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
OUTBOX_PUBLISHED = Counter("baan_outbox_published_total", "Outbox rows published", ["service"])
OUTBOX_PUBLISH_ERRORS = Counter(
    "baan_outbox_publish_errors_total", "Failed attempts to publish outbox rows", ["service"]
)
EVENTS_CONSUMED = Counter(
    "baan_events_consumed_total", "Events applied by a consumer", ["consumer", "type"]
)
EVENTS_DUPLICATE = Counter(
    "baan_events_duplicate_total", "Redelivered events skipped by the inbox", ["consumer"]
)
EVENTS_DEAD_LETTERED = Counter(
    "baan_events_dead_lettered_total", "Events sent to a dead-letter topic", ["consumer", "topic"]
)
CONSUMER_LAG = Gauge(
    "baan_consumer_lag", "Records behind the partition's end", ["consumer", "topic", "partition"]
)
LAST_EVENT_APPLIED = Gauge(
    "baan_consumer_last_event_time_seconds",
    "Event time (unix seconds) of the last event applied",
    ["consumer"],
)

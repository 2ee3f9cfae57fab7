"""One OpenTelemetry trace from the HTTP request through the outbox and Kafka to every consumer.

The hops:

- HTTP: OpenTelemetry's FastAPI instrumentation opens a server span, continuing
  the caller's ``traceparent`` when it sends one.
- Outbox: the writer stores the current span's ``traceparent`` with each row,
  inside the same transaction as the state change (the request may be long gone
  when the relay publishes it).
- Relay: opens a producer span under the stored context and sends *its*
  ``traceparent`` as a Kafka header (CloudEvents distributed-tracing extension).
- Consumer: opens a consumer span under the header's context around the handler,
  so the events the handler records carry the same trace on to the next service.

Spans are exported over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set, the standard OpenTelemetry
variables, so any collector works (Jaeger, Tempo, the OpenTelemetry Collector).
Without one, spans are still made: log lines carry their trace ids.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("baan")
_configured_for: str | None = None


def configure_tracing(service: str) -> None:
    """Install the process's tracer provider once, named after the service."""
    global _configured_for
    if _configured_for is not None:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"baan-{service}"}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    ):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured_for = service


def shutdown_tracing() -> None:
    """Flush spans still in the batch queue (on shutdown, so the last hop is not lost)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis=5000)


def traceparent_of(span: Span) -> str | None:
    context = span.get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def current_traceparent() -> str | None:
    """The active span's ``traceparent`` (None outside any span)."""
    return traceparent_of(trace.get_current_span())


def trace_id(traceparent: str | None) -> str | None:
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 else None


@contextmanager
def span_from(
    traceparent: str | None, name: str, kind: SpanKind, attributes: dict[str, str] | None = None
) -> Iterator[Span]:
    """A span continuing the trace in ``traceparent`` (a new trace when it is missing or bad)."""
    parent = _propagator.extract({"traceparent": traceparent} if traceparent else {})
    token = otel_context.attach(parent)
    try:
        with _tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span
    finally:
        otel_context.detach(token)


@lru_cache(maxsize=1024)
def _parent(traceparent: str | None) -> Context:
    # A context is immutable, and the rows of one request (a committee's thousand
    # approvals) share its traceparent: parse each once.
    return _propagator.extract({"traceparent": traceparent} if traceparent else {})


def child_span(
    traceparent: str | None, name: str, kind: SpanKind, attributes: dict[str, str] | None = None
) -> Span:
    """``span_from``'s span without making it current: for a loop that only hands the
    span's own ``traceparent`` on (the outbox relay's producer span per row), at about
    half the cost. Use it as a context manager (it ends on exit, recording an error)."""
    return _tracer.start_span(name, context=_parent(traceparent), kind=kind, attributes=attributes)

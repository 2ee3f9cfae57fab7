"""One approval is one trace: from survey's HTTP request through the outbox and
Kafka into construction, finance and reporting (issue 8)."""

import pytest
from platform_harness import Platform, eventually, household_body
from trace_collector import ReceivedSpan, TraceCollector

from baan_shared.observability.tracing import trace_id

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

SERVER, PRODUCER, CONSUMER = 2, 4, 5  # OTLP span kinds
CALLER_SPAN = "00f067aa0ba902b7"


async def test_the_trace_of_one_approval_crosses_every_service(
    platform: Platform, trace_collector: TraceCollector
) -> None:
    async with platform.client("survey") as survey:
        created = await survey.post("/v1/households", json=household_body(programme="CANAL"))
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]
        screened = await survey.post(
            f"/v1/households/{household_id}/screen", json={"decided_by": "คณะกรรมการ"}
        )
        assert screened.status_code == 200, screened.text
        # A partner's own trace: the platform continues it rather than starting another.
        caller = f"00-4bf92f3577b34da6a3ce929d0e0e4736-{CALLER_SPAN}-01"
        approved = await survey.post(
            f"/v1/households/{household_id}/approve",
            json={"decided_by": "คณะกรรมการ"},
            headers={"traceparent": caller},
        )
        assert approved.status_code == 200, approved.text
    the_trace = trace_id(caller)
    assert trace_id(approved.headers["traceparent"]) == the_trace

    wanted = {"baan-survey", "baan-construction", "baan-finance", "baan-reporting"}

    async def whole_trace() -> list[ReceivedSpan] | None:
        spans = trace_collector.trace(the_trace)
        consumers = {s.service for s in spans if s.kind == CONSUMER}
        ids = {s.span_id for s in spans}
        # Spans arrive in batches per process: wait until no parent is missing.
        complete = all(s.parent_span_id in ids or s.parent_span_id == CALLER_SPAN for s in spans)
        return spans if consumers >= wanted - {"baan-survey"} and complete else None

    spans = await eventually(whole_trace, timeout=60, what="spans from every service")

    assert {s.service for s in spans} >= wanted
    # The request itself (under the caller's span), and the relay publishing household.approved.
    roots = [s for s in spans if s.parent_span_id == CALLER_SPAN]
    assert [(r.service, r.kind) for r in roots] == [("baan-survey", SERVER)]
    assert any(s.service == "baan-survey" and s.kind == PRODUCER for s in spans)
    # Each consumer span hangs under a producer span: every hop went through Kafka.
    by_id = {s.span_id: s for s in spans}
    for consumer_span in (s for s in spans if s.kind == CONSUMER):
        assert by_id[consumer_span.parent_span_id].kind == PRODUCER

"""Committee decisions dated by their meeting, one at a time or a meeting's minutes at once."""

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from survey_factories import household_body, national_id

from baan_shared.clock import thai_today
from baan_testkit.outbox import outbox_rows, payload


async def _events(app: FastAPI, event_type: str | None = None) -> list[dict[str, Any]]:
    return [payload(row) for row in await outbox_rows(app, event_type)]


async def _register(client: httpx.AsyncClient, **overrides: object) -> str:
    response = await client.post("/v1/households", json=household_body(**overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _decide(
    client: httpx.AsyncClient, household_id: str, step: str, **body: object
) -> httpx.Response:
    return await client.post(
        f"/v1/households/{household_id}/{step}", json={"decided_by": "committee", **body}
    )


class TestMeetingDate:
    async def test_an_approval_at_a_past_meeting_carries_that_date_and_fiscal_year(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = await _register(client)
        await _decide(client, household_id, "screen", decided_on="2019-01-10")
        response = await _decide(client, household_id, "approve", decided_on="2019-03-15")
        assert response.status_code == 200, response.text
        assert response.json()["approved_at"].startswith("2019-03-15")
        assert response.json()["fiscal_year"] == 2562
        [event] = await _events(app, "household.approved")
        assert event["approved_at"].startswith("2019-03-15")
        assert event["fiscal_year"] == 2562
        history = (await client.get(f"/v1/households/{household_id}/history")).json()
        assert [h["decided_at"][:10] for h in history[1:]] == ["2019-01-10", "2019-03-15"]
        assert all(h["recorded_at"][:4] >= "2026" for h in history)

    async def test_the_fiscal_year_turns_on_the_first_of_october(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        before, after = await _register(client), await _register(client)
        for household_id, day in ((before, "2018-09-30"), (after, "2018-10-01")):
            await _decide(client, household_id, "screen")
            response = await _decide(
                client, household_id, "reject", reason="income above the limit", decided_on=day
            )
            assert response.status_code == 200, response.text
        events = await _events(app, "household.rejected")
        assert [(e["decided_at"][:10], e["fiscal_year"]) for e in events] == [
            ("2018-09-30", 2561),
            ("2018-10-01", 2562),
        ]

    async def test_a_meeting_in_the_future_is_refused_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = await _register(client)
        tomorrow = (thai_today() + timedelta(days=1)).isoformat()
        response = await _decide(client, household_id, "screen", decided_on=tomorrow)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["body.decided_on"]
        assert (await client.get(f"/v1/households/{household_id}")).json()["status"] == "surveyed"
        assert [e for e in await _events(app) if "decided_at" in e] == []

    async def test_without_a_date_the_decision_is_today(self, client: httpx.AsyncClient) -> None:
        household_id = await _register(client)
        await _decide(client, household_id, "screen")
        response = await _decide(client, household_id, "approve")
        assert response.json()["fiscal_year"] >= 2569


class TestReapproval:
    async def test_a_waitlisted_household_approved_again_publishes_household_approved_again(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = await _register(client)
        await _decide(client, household_id, "screen", decided_on="2019-01-10")
        await _decide(client, household_id, "approve", decided_on="2019-02-01")
        waitlisted = await _decide(client, household_id, "waitlist", reason="budget: FY spent")
        assert waitlisted.status_code == 200, waitlisted.text
        again = await _decide(client, household_id, "approve", decided_on="2019-11-05")
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "approved"
        assert again.json()["fiscal_year"] == 2563
        approvals = await _events(app, "household.approved")
        assert [(e["household_id"], e["fiscal_year"]) for e in approvals] == [
            (household_id, 2562),
            (household_id, 2563),
        ]
        history = (await client.get(f"/v1/households/{household_id}/history")).json()
        assert [h["to_status"] for h in history] == [
            "surveyed",
            "screened",
            "approved",
            "waitlisted",
            "approved",
        ]

    async def test_reapproval_is_still_blocked_by_another_approval_of_the_same_person(
        self, client: httpx.AsyncClient
    ) -> None:
        same = national_id(4242)
        first = await _register(client, national_id=same)
        await _decide(client, first, "screen")
        await _decide(client, first, "waitlist", reason="budget")
        second = await _register(client, national_id=same, programme="CANAL")
        await _decide(client, second, "screen")
        assert (await _decide(client, second, "approve")).status_code == 200
        response = await _decide(client, first, "approve")
        assert response.status_code == 409
        assert response.json()["duplicate_of"] == second


def _minutes(decisions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"decided_by": "คณะกรรมการชุมชน", "decided_on": "2019-03-15", **extra} | {
        "decisions": decisions
    }


class TestCommitteeMinutes:
    async def test_a_meeting_screens_and_approves_many_households_at_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        ids = [await _register(client) for _ in range(3)]
        rejected = await _register(client)
        decisions = [{"household_id": i, "decision": "screen"} for i in [*ids, rejected]]
        decisions += [{"household_id": i, "decision": "approve"} for i in ids]
        decisions += [{"household_id": rejected, "decision": "reject", "reason": "มีบ้านแล้ว"}]
        response = await client.post("/v1/household-decisions", json=_minutes(decisions))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["applied"] == 8
        assert {(i["household_id"], i["status"]) for i in body["items"]} == {
            *((i, "approved") for i in ids),
            (rejected, "rejected"),
        }
        approvals = await _events(app, "household.approved")
        assert sorted(e["household_id"] for e in approvals) == sorted(ids)
        assert {e["fiscal_year"] for e in approvals} == {2562}
        assert {e["approved_by"] for e in approvals} == {"คณะกรรมการชุมชน"}
        [rejection] = await _events(app, "household.rejected")
        assert rejection["reason"] == "มีบ้านแล้ว"
        assert rejection["decided_at"].startswith("2019-03-15")
        history = (await client.get(f"/v1/households/{ids[0]}/history")).json()
        assert [h["to_status"] for h in history] == ["surveyed", "screened", "approved"]

    async def test_one_bad_decision_stops_the_whole_meeting_and_every_one_is_listed(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fine = await _register(client)
        not_screened = await _register(client)
        unknown = "0190f5d2-0000-7000-8000-000000000000"
        before = await _events(app)
        response = await client.post(
            "/v1/household-decisions",
            json=_minutes(
                [
                    {"household_id": fine, "decision": "screen"},
                    {"household_id": not_screened, "decision": "approve"},
                    {"household_id": unknown, "decision": "screen"},
                ]
            ),
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        failures = response.json()["failures"]
        assert [(f["index"], f["household_id"]) for f in failures] == [
            (1, not_screened),
            (2, unknown),
        ]
        assert "surveyed household cannot become approved" in failures[0]["reason"]
        assert "does not exist" in failures[1]["reason"]
        assert (await client.get(f"/v1/households/{fine}")).json()["status"] == "surveyed"
        history = (await client.get(f"/v1/households/{fine}/history")).json()
        assert len(history) == 1
        assert await _events(app) == before

    async def test_two_approvals_of_the_same_person_in_one_meeting_are_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        same = national_id(777)
        first = await _register(client, national_id=same)
        second = await _register(client, national_id=same, programme="CANAL")
        decisions = [{"household_id": h, "decision": "screen"} for h in (first, second)]
        decisions += [{"household_id": h, "decision": "approve"} for h in (first, second)]
        response = await client.post("/v1/household-decisions", json=_minutes(decisions))
        assert response.status_code == 409
        [failure] = response.json()["failures"]
        assert (failure["index"], failure["duplicate_of"]) == (3, first)

    async def test_only_unknown_households_is_a_422_naming_each_item(
        self, client: httpx.AsyncClient
    ) -> None:
        unknown = "0190f5d2-0000-7000-8000-000000000000"
        response = await client.post(
            "/v1/household-decisions",
            json=_minutes([{"household_id": unknown, "decision": "screen"}]),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.decisions.0.household_id"

    async def test_invalid_items_are_named_by_their_position(
        self, client: httpx.AsyncClient
    ) -> None:
        household_id = await _register(client)
        response = await client.post(
            "/v1/household-decisions",
            json=_minutes(
                [
                    {"household_id": household_id, "decision": "screen"},
                    {"household_id": household_id, "decision": "reject"},
                    {"household_id": household_id, "decision": "promote"},
                ]
            ),
        )
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"body.decisions.1.reason", "body.decisions.2.decision"}

    async def test_a_meeting_may_not_list_more_than_a_thousand_decisions(
        self, client: httpx.AsyncClient
    ) -> None:
        item = {"household_id": "0190f5d2-0000-7000-8000-000000000000", "decision": "screen"}
        response = await client.post("/v1/household-decisions", json=_minutes([item] * 1001))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.decisions"]

    async def test_a_future_meeting_date_is_refused(self, client: httpx.AsyncClient) -> None:
        household_id = await _register(client)
        tomorrow = (thai_today() + timedelta(days=1)).isoformat()
        response = await client.post(
            "/v1/household-decisions",
            json=_minutes([{"household_id": household_id, "decision": "screen"}])
            | {"decided_on": tomorrow},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.decided_on"]

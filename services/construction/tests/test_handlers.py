"""``household.approved`` plans one house work per household, however often it arrives."""

from datetime import UTC, datetime

import httpx
from construction_factories import (
    approval_event,
    grant_rejected_event,
    household_approved,
    shared_house_fields,
)
from fastapi import FastAPI
from sqlmodel import select

from baan_shared.events import CloudEvent
from baan_shared.ids import new_id
from baan_shared.inbox import ProcessedEvent
from baan_testkit.delivery import deliver
from baan_testkit.events import kafka_record, replay
from baan_testkit.outbox import outbox_rows, payload


async def _house_works_of(client: httpx.AsyncClient, household_id: object) -> list[dict]:
    response = await client.get("/v1/house-works", params={"household_id": str(household_id)})
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


class TestHouseholdApproved:
    async def test_an_approved_household_gets_a_planned_house_work(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved(need="rebuild", estimated_cost_satang=14_700_000)
        await deliver(app, approval_event(data))

        [house] = await _house_works_of(client, data.household_id)
        assert house["status"] == "planned"
        assert house["progress_percent"] == 0
        assert house["work_type"] == "rebuild"
        assert house["estimated_cost_satang"] == 14_700_000
        assert house["programme"] == "BAAN_PHO_PHIANG"
        assert (house["province_code"], house["district_code"], house["subdistrict_code"]) == (
            "57",
            "5701",
            "570101",
        )
        assert house["fiscal_year"] == 2569
        assert house["household_size"] == 4
        assert house["planned_on"] == "2026-01-15"
        assert house["started_on"] is None
        assert house["actual_cost_satang"] is None

    async def test_planning_publishes_house_planned_with_the_shared_house_fields(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved(need="new_build")
        await deliver(app, approval_event(data))

        [house] = await _house_works_of(client, data.household_id)
        [row] = await outbox_rows(app)
        assert row.type == "house.planned"
        assert row.topic == "construction.houses"
        assert row.aggregateid == house["id"]
        assert row.source == "/services/construction"
        assert payload(row) == {**shared_house_fields(house), "work_type": "new_build"}

    async def test_the_households_community_is_kept_and_carried_on_its_events(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        community_id = new_id()
        data = household_approved(community_id=community_id)
        await deliver(app, approval_event(data))
        await deliver(app, approval_event(household_approved()))  # another community

        [house] = await _house_works_of(client, data.household_id)
        assert house["community_id"] == str(community_id)
        [planned] = [payload(r) for r in await outbox_rows(app) if r.aggregateid == house["id"]]
        assert (planned["community_id"], planned["project_id"]) == (str(community_id), None)
        listed = await client.get("/v1/house-works", params={"community_id": str(community_id)})
        assert [h["id"] for h in listed.json()["items"]] == [house["id"]]

    async def test_a_redelivered_approval_plans_nothing_new(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        event = approval_event()
        await deliver(app, event)
        await deliver(app, event)  # caught by the inbox
        await deliver(app, replay(event))  # the same facts under a new id: the handler's own

        assert len(await _house_works_of(client, event.data["household_id"])) == 1
        assert [r.type for r in await outbox_rows(app)] == ["house.planned"]

    async def test_a_second_approval_of_the_same_household_plans_nothing_new(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # Survey can approve a household again (waitlisted, then approved when budget returns).
        first = household_approved(estimated_cost_satang=2_000_000)
        again = first.model_copy(update={"estimated_cost_satang": 9_000_000})
        await deliver(app, approval_event(first))
        [planned] = await _house_works_of(client, first.household_id)

        await deliver(app, approval_event(again))

        assert await _house_works_of(client, first.household_id) == [planned]
        assert [r.type for r in await outbox_rows(app)] == ["house.planned"]

    async def test_each_household_gets_its_own_house_work(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await deliver(app, approval_event())
        await deliver(app, approval_event())
        assert len((await client.get("/v1/house-works")).json()["items"]) == 2

    async def test_an_approval_early_on_1_october_in_thailand_falls_in_the_new_fiscal_year(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # 01:00 on 1 Oct 2025 in Bangkok is still 30 Sep in UTC.
        data = household_approved(
            fiscal_year=None, approved_at=datetime(2025, 9, 30, 18, 0, tzinfo=UTC)
        )
        await deliver(app, approval_event(data))

        [house] = await _house_works_of(client, data.household_id)
        assert house["planned_on"] == "2025-10-01"
        assert house["fiscal_year"] == 2569


class TestThroughTheConsumer:
    async def test_a_redelivered_kafka_record_is_applied_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        consumer = app.state.runtime.consumer
        assert consumer is not None, "household.approved must be subscribed"
        event = approval_event()
        record = kafka_record(event)

        await consumer.handle_record(record)
        await consumer.handle_record(record)

        assert len(await _house_works_of(client, event.data["household_id"])) == 1
        async with app.state.runtime.session_factory() as session:
            inbox = list((await session.exec(select(ProcessedEvent))).all())
        assert [(r.event_id, r.consumer) for r in inbox] == [(event.id, "construction")]


APPROVED_AT = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)  # household_approved's default
REJECTED_AT = datetime(2026, 1, 15, 4, 0, tzinfo=UTC)  # finance answers an hour later
APPROVED_AGAIN_AT = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)  # budget returned


async def _through_the_consumer(app: FastAPI, event: CloudEvent) -> None:
    """Hand ``event`` to the real consumer as a Kafka record (inbox and all)."""
    await app.state.runtime.consumer.handle_record(kafka_record(event))


async def _house(client: httpx.AsyncClient, house_id: str) -> dict:
    response = await client.get(f"/v1/house-works/{house_id}")
    assert response.status_code == 200, response.text
    data: dict = response.json()
    return data


class TestGrantRejected:
    async def test_a_planned_work_goes_on_hold_for_budget_and_resumes_on_re_approval(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved()
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)

        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))

        held = await _house(client, house["id"])
        assert (held["status"], held["hold_reason"], held["held_from"]) == (
            "on_hold",
            "budget",
            "planned",
        )
        assert held["held_on"] == "2026-01-15"
        assert held["grant_rejection"] == "the programme's budget for the area is used up"
        # A build team cannot move a held work on.
        refused = await client.post(
            f"/v1/house-works/{house['id']}/ready", json={"reported_by": "ทีมช่าง"}
        )
        assert refused.status_code == 409
        assert refused.json()["current_status"] == "on_hold"

        await deliver(
            app, approval_event(data.model_copy(update={"approved_at": APPROVED_AGAIN_AT}))
        )

        [resumed] = await _house_works_of(client, data.household_id)
        assert resumed["id"] == house["id"]
        assert (resumed["status"], resumed["hold_reason"], resumed["grant_rejected_at"]) == (
            "planned",
            None,
            None,
        )
        history = (await client.get(f"/v1/house-works/{house['id']}/history")).json()
        assert [(h["from_status"], h["to_status"], h["reason"]) for h in history] == [
            (None, "planned", "household approved"),
            ("planned", "on_hold", "budget: the programme's budget for the area is used up"),
            ("on_hold", "planned", "household approved again"),
        ]
        assert [r.type for r in await outbox_rows(app)] == ["house.planned"]

    async def test_a_ready_work_resumes_ready(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved()
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)
        await client.post(f"/v1/house-works/{house['id']}/ready", json={"reported_by": "ทีม"})
        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))
        assert (await _house(client, house["id"]))["held_from"] == "ready_to_build"

        await deliver(
            app, approval_event(data.model_copy(update={"approved_at": APPROVED_AGAIN_AT}))
        )

        assert (await _house(client, house["id"]))["status"] == "ready_to_build"

    async def test_a_work_under_construction_keeps_going_with_the_rejection_flagged(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved()
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)
        for action in ("ready", "start"):
            response = await client.post(
                f"/v1/house-works/{house['id']}/{action}", json={"reported_by": "ทีม"}
            )
            assert response.status_code == 200, response.text

        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))

        flagged = await _house(client, house["id"])
        assert (flagged["status"], flagged["hold_reason"]) == ("under_construction", None)
        assert flagged["grant_rejected_at"] is not None
        progress = await client.post(
            f"/v1/house-works/{house['id']}/progress",
            json={"reported_by": "ช่าง", "milestone": "repaired"},
        )
        assert progress.status_code == 200, progress.text

        await deliver(
            app, approval_event(data.model_copy(update={"approved_at": APPROVED_AGAIN_AT}))
        )
        assert (await _house(client, house["id"]))["grant_rejected_at"] is None

    async def test_a_redelivered_rejection_or_approval_changes_nothing_more(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved()
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)
        rejection = grant_rejected_event(data.household_id, at=REJECTED_AT)
        again = approval_event(data.model_copy(update={"approved_at": APPROVED_AGAIN_AT}))

        for event in (rejection, rejection, again, again, rejection):
            await _through_the_consumer(app, event)

        assert (await _house(client, house["id"]))["status"] == "planned"
        history = (await client.get(f"/v1/house-works/{house['id']}/history")).json()
        assert [h["to_status"] for h in history] == ["planned", "on_hold", "planned"]
        assert len(await _house_works_of(client, data.household_id)) == 1

    async def test_a_stale_rejection_after_the_re_approval_holds_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # Topics are not ordered against each other: the re-approval may come first.
        data = household_approved()
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)
        await deliver(
            app, approval_event(data.model_copy(update={"approved_at": APPROVED_AGAIN_AT}))
        )

        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))

        assert (await _house(client, house["id"]))["status"] == "planned"

    async def test_a_rejection_arriving_before_its_approval_holds_the_work_once_planned(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved()
        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))
        assert await _house_works_of(client, data.household_id) == []

        await deliver(app, approval_event(data))

        [house] = await _house_works_of(client, data.household_id)
        assert (house["status"], house["hold_reason"]) == ("on_hold", "budget")
        assert [r.type for r in await outbox_rows(app)] == ["house.planned"]

    async def test_a_held_work_can_still_be_cancelled(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved()
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)
        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))

        response = await client.post(
            f"/v1/house-works/{house['id']}/cancel",
            json={"reported_by": "คณะกรรมการ", "reason": "ย้ายออกจากพื้นที่"},
        )

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"

    async def test_an_approval_time_without_an_offset_is_read_as_utc(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        data = household_approved(approved_at=APPROVED_AT.replace(tzinfo=None))
        await deliver(app, approval_event(data))
        [house] = await _house_works_of(client, data.household_id)

        await deliver(app, grant_rejected_event(data.household_id, at=REJECTED_AT))

        assert (await _house(client, house["id"]))["status"] == "on_hold"
        # And when the rejection came first, waiting for the approval.
        early = household_approved(approved_at=APPROVED_AT.replace(tzinfo=None))
        await deliver(app, grant_rejected_event(early.household_id, at=REJECTED_AT))
        await deliver(app, approval_event(early))
        [held] = await _house_works_of(client, early.household_id)
        assert held["status"] == "on_hold"

"""``household.approved`` plans one house work per household, however often it arrives."""

from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
from construction_factories import (
    approval_event,
    deliver,
    household_approved,
    outbox,
    payload,
    shared_house_fields,
)
from fastapi import FastAPI
from sqlmodel import select

from baan_shared.ids import new_id
from baan_shared.inbox import ProcessedEvent


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
        [row] = await outbox(app)
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
        [planned] = [payload(r) for r in await outbox(app) if r.aggregateid == house["id"]]
        assert (planned["community_id"], planned["project_id"]) == (str(community_id), None)
        listed = await client.get("/v1/house-works", params={"community_id": str(community_id)})
        assert [h["id"] for h in listed.json()["items"]] == [house["id"]]

    async def test_a_redelivered_approval_plans_nothing_new(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        event = approval_event()
        await deliver(app, event)
        await deliver(app, event)

        assert len(await _house_works_of(client, event.data["household_id"])) == 1
        assert [r.type for r in await outbox(app)] == ["house.planned"]

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
        assert [r.type for r in await outbox(app)] == ["house.planned"]

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
        key, value, headers = event.to_kafka()
        record = SimpleNamespace(
            topic="survey.households", partition=0, offset=7, key=key, value=value, headers=headers
        )

        await consumer.handle_record(record)
        await consumer.handle_record(record)

        assert len(await _house_works_of(client, event.data["household_id"])) == 1
        async with app.state.runtime.session_factory() as session:
            inbox = list((await session.exec(select(ProcessedEvent))).all())
        assert [(r.event_id, r.consumer) for r in inbox] == [(event.id, "construction")]

"""Labour (ร่วมแรง): person-days per house, summed into house.completed."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from construction_factories import UNKNOWN_ID, plan_house, post, under_construction
from fastapi import FastAPI

from baan_shared.clock import thai_today as today
from baan_testkit.outbox import outbox_rows, payload


def today_utc() -> datetime:
    return datetime.now(UTC)


async def _record(
    client: httpx.AsyncClient, house_id: str, kind: str, person_days: int, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/house-works/{house_id}/labour",
        json={"kind": kind, "person_days": person_days, "reported_by": "ช่างชุมชน", **extra},
    )


async def _labour(client: httpx.AsyncClient, house_id: str) -> dict[str, Any]:
    summary: dict[str, Any] = (await client.get(f"/v1/house-works/{house_id}/labour")).json()
    return summary


class TestRecording:
    async def test_household_and_community_days_are_summed_separately_and_together(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client)
        for kind, days in [("household", 6), ("community", 10), ("community", 4)]:
            assert (await _record(client, house_id, kind, days)).status_code == 201

        summary = await _labour(client, house_id)

        assert (summary["household_days"], summary["community_days"], summary["total_days"]) == (
            6,
            14,
            20,
        )
        assert [e["person_days"] for e in summary["entries"]] == [6, 10, 4]
        assert {e["worked_on"] for e in summary["entries"]} == {today().isoformat()}

    async def test_labour_before_construction_starts_counts_too(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await plan_house(app, approved_at=today_utc())
        assert (await _record(client, house_id, "community", 3)).status_code == 201
        assert (await _labour(client, house_id))["total_days"] == 3

    async def test_completion_reports_the_recorded_labour_days(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client)
        await _record(client, house_id, "household", 12)
        await _record(client, house_id, "community", 30)

        done = await post(client, house_id, "complete", inspected_by="คณะกรรมการ")

        assert done["labour_days"] == 42
        [completed] = [payload(r) for r in await outbox_rows(app) if r.type == "house.completed"]
        assert completed["labour_days"] == 42

    async def test_a_completion_figure_that_disagrees_with_the_record_is_422(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client)
        await _record(client, house_id, "community", 30)

        response = await client.post(
            f"/v1/house-works/{house_id}/complete",
            json={"inspected_by": "คณะกรรมการ", "labour_days": 29},
        )

        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.labour_days"]
        house = (await client.get(f"/v1/house-works/{house_id}")).json()
        assert house["status"] == "under_construction"
        assert "house.completed" not in [r.type for r in await outbox_rows(app)]

    async def test_without_a_record_the_completion_figure_stands(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client)
        done = await post(client, house_id, "complete", inspected_by="คณะกรรมการ", labour_days=9)
        assert done["labour_days"] == 9


class TestRefused:
    async def test_labour_on_a_completed_house_is_409_and_changes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client)
        await _record(client, house_id, "community", 5)
        await post(client, house_id, "complete", inspected_by="คณะกรรมการ")

        response = await _record(client, house_id, "community", 5)

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert (await _labour(client, house_id))["total_days"] == 5

    async def test_invalid_entries_are_422_naming_each_field(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id = await under_construction(app, client)
        tomorrow = (today() + timedelta(days=1)).isoformat()
        response = await _record(client, house_id, "volunteer", 0, worked_on=tomorrow)
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {
            "body.kind",
            "body.person_days",
            "body.worked_on",
        }
        early = await _record(client, house_id, "household", 2, worked_on="2020-01-01")
        assert [e["field"] for e in early.json()["errors"]] == ["body.worked_on"]
        assert (await _labour(client, house_id))["entries"] == []

    async def test_an_unknown_house_is_404(self, client: httpx.AsyncClient) -> None:
        assert (await _record(client, UNKNOWN_ID, "household", 1)).status_code == 404
        assert (await client.get(f"/v1/house-works/{UNKNOWN_ID}/labour")).status_code == 404

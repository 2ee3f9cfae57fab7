"""The national long-term targets (issue 18): the rural programme's 5-year 352,000
households and the 20-year master plan's 1,050,000 by FY 2579 (DOMAIN.md, seeds 000
and 003), set through the API with every version kept, and plan against target
against reached in /v1/reports/long-term-targets and its export. On SQLite and on
PostgreSQL."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_factories import (
    MASTER_PLAN,
    RURAL_5_YEAR,
    Household,
    apply_events,
    journey,
    plan_line,
    tambon_plan,
)

from baan_shared.events import CloudEvent, EventData
from baan_shared.events.catalog import TambonPlanSuperseded
from baan_shared.ids import new_id
from baan_testkit.events import cloud_event

RUN_ON_BOTH_DATABASES = True
"""Every test here on SQLite and on PostgreSQL (conftest.py)."""


async def put(client: httpx.AsyncClient, code: str, body: dict[str, Any]) -> httpx.Response:
    return await client.put(f"/v1/long-term-targets/{code}", json=body)


async def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def plan_event(fiscal_year: int, households: int) -> CloudEvent:
    """An adopted Chiang Rai tambon plan with one line in ``fiscal_year``."""
    return _survey_event(
        tambon_plan(plan_line(fiscal_year, households), adopted_on=date(2017, 9, 1))
    )


def _survey_event(data: EventData) -> CloudEvent:
    return cloud_event(data, time=datetime(2017, 9, 2, tzinfo=UTC))


def superseded(old: CloudEvent) -> CloudEvent:
    return _survey_event(
        TambonPlanSuperseded(
            plan_id=old.data["plan_id"],
            province_code="57",
            district_code="5701",
            subdistrict_code="570101",
            superseded_by_plan_id=new_id(),
            superseded_on=date(2018, 1, 10),
        )
    )


def record(programme: str, year: int, kind: str, key: str, **reached: int) -> dict[str, Any]:
    return {
        "programme": programme,
        "fiscal_year": year,
        "place_kind": kind,
        "place_key": key,
        "source": "รายงานประจำปี",
        **reached,
    }


class TestSettingTargets:
    async def test_each_change_is_a_new_version_and_the_old_ones_are_kept(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await ok(await put(client, "rural-5-year", RURAL_5_YEAR))
        assert (first["version"], first["households"]) == (1, 352_000)
        assert first["set_by"] == "baan-national"  # the client that set it
        again = await ok(await put(client, "rural-5-year", RURAL_5_YEAR))
        assert again == first  # the version in force sent again changes nothing
        changed = await ok(
            await put(client, "rural-5-year", {**RURAL_5_YEAR, "households": 360_000})
        )
        assert changed["version"] == 2
        await ok(await put(client, "master-plan-20-year", MASTER_PLAN))

        history = await ok(await client.get("/v1/long-term-targets/rural-5-year/history"))
        assert [(v["version"], v["households"]) for v in history["versions"]] == [
            (2, 360_000),
            (1, 352_000),
        ]
        in_force = (await ok(await client.get("/v1/long-term-targets")))["items"]
        assert [(t["code"], t["version"], t["households"]) for t in in_force] == [
            ("master-plan-20-year", 1, 1_050_000),
            ("rural-5-year", 2, 360_000),
        ]
        assert in_force[0]["programmes"] == []
        assert in_force[1]["programmes"] == ["BAAN_PHO_PHIANG"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"last_fiscal_year": 2559}, "body.last_fiscal_year"),  # ends before it starts
            ({"last_fiscal_year": 2600}, "body.last_fiscal_year"),  # more than 30 years
            ({"households": -1}, "body.households"),
            ({"households": 0}, "body.households"),
            ({"programmes": ["BAAN_PHO_PHIANG", "BAAN_PHO_PHIANG"]}, "body.programmes.1"),
            ({"programmes": ["NO_SUCH_PROGRAMME"]}, "body.programmes.0"),
            ({"first_fiscal_year": 1999}, "body.first_fiscal_year"),
        ],
    )
    async def test_a_bad_target_is_422_naming_the_field_and_changes_nothing(
        self, client: httpx.AsyncClient, change: dict[str, Any], field: str
    ) -> None:
        await ok(await put(client, "rural-5-year", RURAL_5_YEAR))
        response = await put(client, "rural-5-year", {**RURAL_5_YEAR, **change})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]
        history = await ok(await client.get("/v1/long-term-targets/rural-5-year/history"))
        assert [v["households"] for v in history["versions"]] == [352_000]

    async def test_a_code_that_is_not_a_code_is_422(self, client: httpx.AsyncClient) -> None:
        response = await put(client, "Rural Target!", RURAL_5_YEAR)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["path.code"]

    async def test_an_unknown_target_has_no_history(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/long-term-targets/no-such-target/history")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_client_bound_to_areas_neither_sets_nor_sees_the_countrys_targets(
        self, client: httpx.AsyncClient, chiang_rai_client: httpx.AsyncClient
    ) -> None:
        refused = await put(chiang_rai_client, "rural-5-year", RURAL_5_YEAR)
        assert refused.status_code == 403
        assert (await client.get("/v1/long-term-targets")).json()["items"] == []
        await ok(await put(client, "rural-5-year", RURAL_5_YEAR))
        assert (await chiang_rai_client.get("/v1/long-term-targets")).json()["items"] == []
        history = await chiang_rai_client.get("/v1/long-term-targets/rural-5-year/history")
        unknown = await chiang_rai_client.get("/v1/long-term-targets/no-such-target/history")
        assert history.status_code == unknown.status_code == 404
        assert history.json()["detail"].replace("rural-5-year", "X") == unknown.json()[
            "detail"
        ].replace("no-such-target", "X")
        report = await ok(await chiang_rai_client.get("/v1/reports/long-term-targets"))
        assert report["rows"] == []


class TestProgress:
    async def _world(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        """Rural plans in FY 2561 (one superseded), history from FY 2559 to 2562, and
        one house the platform saw completed in FY 2562."""
        kept, replaced = plan_event(2561, 30), plan_event(2561, 99)
        await apply_events(app, [kept, replaced, superseded(replaced), plan_event(2570, 5)])
        await apply_events(
            app,
            journey(
                "completed",
                household=Household(fiscal_year=2562),
                start=datetime(2019, 1, 7, 2, 0, tzinfo=UTC),  # FY 2562
            ),
        )
        records = [
            record("BAAN_PHO_PHIANG", 2559, "subdistrict", "570102", households=500),  # before
            record("BAAN_PHO_PHIANG", 2560, "subdistrict", "570101", households=100),
            record("BAAN_PHO_PHIANG", 2562, "subdistrict", "570103", households=40),
            record("BAAN_MANKONG", 2561, "community", "ชุมชนริมน้ำ", households=60),
            record("HOMELESS", 2561, "centre", "ศูนย์ขอนแก่น", persons=20),
        ]
        await ok(await client.put("/v1/historical-achievements", json={"items": records}))
        await ok(await put(client, "rural-5-year", RURAL_5_YEAR))
        await ok(await put(client, "master-plan-20-year", MASTER_PLAN))

    async def test_plan_against_target_against_reached_per_target_and_year(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await self._world(app, client)
        report = await ok(await client.get("/v1/reports/long-term-targets"))
        rows = {row["target"]["code"]: row for row in report["rows"]}

        rural = rows["rural-5-year"]
        # The superseded plan and the record of FY 2559 do not count; the house does.
        assert (rural["planned"], rural["reached"]) == (30, 100 + 40 + 1)
        assert rural["remaining"] == 352_000 - 141
        assert rural["reached_percent_of_target"] == 0.0  # 141 of 352,000
        assert [(y["fiscal_year"], y["planned"], y["reached"], y["reached_to_date"])
                for y in rural["years"]] == [
            (2560, 0, 100, 100),
            (2561, 30, 0, 100),
            (2562, 0, 41, 141),
            (2563, 0, 0, 141),
            (2564, 0, 0, 141),
        ]  # fmt: skip

        master = rows["master-plan-20-year"]
        # Every programme: urban communities' households and the homeless centre's
        # persons too, and the plan for FY 2570.
        assert (master["planned"], master["reached"]) == (35, 141 + 60 + 20)
        assert len(master["years"]) == 20
        assert master["years"][-1]["reached_to_date"] == 221

        only = await ok(
            await client.get("/v1/reports/long-term-targets", params={"code": "rural-5-year"})
        )
        assert [row["target"]["code"] for row in only["rows"]] == ["rural-5-year"]

    async def test_reached_is_what_the_cumulative_report_counts_over_the_span(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await self._world(app, client)
        report = await ok(await client.get("/v1/reports/long-term-targets"))
        cumulative = await ok(
            await client.get("/v1/reports/cumulative", params={"from_year": 2560, "to_year": 2579})
        )
        master = next(r for r in report["rows"] if r["target"]["code"] == "master-plan-20-year")
        assert master["reached"] == cumulative["total"]

    async def test_a_changed_target_is_measured_as_changed(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await self._world(app, client)
        await ok(await put(client, "rural-5-year", {**RURAL_5_YEAR, "households": 141}))
        rural = (
            await ok(
                await client.get("/v1/reports/long-term-targets", params={"code": "rural-5-year"})
            )
        )["rows"][0]
        assert (rural["target"]["version"], rural["reached_percent_of_target"]) == (2, 100.0)
        assert rural["remaining"] == 0

    async def test_the_export_has_each_year_and_the_span_against_the_target(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await self._world(app, client)
        response = await client.get(
            "/v1/reports/long-term-targets/export", params={"code": "rural-5-year"}
        )
        assert response.status_code == 200, response.text
        lines = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
        data = [line for line in lines if line and line[0] == "rural-5-year"]
        assert [line[2] for line in data] == ["2560", "2561", "2562", "2563", "2564", "2560-2564"]
        assert data[-1][3:6] == ["352000", "30", "141"]
        xlsx = await client.get("/v1/reports/long-term-targets/export", params={"format": "xlsx"})
        assert xlsx.status_code == 200
        assert xlsx.content[:2] == b"PK"

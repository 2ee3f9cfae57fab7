"""Revolving funds in the money report: each fund's balance is finance's balance after
its latest movement (the highest sequence), summed per area, whatever order or how
many times the events arrive; an area-bound caller sees only its areas' funds."""

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reporting_auth import NATIONAL_SCOPES
from reporting_factories import apply_events

from baan_shared.bus.consumer import EventConsumer
from baan_shared.events import CloudEvent
from baan_shared.events.catalog import RevolvingFundBalanceChanged, RevolvingFundOpened
from baan_shared.ids import new_id
from baan_testkit.events import cloud_event, kafka_records, replay
from reporting import SERVICE_NAME
from reporting.handlers import SUBSCRIPTIONS

BAHT = 100  # satang
OPENED_AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, database_url: Callable[[], str]
) -> Callable[[], str]:
    """Each test on SQLite and on PostgreSQL: the projector's conditional upsert is
    written per dialect."""
    if request.param == "sqlite":
        return database_url
    make_database = request.getfixturevalue("make_postgres_database")
    return lambda: str(make_database("reporting"))


class Fund:
    """One fund as finance would publish it: opened, then each movement in sequence."""

    def __init__(
        self,
        *,
        province_code: str = "57",
        subdistrict_code: str | None = "570101",
        programme: str | None = None,
    ) -> None:
        self.id = new_id()
        self.facts: dict[str, Any] = {
            "revolving_fund_id": self.id,
            "scope": "subdistrict" if subdistrict_code else "community",
            "code": subdistrict_code or f"{province_code}-COMMUNITY",
            "name": "กองทุนหมุนเวียน",
            "province_code": province_code,
            "district_code": subdistrict_code[:4] if subdistrict_code else None,
            "subdistrict_code": subdistrict_code,
            "programme": programme,
        }
        self.balance = self.in_ = self.out = 0
        self.sequence = 0

    def _event(self, data: Any) -> CloudEvent:
        return cloud_event(data, time=OPENED_AT + timedelta(hours=self.sequence))

    def _totals(self) -> dict[str, int]:
        return {
            "sequence": self.sequence,
            "balance_satang": self.balance,
            "in_satang": self.in_,
            "out_satang": self.out,
        }

    def opened(self) -> CloudEvent:
        return self._event(RevolvingFundOpened(**self.facts, **self._totals(), opened_at=OPENED_AT))

    def moved(self, kind: str, change: int) -> CloudEvent:
        self.sequence += 1
        self.balance += change
        if change > 0:
            self.in_ += change
        else:
            self.out -= change
        data = RevolvingFundBalanceChanged(
            **self.facts,
            **self._totals(),
            movement_id=new_id(),
            kind=kind,
            amount_satang=abs(change),
            change_satang=change,
            loan_id=None if kind == "deposit" else new_id(),
            reference=f"REF-{self.sequence}",
            recorded_at=OPENED_AT + timedelta(hours=self.sequence),
        )
        return self._event(data)

    def story(self) -> list[CloudEvent]:
        """Seeded with 50,000 THB, lends 20,000, gets 3,000 back: 33,000 THB held."""
        return [
            self.opened(),
            self.moved("deposit", 50_000 * BAHT),
            self.moved("loan", -20_000 * BAHT),
            self.moved("repayment", 3_000 * BAHT),
        ]


async def money(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/reports/money", params=params)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def balances(report: dict[str, Any]) -> dict[str | None, int]:
    return {
        row["area_code"]: row["revolving_fund_balance_satang"] for row in report["revolving_funds"]
    }


class TestBalances:
    async def test_a_funds_balance_is_its_latest_balance_after(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = Fund()
        await apply_events(app, fund.story())
        report = await money(client, level="subdistrict", province_code="57")
        [row] = report["revolving_funds"]
        assert (row["area_code"], row["revolving_funds"]) == ("570101", 1)
        assert row["revolving_fund_balance_satang"] == 33_000 * BAHT
        assert (row["revolving_fund_in_satang"], row["revolving_fund_out_satang"]) == (
            53_000 * BAHT,
            20_000 * BAHT,
        )
        total = report["revolving_funds_total"]
        assert (total["area_level"], total["area_code"]) == ("province", "57")
        assert total["revolving_fund_balance_satang"] == 33_000 * BAHT

    async def test_an_opened_fund_with_no_movement_shows_with_nothing_in_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, [Fund().opened()])
        [row] = (await money(client, level="province"))["revolving_funds"]
        assert (row["area_code"], row["revolving_funds"]) == ("57", 1)
        assert row["revolving_fund_balance_satang"] == 0

    async def test_funds_roll_up_to_their_province_and_region(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        wiang, other_tambon, bangkok = (
            Fund(),
            Fund(subdistrict_code="570102"),
            Fund(province_code="10", subdistrict_code="103801"),
        )
        await apply_events(app, [*wiang.story(), *other_tambon.story(), *bangkok.story()])
        await apply_events(app, [other_tambon.moved("loan", -10_000 * BAHT)])
        regions = await money(client, level="region")
        assert balances(regions) == {"N": 56_000 * BAHT, "BVE": 33_000 * BAHT}
        assert regions["revolving_funds_total"]["area_code"] == "TH"
        assert regions["revolving_funds_total"]["revolving_funds"] == 3
        assert regions["revolving_funds_total"]["revolving_fund_balance_satang"] == 89_000 * BAHT
        north = await money(client, level="province", region="N")
        assert balances(north) == {"57": 56_000 * BAHT}

    async def test_a_community_fund_has_no_sub_district_row_but_counts_in_its_province(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        community = Fund(subdistrict_code=None)
        await apply_events(app, community.story())
        report = await money(client, level="district", province_code="57")
        assert balances(report) == {None: 33_000 * BAHT}
        assert report["revolving_funds_total"]["revolving_fund_balance_satang"] == 33_000 * BAHT

    async def test_a_programme_filter_leaves_out_funds_of_another_programme_only(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        rural = Fund(programme="BAAN_PHO_PHIANG")
        shared = Fund(subdistrict_code="570102")
        canal = Fund(subdistrict_code="570103", programme="CANAL")
        await apply_events(app, [*rural.story(), *shared.story(), *canal.story()])
        report = await money(client, level="province", programme="BAAN_PHO_PHIANG")
        assert report["revolving_funds_total"]["revolving_funds"] == 2
        assert balances(report) == {"57": 66_000 * BAHT}


class TestRedeliveryNeverDoubleCounts:
    async def test_the_same_movements_again_change_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = Fund()
        story = fund.story()
        await apply_events(app, story)
        await apply_events(app, [replay(event) for event in story])
        report = await money(client, level="province")
        assert balances(report) == {"57": 33_000 * BAHT}
        assert report["revolving_funds_total"]["revolving_funds"] == 1

    async def test_an_older_movement_arriving_late_does_not_wind_the_balance_back(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = Fund()
        opened, deposit, loan, repayment = fund.story()
        # The loan's event was dead-lettered and replayed after the repayment's.
        await apply_events(app, [opened, deposit, repayment, replay(loan), replay(opened)])
        [row] = (await money(client, level="province"))["revolving_funds"]
        assert row["revolving_fund_balance_satang"] == 33_000 * BAHT
        assert row["revolving_fund_out_satang"] == 20_000 * BAHT

    async def test_a_batch_gives_the_same_balance_as_one_event_at_a_time(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        fund = Fund()
        story = fund.story()
        consumer = EventConsumer(
            name=SERVICE_NAME,
            bootstrap_servers="unused:9092",
            subscriptions=SUBSCRIPTIONS,
            session_factory=app.state.runtime.session_factory,
        )
        # One partition's poll, holding the stream twice over (a re-publish).
        assert await consumer.apply_batch(kafka_records([*story, *(replay(e) for e in story)]))
        [row] = (await money(client, level="province"))["revolving_funds"]
        assert row["revolving_fund_balance_satang"] == 33_000 * BAHT
        freshness = (await client.get("/v1/reports/freshness")).json()
        assert "finance.revolving_funds" in {s["stream"] for s in freshness["streams"]}


class TestAreas:
    async def test_a_provincial_office_sees_its_own_funds_only(
        self, app: FastAPI, chiang_rai_client: httpx.AsyncClient
    ) -> None:
        await apply_events(
            app, [*Fund().story(), *Fund(province_code="10", subdistrict_code="103801").story()]
        )
        report = await money(chiang_rai_client, level="province")
        assert balances(report) == {"57": 33_000 * BAHT}
        assert report["revolving_funds_total"]["revolving_fund_balance_satang"] == 33_000 * BAHT

    async def test_a_district_office_sees_its_tambons_funds_not_a_community_fund_it_cannot_place(
        self, app: FastAPI, client_for: Any
    ) -> None:
        await apply_events(
            app,
            [
                *Fund().story(),  # 570101, in district 5701
                *Fund(subdistrict_code="570201").story(),  # another district
                *Fund(subdistrict_code=None).story(),  # names province 57 only
            ],
        )
        async with client_for("mueang-chiang-rai", NATIONAL_SCOPES, ["5701"]) as district:
            report = await money(district, level="subdistrict")
        assert balances(report) == {"570101": 33_000 * BAHT}
        assert report["revolving_funds_total"]["revolving_funds"] == 1


class TestExport:
    async def test_the_export_lists_the_funds_balance_per_area(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await apply_events(app, Fund().story())
        response = await client.get("/v1/reports/money/export", params={"level": "province"})
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        balance = "ยอดคงเหลือกองทุนหมุนเวียน (สตางค์) / Revolving fund balance (satang)"
        funds = [r for r in rows if r[balance]]
        assert [(r["รหัสพื้นที่ / Area code"], r[balance]) for r in funds] == [
            ("57", str(33_000 * BAHT)),
            ("TH", str(33_000 * BAHT)),
        ]

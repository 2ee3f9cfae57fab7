"""A household's grant from approval to the last tranche, driven by the events finance consumes."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_auth import national_headers
from finance_factories import (
    CANAL_GRANT_SATANG,
    FUNDED_PROGRAMMES,
    NATIONAL_BUDGET_SATANG,
    construction_started,
    fund_nationally,
    grant_events,
    house_completed,
    household_approved,
    milestone_reached,
)

from baan_shared.events import topics
from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.events import kafka_record, replay
from baan_testkit.outbox import outbox_events
from finance.grants.tranches import COMPLETED, CONSTRUCTION_STARTED, MILESTONE_REACHED, TrancheRule
from finance.main import create_app
from finance.settings import FinanceSettings

# Every programme's national budget lands in cash when the ``funded`` fixture allocates it.
FUNDED = NATIONAL_BUDGET_SATANG * len(FUNDED_PROGRAMMES)


async def balanced(client: httpx.AsyncClient) -> dict[str, Any]:
    """The trial balance, asserting double entry held."""
    response = await client.get("/v1/ledger/trial-balance")
    assert response.status_code == 200
    trial = response.json()
    assert trial["debit_satang"] == trial["credit_satang"]
    assert trial["balanced"] is True
    assert sum(a["debit_satang"] for a in trial["accounts"]) == trial["debit_satang"]
    return trial


def balances(trial: dict[str, Any]) -> dict[str, int]:
    return {a["code"]: a["balance_satang"] for a in trial["accounts"]}


async def household_grant(client: httpx.AsyncClient, household_id: uuid.UUID) -> dict[str, Any]:
    response = await client.get(f"/v1/grants/by-household/{household_id}")
    assert response.status_code == 200, response.text
    return response.json()


pytestmark = pytest.mark.usefixtures("funded")


class TestApproval:
    async def test_a_canal_household_is_granted_147000_baht_and_the_commitment_is_booked(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id, estimated_cost_satang=30_000_000))

        grant = await household_grant(client, household_id)
        assert grant["entitled_satang"] == CANAL_GRANT_SATANG == 14_700_000
        assert grant["disbursed_satang"] == 0
        assert grant["outstanding_satang"] == 14_700_000
        assert grant["status"] == "approved"
        assert grant["disbursements"] == []

        trial = await balanced(client)
        assert balances(trial) == {
            "budget_appropriations": FUNDED,
            "cash": FUNDED,
            "grant_expense": 14_700_000,
            "grants_payable": 14_700_000,
        }

        [approved] = await grant_events(app)
        assert approved["type"] == "grant.approved"
        assert approved["topic"] == topics.FINANCE_GRANTS
        assert approved["grant_id"] == grant["grant_id"]
        assert approved["household_id"] == str(household_id)
        assert approved["amount_satang"] == 14_700_000
        assert approved["programme"] == "CANAL"
        assert approved["province_code"] == "10"
        assert approved["subdistrict_code"] == "100502"
        assert approved["fiscal_year"] == 2569

    async def test_a_programme_without_a_fixed_grant_is_granted_the_estimated_cost(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(
            app,
            household_approved(
                household_id, programme="BAAN_PHO_PHIANG", estimated_cost_satang=2_000_001
            ),
        )
        assert (await household_grant(client, household_id))["entitled_satang"] == 2_000_001

    async def test_a_duplicate_household_approved_creates_nothing_new(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        event = household_approved(household_id)
        await deliver(app, event)
        before = await balanced(client)
        await deliver(app, event)
        await deliver(app, replay(event))

        page = (await client.get("/v1/grants", params={"household_id": str(household_id)})).json()
        assert len(page["items"]) == 1
        assert [e["type"] for e in await grant_events(app)] == ["grant.approved"]
        assert await balanced(client) == before


class TestTranches:
    async def test_construction_then_completion_pays_40_then_60_percent_and_clears_the_grant(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id))

        await deliver(app, construction_started(household_id))
        grant = await household_grant(client, household_id)
        assert [d["amount_satang"] for d in grant["disbursements"]] == [5_880_000]
        assert grant["disbursed_satang"] == 5_880_000
        assert grant["outstanding_satang"] == 8_820_000
        assert grant["status"] == "disbursing"
        assert balances(await balanced(client))["cash"] == FUNDED - 5_880_000

        await deliver(app, house_completed(household_id))
        grant = await household_grant(client, household_id)
        assert [(d["tranche"], d["amount_satang"]) for d in grant["disbursements"]] == [
            (1, 5_880_000),
            (2, 8_820_000),
        ]
        assert grant["disbursed_satang"] == 14_700_000
        assert grant["outstanding_satang"] == 0
        assert grant["status"] == "disbursed"
        assert balances(await balanced(client)) == {
            "budget_appropriations": FUNDED,
            "cash": FUNDED - 14_700_000,
            "grant_expense": 14_700_000,
            "grants_payable": 0,
        }

        disbursed = await outbox_events(app, "grant.disbursed")
        assert [
            (e["tranche"], e["amount_satang"], e["disbursed_total_satang"]) for e in disbursed
        ] == [
            (1, 5_880_000, 5_880_000),
            (2, 8_820_000, 14_700_000),
        ]
        references = [d["payment_reference"] for d in grant["disbursements"]]
        assert [e["payment_reference"] for e in disbursed] == references
        assert all(r.startswith("PAY-25") for r in references)
        assert len(set(references)) == 2
        assert disbursed[0]["grant_id"] == grant["grant_id"]
        assert disbursed[0]["programme"] == "CANAL"

    async def test_odd_satang_grants_are_paid_exactly(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(
            app,
            household_approved(
                household_id, programme="EMERGENCY", estimated_cost_satang=12_345_679
            ),
        )
        await deliver(app, construction_started(household_id, programme="EMERGENCY"))
        await deliver(app, house_completed(household_id, programme="EMERGENCY"))

        grant = await household_grant(client, household_id)
        amounts = [d["amount_satang"] for d in grant["disbursements"]]
        assert amounts == [4_938_271, 7_407_408]
        assert sum(amounts) == grant["entitled_satang"] == 12_345_679
        assert grant["outstanding_satang"] == 0
        assert balances(await balanced(client))["grants_payable"] == 0

    async def test_a_replayed_house_completed_pays_nothing_more(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        completed = house_completed(household_id)
        await deliver(app, household_approved(household_id))
        await deliver(app, construction_started(household_id))
        await deliver(app, completed)
        before = await balanced(client)
        events_before = len(await grant_events(app))

        await deliver(app, completed)
        await deliver(app, replay(completed))
        await deliver(app, replay(construction_started(household_id)))

        grant = await household_grant(client, household_id)
        assert len(grant["disbursements"]) == 2
        assert grant["disbursed_satang"] == 14_700_000
        assert await balanced(client) == before
        assert len(await grant_events(app)) == events_before

    async def test_completion_before_construction_started_pays_both_tranches_in_order(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        await deliver(app, house_completed(household_id))

        grant = await household_grant(client, household_id)
        assert [(d["tranche"], d["amount_satang"]) for d in grant["disbursements"]] == [
            (1, 5_880_000),
            (2, 8_820_000),
        ]
        assert [e["tranche"] for e in await outbox_events(app, "grant.disbursed")] == [1, 2]

        # The late construction_started finds nothing left to pay.
        await deliver(app, construction_started(household_id))
        assert len((await household_grant(client, household_id))["disbursements"]) == 2
        await balanced(client)


class TestHouseEventFirst:
    async def test_a_house_event_before_approval_opens_the_grant_and_approval_is_a_no_op(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id, house_id = new_id(), new_id()
        await deliver(app, construction_started(household_id, house_id))

        grant = await household_grant(client, household_id)
        assert grant["entitled_satang"] == 14_700_000
        assert [d["amount_satang"] for d in grant["disbursements"]] == [5_880_000]
        detail = (await client.get(f"/v1/grants/{grant['grant_id']}")).json()
        assert detail["house_id"] == str(house_id)
        assert detail["opened_by"] == "house.construction_started"
        await balanced(client)

        await deliver(app, household_approved(household_id))
        assert (await household_grant(client, household_id)) == grant
        assert [e["type"] for e in await grant_events(app)] == ["grant.approved", "grant.disbursed"]

        await deliver(app, house_completed(household_id, house_id))
        grant = await household_grant(client, household_id)
        assert grant["disbursed_satang"] == 14_700_000
        assert balances(await balanced(client))["grants_payable"] == 0

    async def test_without_a_fixed_grant_the_house_events_estimate_is_granted(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(
            app,
            house_completed(
                household_id, programme="BAAN_MANKONG", estimated_cost_satang=1_000_001
            ),
        )
        grant = await household_grant(client, household_id)
        assert grant["entitled_satang"] == 1_000_001
        assert [d["amount_satang"] for d in grant["disbursements"]] == [400_000, 600_001]
        await balanced(client)

    async def test_a_house_event_that_cannot_price_the_grant_is_kept_until_approval(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(
            app,
            construction_started(
                household_id, programme="BAAN_MANKONG", estimated_cost_satang=None
            ),
        )
        assert (await client.get(f"/v1/grants/by-household/{household_id}")).status_code == 404
        assert await grant_events(app) == []

        await deliver(
            app,
            household_approved(
                household_id, programme="BAAN_MANKONG", estimated_cost_satang=500_000
            ),
        )
        grant = await household_grant(client, household_id)
        assert grant["entitled_satang"] == 500_000
        assert [d["amount_satang"] for d in grant["disbursements"]] == [200_000]
        await balanced(client)


class TestMilestoneTranches:
    async def test_a_configured_milestone_pays_its_tranche(self, tmp_path: Any) -> None:
        settings = FinanceSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/milestones.db",
            create_topics=False,
            consumer_enabled=False,
            relay_enabled=False,
            log_json=False,
            grant_tranches=[
                TrancheRule(percent=30, trigger=CONSTRUCTION_STARTED),
                TrancheRule(percent=30, trigger=MILESTONE_REACHED, milestone="roof"),
                TrancheRule(percent=40, trigger=COMPLETED),
            ],
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://finance", headers=national_headers()
            ) as client:
                await fund_nationally(app)
                household_id = new_id()
                await deliver(app, household_approved(household_id))
                await deliver(app, construction_started(household_id))
                await deliver(app, milestone_reached(household_id, "walls"))
                assert len((await household_grant(client, household_id))["disbursements"]) == 1
                await deliver(app, milestone_reached(household_id, "Roof"))
                await deliver(app, house_completed(household_id))

                grant = await household_grant(client, household_id)
                assert [(d["stage"], d["amount_satang"]) for d in grant["disbursements"]] == [
                    ("house.construction_started", 4_410_000),
                    ("house.milestone_reached:roof", 4_410_000),
                    ("house.completed", 5_880_000),
                ]
                await balanced(client)


class TestTranchesPerProgramme:
    """Canal houses are paid 40/40/20 with the structure milestone; others keep the default."""

    CANAL_SCHEDULE = (
        '{"CANAL": [{"percent": 40, "trigger": "house.construction_started"},'
        ' {"percent": 40, "trigger": "house.milestone_reached", "milestone": "structure"},'
        ' {"percent": 20, "trigger": "house.completed"}]}'
    )

    @pytest.fixture
    async def canal_app(
        self, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
    ) -> AsyncIterator[FastAPI]:
        # Read from the environment, as a deployment configures it.
        monkeypatch.setenv("FINANCE_GRANT_TRANCHES_BY_PROGRAMME", self.CANAL_SCHEDULE)
        settings = FinanceSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/per-programme.db",
            create_topics=False,
            consumer_enabled=False,
            relay_enabled=False,
            log_json=False,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            await fund_nationally(app)
            yield app

    async def test_canal_pays_at_start_at_the_structure_milestone_and_at_completion(
        self, canal_app: FastAPI
    ) -> None:
        transport = httpx.ASGITransport(app=canal_app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://finance", headers=national_headers()
        ) as client:
            household_id = new_id()
            await deliver(canal_app, household_approved(household_id))
            await deliver(canal_app, construction_started(household_id))
            await deliver(canal_app, milestone_reached(household_id, "foundation"))
            assert len((await household_grant(client, household_id))["disbursements"]) == 1
            await deliver(canal_app, milestone_reached(household_id, " Structure "))
            assert len((await household_grant(client, household_id))["disbursements"]) == 2
            await deliver(canal_app, house_completed(household_id))

            grant = await household_grant(client, household_id)
            assert [(d["stage"], d["amount_satang"]) for d in grant["disbursements"]] == [
                ("house.construction_started", 5_880_000),
                ("house.milestone_reached:structure", 5_880_000),
                ("house.completed", 2_940_000),
            ]
            assert grant["disbursed_satang"] == CANAL_GRANT_SATANG
            await balanced(client)

    async def test_a_completed_canal_house_without_the_milestone_reported_is_paid_in_full(
        self, canal_app: FastAPI
    ) -> None:
        transport = httpx.ASGITransport(app=canal_app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://finance", headers=national_headers()
        ) as client:
            household_id = new_id()
            await deliver(canal_app, household_approved(household_id))
            await deliver(canal_app, house_completed(household_id))
            grant = await household_grant(client, household_id)
            assert [d["amount_satang"] for d in grant["disbursements"]] == [
                5_880_000,
                5_880_000,
                2_940_000,
            ]

    async def test_other_programmes_keep_the_default_schedule(self, canal_app: FastAPI) -> None:
        transport = httpx.ASGITransport(app=canal_app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://finance", headers=national_headers()
        ) as client:
            household_id = new_id()
            await deliver(
                canal_app,
                household_approved(
                    household_id, programme="EMERGENCY", estimated_cost_satang=10_000_000
                ),
            )
            await deliver(canal_app, construction_started(household_id, programme="EMERGENCY"))
            await deliver(canal_app, house_completed(household_id, programme="EMERGENCY"))
            grant = await household_grant(client, household_id)
            assert [d["amount_satang"] for d in grant["disbursements"]] == [4_000_000, 6_000_000]

    def test_a_programme_schedule_that_does_not_add_up_is_refused_at_start(self) -> None:
        with pytest.raises(ValueError, match="CANAL: tranche percentages add up to 80"):
            FinanceSettings(
                grant_tranches_by_programme={
                    "CANAL": [
                        TrancheRule(percent=40, trigger=CONSTRUCTION_STARTED),
                        TrancheRule(percent=40, trigger=COMPLETED),
                    ]
                }
            )


class TestThroughTheConsumer:
    async def test_a_redelivered_record_is_applied_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        consumer = app.state.runtime.consumer
        household_id = new_id()
        approved = household_approved(household_id)
        completed = house_completed(household_id)
        for event, topic in [
            (approved, topics.SURVEY_HOUSEHOLDS),
            (completed, topics.CONSTRUCTION_HOUSES),
            (completed, topics.CONSTRUCTION_HOUSES),
            (approved, topics.SURVEY_HOUSEHOLDS),
        ]:
            await consumer.handle_record(kafka_record(event, topic))

        grant = await household_grant(client, household_id)
        assert grant["disbursed_satang"] == 14_700_000
        assert [e["type"] for e in await grant_events(app)] == [
            "grant.approved",
            "grant.disbursed",
            "grant.disbursed",
        ]
        await balanced(client)

"""Budgets: allocating them, reserving grants from the right one, rejecting what they
cannot cover, and their reconciliation."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from finance_factories import (
    allocate,
    budget_body,
    construction_started,
    grant_events,
    house_completed,
    household_approved,
    ledger_balances,
    loan_body,
)

from baan_shared.events import topics
from baan_shared.ids import new_id
from baan_testkit.delivery import deliver
from baan_testkit.outbox import outbox_events

CANAL = 14_700_000


async def _budget(client: httpx.AsyncClient, budget_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/budgets/{budget_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestAllocating:
    async def test_an_allocation_creates_the_budget_funds_cash_and_is_published(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/v1/budgets", json=budget_body(amount_satang=29_400_000))
        assert response.status_code == 201, response.text
        budget = response.json()["budget"]
        assert (budget["programme"], budget["fiscal_year"]) == ("CANAL", 2569)
        assert (budget["area_level"], budget["area_code"]) == ("province", "10")
        assert budget["allocated_satang"] == budget["free_satang"] == 29_400_000
        assert budget["reserved_satang"] == budget["disbursed_satang"] == 0

        assert await ledger_balances(client) == {
            "budget_appropriations": 29_400_000,
            "cash": 29_400_000,
            "grant_expense": 0,
            "grants_payable": 0,
        }
        [event] = await outbox_events(app)
        assert event["type"] == "budget.allocated"
        assert event["topic"] == topics.FINANCE_BUDGETS
        assert event["budget_id"] == budget["id"]
        assert event["amount_satang"] == event["allocated_total_satang"] == 29_400_000

    async def test_a_second_allocation_to_the_same_area_tops_the_budget_up(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        first = await allocate(app, amount_satang=10_000_000)
        second = await allocate(app, amount_satang=5_000_000, note="งบเพิ่มเติม")
        assert second["id"] == first["id"]
        detail = await _budget(client, first["id"])
        assert detail["allocated_satang"] == 15_000_000
        assert [(a["amount_satang"], a["note"]) for a in detail["allocations"]] == [
            (10_000_000, None),
            (5_000_000, "งบเพิ่มเติม"),
        ]
        totals = [e["allocated_total_satang"] for e in await outbox_events(app, "budget.allocated")]
        assert totals == [10_000_000, 15_000_000]

    async def test_the_same_idempotency_key_allocates_once(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "allocation-2569-0001"}
        first = await client.post("/v1/budgets", json=budget_body(), headers=headers)
        again = await client.post("/v1/budgets", json=budget_body(), headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["budget"]["allocated_satang"] == 100_000_000
        assert len(await outbox_events(app)) == 1

        other = await client.post("/v1/budgets", json=budget_body(amount_satang=1), headers=headers)
        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["errors"][0]["field"] == "header.idempotency-key"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"amount_satang": -100}, "body.amount_satang"),
            ({"amount_satang": 0}, "body.amount_satang"),
            ({"amount_satang": 100.5}, "body.amount_satang"),
            ({"amount_satang": 100.0}, "body.amount_satang"),
            ({"amount_satang": "100"}, "body.amount_satang"),
            ({"programme": "canal"}, "body.programme"),
            ({"fiscal_year": 2026}, "body.fiscal_year"),
            ({"area_level": "village"}, "body.area_level"),
            ({"area_code": "1"}, "body.area_code"),
            ({"area_level": "region", "area_code": "NORTH"}, "body.area_code"),
            ({"programme": "SPACE_PROGRAMME"}, "body.programme"),
        ],
    )
    async def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post("/v1/budgets", json=budget_body(**overrides))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]
        assert (await client.get("/v1/budgets")).json()["items"] == []
        assert await outbox_events(app) == []

    async def test_an_unknown_budget_is_404_problem_json(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/v1/budgets/{new_id()}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_budgets_are_listed_by_programme_year_and_level(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        province = await allocate(app)
        tambon = await allocate(app, area_level="subdistrict", area_code="100502")
        await allocate(app, programme="EMERGENCY")
        await allocate(app, fiscal_year=2570)

        def ids(response: httpx.Response) -> list[str]:
            assert response.status_code == 200, response.text
            return [b["id"] for b in response.json()["items"]]

        params: dict[str, str | int] = {"programme": "CANAL", "fiscal_year": 2569}
        assert ids(await client.get("/v1/budgets", params=params)) == [
            province["id"],
            tambon["id"],
        ]
        level = params | {"area_level": "subdistrict"}
        assert ids(await client.get("/v1/budgets", params=level)) == [tambon["id"]]
        page = (await client.get("/v1/budgets", params={"limit": 3})).json()
        assert len(page["items"]) == 3 and page["next_cursor"]


class TestReserving:
    async def test_an_approval_reserves_the_grant_from_the_most_specific_budget(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        country = await allocate(app, area_level="country", area_code="TH")
        province = await allocate(app)
        tambon = await allocate(app, area_level="subdistrict", area_code="100502")
        elsewhere = await allocate(app, area_level="subdistrict", area_code="100503")

        await deliver(app, household_approved(new_id()))

        assert (await _budget(client, tambon["id"]))["reserved_satang"] == CANAL
        assert (await _budget(client, tambon["id"]))["free_satang"] == 100_000_000 - CANAL
        for other in (country, province, elsewhere):
            assert (await _budget(client, other["id"]))["reserved_satang"] == 0

    async def test_a_household_outside_the_tambon_draws_on_its_province(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        province = await allocate(app)
        await allocate(app, area_level="subdistrict", area_code="100503")
        await deliver(app, household_approved(new_id(), subdistrict_code="100502"))
        assert (await _budget(client, province["id"]))["reserved_satang"] == CANAL

    async def test_another_fiscal_year_or_programme_does_not_cover_the_grant(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await allocate(app, fiscal_year=2570)
        await allocate(app, programme="EMERGENCY")
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        grant = (await client.get(f"/v1/grants/by-household/{household_id}")).json()
        assert grant["status"] == "rejected"

    async def test_a_region_budget_names_one_of_the_agencys_offices(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/v1/budgets", json=budget_body(area_level="region", area_code="CENTRAL")
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.area_code"
        assert "unknown region" in response.json()["detail"]

    async def test_a_region_budget_covers_the_provinces_its_office_serves(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await allocate(app, area_level="country", area_code="TH")
        region = await allocate(app, area_level="region", area_code="BVE")
        # Samut Prakan (11) is served by the Bangkok-vicinity-East office.
        await deliver(app, household_approved(new_id(), province_code="11"))
        assert (await _budget(client, region["id"]))["reserved_satang"] == CANAL
        # Chiang Mai (50) is not: its grant comes from the country's budget.
        await deliver(app, household_approved(new_id(), province_code="50"))
        assert (await _budget(client, region["id"]))["reserved_satang"] == CANAL


class TestProjectBudgets:
    """A construction project's own budget pays its houses first (most specific)."""

    async def test_a_grant_opened_by_a_house_of_the_project_reserves_from_its_budget(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id = new_id()
        tambon = await allocate(app, area_level="subdistrict", area_code="100502")
        project = await allocate(app, area_level="project", area_code=str(project_id))
        household_id = new_id()

        await deliver(app, construction_started(household_id, project_id=project_id))

        assert (await _budget(client, project["id"]))["disbursed_satang"] == CANAL * 40 // 100
        assert (await _budget(client, tambon["id"]))["reserved_satang"] == 0
        grant = (await client.get(f"/v1/grants/by-household/{household_id}")).json()
        assert (grant["budget_id"], grant["project_id"]) == (project["id"], str(project_id))

    async def test_an_approved_grant_moves_to_its_projects_budget_before_any_payment(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id = new_id()
        tambon = await allocate(app, area_level="subdistrict", area_code="100502")
        project = await allocate(app, area_level="project", area_code=str(project_id))
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        assert (await _budget(client, tambon["id"]))["reserved_satang"] == CANAL

        await deliver(app, construction_started(household_id, project_id=project_id))
        await deliver(app, house_completed(household_id, project_id=project_id))

        after_tambon = await _budget(client, tambon["id"])
        after_project = await _budget(client, project["id"])
        assert (after_tambon["reserved_satang"], after_tambon["disbursed_satang"]) == (0, 0)
        assert after_tambon["free_satang"] == 100_000_000
        assert after_project["disbursed_satang"] == CANAL
        assert after_project["free_satang"] == 100_000_000 - CANAL
        trial = (await client.get("/v1/ledger/trial-balance")).json()
        assert trial["balanced"] is True
        granted = [e for e in await grant_events(app) if e["type"] == "grant.disbursed"]
        assert {e["budget_id"] for e in granted} == {project["id"]}
        assert {e["project_id"] for e in granted} == {str(project_id)}

    async def test_a_project_budget_without_room_leaves_the_grant_where_it_was(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id = new_id()
        tambon = await allocate(app, area_level="subdistrict", area_code="100502")
        project = await allocate(
            app, area_level="project", area_code=str(project_id), amount_satang=CANAL - 1
        )
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        await deliver(app, construction_started(household_id, project_id=project_id))

        assert (await _budget(client, tambon["id"]))["disbursed_satang"] == CANAL * 40 // 100
        assert (await _budget(client, project["id"]))["free_satang"] == CANAL - 1

    async def test_a_grant_already_paid_from_a_budget_stays_there(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        project_id = new_id()
        tambon = await allocate(app, area_level="subdistrict", area_code="100502")
        project = await allocate(app, area_level="project", area_code=str(project_id))
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        await deliver(app, construction_started(household_id))  # not yet in a project
        await deliver(app, house_completed(household_id, project_id=project_id))

        assert (await _budget(client, tambon["id"]))["disbursed_satang"] == CANAL
        assert (await _budget(client, project["id"]))["reserved_satang"] == 0

    async def test_a_project_budget_is_named_by_the_projects_id(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/v1/budgets", json=budget_body(area_level="project", area_code="KLONG-PROJECT-1")
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.area_code"


class TestRejecting:
    async def test_without_enough_budget_the_grant_is_rejected_and_nothing_is_committed(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget = await allocate(app, amount_satang=CANAL + CANAL // 2)
        first, second = new_id(), new_id()
        await deliver(app, household_approved(first))
        await deliver(app, household_approved(second))

        granted = (await client.get(f"/v1/grants/by-household/{first}")).json()
        refused = (await client.get(f"/v1/grants/by-household/{second}")).json()
        assert granted["status"] == "approved"
        assert refused["status"] == "rejected"
        assert (await _budget(client, budget["id"]))["free_satang"] == CANAL // 2
        balances = await ledger_balances(client)
        assert balances["grant_expense"] == balances["grants_payable"] == CANAL

        events = await grant_events(app)
        assert [e["type"] for e in events] == ["grant.approved", "grant.rejected"]
        assert events[1]["household_id"] == str(second)
        assert events[1]["province_code"] == "10"
        assert "7350000 satang free" in events[1]["reason"]

    async def test_no_budget_at_all_rejects_the_grant(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        [event] = await grant_events(app)
        assert event["type"] == "grant.rejected"
        assert "no CANAL budget for FY 2569" in event["reason"]

    async def test_a_rejected_grant_pays_nothing_when_construction_reports(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        await deliver(app, construction_started(household_id))
        await deliver(app, house_completed(household_id))
        grant = (await client.get(f"/v1/grants/by-household/{household_id}")).json()
        assert grant["disbursed_satang"] == 0
        assert grant["disbursements"] == []
        assert [e["type"] for e in await grant_events(app)] == ["grant.rejected"]
        assert (await ledger_balances(client))["cash"] == 0

    async def test_a_house_event_first_reserves_from_the_budget_or_rejects(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget = await allocate(app, amount_satang=CANAL)
        early, late = new_id(), new_id()
        await deliver(app, construction_started(early))
        await deliver(app, construction_started(late))

        assert (await _budget(client, budget["id"]))["free_satang"] == 0
        events = await grant_events(app)
        assert [(e["type"], e["household_id"]) for e in events] == [
            ("grant.approved", str(early)),
            ("grant.disbursed", str(early)),
            ("grant.rejected", str(late)),
        ]

    async def test_approval_after_a_top_up_grants_and_pays_what_construction_reported(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        await deliver(app, construction_started(household_id))
        budget = await allocate(app, amount_satang=CANAL)

        # Survey takes the household off the waitlist and approves it again.
        await deliver(app, household_approved(household_id))

        grant = (await client.get(f"/v1/grants/by-household/{household_id}")).json()
        assert grant["status"] == "disbursing"
        assert grant["disbursed_satang"] == 5_880_000
        assert [e["type"] for e in await grant_events(app)] == [
            "grant.rejected",
            "grant.approved",
            "grant.disbursed",
        ]
        detail = await _budget(client, budget["id"])
        assert (detail["reserved_satang"], detail["disbursed_satang"]) == (8_820_000, 5_880_000)
        assert detail["free_satang"] == 0


class TestReconciliation:
    async def test_allocated_is_reserved_plus_disbursed_plus_free(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget = await allocate(app, amount_satang=50_000_000)
        paid, started, waiting = new_id(), new_id(), new_id()
        for household_id in (paid, started, waiting):
            await deliver(app, household_approved(household_id))
        await deliver(app, house_completed(paid))
        await deliver(app, construction_started(started))

        detail = await _budget(client, budget["id"])
        assert detail["allocated_satang"] == 50_000_000
        assert detail["disbursed_satang"] == CANAL + 5_880_000
        assert detail["reserved_satang"] == 8_820_000 + CANAL
        assert detail["free_satang"] == 50_000_000 - 3 * CANAL
        assert (
            detail["reserved_satang"] + detail["disbursed_satang"] + detail["free_satang"]
            == detail["allocated_satang"]
        )


class TestHouseholdReconciliation:
    async def test_a_household_shows_entitled_reserved_and_disbursed(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget = await allocate(app)
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        await deliver(app, construction_started(household_id))

        response = await client.get(f"/v1/reconciliation/households/{household_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["budget_id"] == budget["id"]
        assert body["grant_status"] == body["status"] == "disbursing"
        assert (body["entitled_satang"], body["reserved_satang"], body["disbursed_satang"]) == (
            CANAL,
            8_820_000,
            5_880_000,
        )
        assert body["outstanding_loan_satang"] == 0

    async def test_a_rejected_household_is_entitled_to_nothing_and_says_why(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        household_id = new_id()
        await deliver(app, household_approved(household_id))
        body = (await client.get(f"/v1/reconciliation/households/{household_id}")).json()
        assert body["grant_status"] == "rejected"
        assert body["entitled_satang"] == body["reserved_satang"] == 0
        assert "no CANAL budget" in body["rejection_reason"]

    async def test_a_household_without_a_grant_is_zeros_and_says_so(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(f"/v1/reconciliation/households/{new_id()}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["grant_id"], body["grant_status"]) == ("no_grant", None, None)
        assert (
            body["entitled_satang"],
            body["reserved_satang"],
            body["disbursed_satang"],
            body["outstanding_loan_satang"],
            body["loans"],
        ) == (0, 0, 0, 0, 0)

    async def test_a_household_with_a_loan_but_no_grant_shows_what_it_owes(
        self, client: httpx.AsyncClient
    ) -> None:
        household_id = str(new_id())
        loan = await client.post(
            "/v1/loans", json=loan_body(borrower_id=household_id, principal_satang=5_000_000)
        )
        await client.post(
            f"/v1/loans/{loan.json()['id']}/disburse", json={"disbursed_on": "2026-01-01"}
        )

        body = (await client.get(f"/v1/reconciliation/households/{household_id}")).json()

        assert (body["status"], body["entitled_satang"]) == ("no_grant", 0)
        assert (body["outstanding_loan_satang"], body["loans"]) == (5_000_000, 1)

    async def test_a_malformed_household_id_is_a_422_naming_it(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/reconciliation/households/not-a-uuid")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "path.household_id"


class TestAllocationReversal:
    async def _allocated(self, client: httpx.AsyncClient, amount: int) -> dict[str, Any]:
        response = await client.post("/v1/budgets", json=budget_body(amount_satang=amount))
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def test_a_mis_keyed_allocation_is_reversed_in_the_ledger_and_the_budget(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        await self._allocated(client, 29_400_000)
        wrong = await self._allocated(client, 294_000_000)
        budget_id, allocation_id = wrong["budget"]["id"], wrong["allocation"]["id"]

        response = await client.post(
            f"/v1/budgets/{budget_id}/allocations/{allocation_id}/reversal",
            json={"reason": "keyed 10x the approved amount"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["budget"]["allocated_satang"] == 29_400_000
        assert response.json()["allocation"]["reversal_reason"] == "keyed 10x the approved amount"
        balances = await ledger_balances(client)
        assert balances["cash"] == balances["budget_appropriations"] == 29_400_000
        events = await outbox_events(app, "budget.allocated")
        assert [(e["amount_satang"], e["allocated_total_satang"]) for e in events] == [
            (29_400_000, 29_400_000),
            (294_000_000, 323_400_000),
            (-294_000_000, 29_400_000),
        ]
        assert events[-1]["reverses_allocation"] is True

        again = await client.post(
            f"/v1/budgets/{budget_id}/allocations/{allocation_id}/reversal",
            json={"reason": "twice"},
        )
        assert again.status_code == 409

    async def test_money_already_reserved_for_grants_cannot_be_taken_back(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        allocated = await self._allocated(client, CANAL)
        await deliver(app, household_approved(new_id()))
        before = await ledger_balances(client)
        response = await client.post(
            f"/v1/budgets/{allocated['budget']['id']}/allocations/"
            f"{allocated['allocation']['id']}/reversal",
            json={"reason": "mistake"},
        )
        assert response.status_code == 409
        assert "reserved" in response.json()["detail"]
        assert await ledger_balances(client) == before
        assert (await _budget(client, allocated["budget"]["id"]))["allocated_satang"] == CANAL

    async def test_an_unknown_allocation_is_404(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        budget = await allocate(app)
        response = await client.post(
            f"/v1/budgets/{budget['id']}/allocations/{new_id()}/reversal", json={"reason": "x"}
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

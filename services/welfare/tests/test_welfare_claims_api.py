"""Benefits and matches through the API, on SQLite and PostgreSQL: claims judged by the
rules in force on the event's date, the committee's decision, payment from the fund,
and matches checked against recorded contributions. A refused write stores nothing."""

from datetime import date, timedelta
from typing import Any

import httpx
from welfare_testing import SEED_003_RULES, claim, contribute, join, register_fund, years_ago

from baan_shared.clock import thai_today


async def _funded(client: httpx.AsyncClient, satang: int = 1_000_000) -> dict[str, Any]:
    fund = await register_fund(client)
    await client.post(
        f"/v1/funds/{fund['id']}/income",
        json={
            "amount_satang": satang,
            "received_on": thai_today().isoformat(),
            "reference": "SEED",
        },
    )
    return fund


async def _decide(
    client: httpx.AsyncClient, claim_id: str, approve: bool = True, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/claims/{claim_id}/decision",
        json={"approve": approve, "decided_by": "committee meeting 3/2567", **extra},
    )


async def _books(client: httpx.AsyncClient, fund_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/v1/funds/{fund_id}/books")).json())


class TestClaims:
    async def test_a_claim_is_approved_and_paid_from_the_fund(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _funded(client)
        member = await join(client, fund["id"], 1, years_ago(2))
        filed = await claim(
            client, member["id"], "hospital", thai_today() - timedelta(days=3), nights=3
        )
        assert filed.status_code == 201, filed.text
        assert (filed.json()["status"], filed.json()["amount_satang"]) == ("submitted", 60_000)
        approved = await _decide(client, filed.json()["id"])
        assert approved.json()["status"] == "approved"
        paid = await client.post(
            f"/v1/claims/{filed.json()['id']}/payment", json={"paid_on": thai_today().isoformat()}
        )
        assert paid.json()["status"] == "paid"
        books = await _books(client, fund["id"])
        assert (books["benefits_paid_satang"], books["balance_satang"], books["balanced"]) == (
            60_000,
            940_000,
            True,
        )
        again = await client.post(
            f"/v1/claims/{filed.json()['id']}/payment", json={"paid_on": thai_today().isoformat()}
        )
        assert again.status_code == 409
        assert (await _books(client, fund["id"]))["benefits_paid_satang"] == 60_000

    async def test_a_claim_in_the_waiting_period_names_the_rule_and_is_not_stored(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _funded(client)
        member = await join(client, fund["id"], 2, thai_today() - timedelta(days=30))
        refused = await claim(client, member["id"], "childbirth", thai_today())
        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("application/problem+json")
        error = refused.json()["errors"][0]
        assert (error["field"], error["code"], error["value"]) == (
            "body.event_date",
            "waiting-period",
            thai_today().isoformat(),
        )
        assert "180 days" in error["reason"]
        listed = (await client.get(f"/v1/funds/{fund['id']}/claims")).json()["items"]
        assert listed == []

    async def test_nights_over_the_yearly_limit_are_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _funded(client)
        member = await join(client, fund["id"], 3, years_ago(3))
        day = thai_today()
        assert (await claim(client, member["id"], "hospital", day, nights=8)).status_code == 201
        over = await claim(client, member["id"], "hospital", day, nights=3)
        assert over.status_code == 409
        assert over.json()["errors"][0]["code"] == "nights-per-year"
        assert over.json()["errors"][0]["field"] == "body.nights"
        missing = await claim(client, member["id"], "hospital", day)
        assert (missing.status_code, missing.json()["errors"][0]["code"]) == (422, "nights")

    async def test_death_benefit_by_years_of_membership_under_the_rules_of_the_day(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _funded(client, 5_000_000)
        member = await join(client, fund["id"], 4, years_ago(12))
        death = thai_today() - timedelta(days=10)
        # New rules from today: death pays 30,000 THB after 10 years. The death came
        # before, so the registration's rules (20,000 THB) apply.
        richer = {
            **SEED_003_RULES,
            "benefits": [
                *[b for b in SEED_003_RULES["benefits"] if b["kind"] != "death"],
                {
                    "kind": "death",
                    "payment": "by_years",
                    "amounts_by_years": [{"min_years": 10, "amount_satang": 3_000_000}],
                },
            ],
        }
        adopted = await client.post(
            f"/v1/funds/{fund['id']}/rule-versions",
            json={
                "effective_from": (death + timedelta(days=1)).isoformat(),
                "adopted_by": "yearly meeting",
                "rules": richer,
            },
        )
        assert adopted.status_code == 201
        await client.post(
            f"/v1/members/{member['id']}/status",
            json={"status": "deceased", "on": death.isoformat()},
        )
        filed = await claim(client, member["id"], "death", death)
        assert filed.status_code == 201, filed.text
        assert (filed.json()["amount_satang"], filed.json()["years_of_membership"]) == (
            2_000_000,
            11,
        )
        assert filed.json()["rules_effective_from"] == fund["registered_on"]

    async def test_the_committee_refuses_with_a_reason_and_nothing_is_paid(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await _funded(client)
        member = await join(client, fund["id"], 5, years_ago(2))
        filed = (
            await claim(client, member["id"], "disaster", thai_today(), amount_satang=150_000)
        ).json()
        no_reason = await _decide(client, filed["id"], approve=False)
        assert (no_reason.status_code, no_reason.json()["errors"][0]["field"]) == (
            422,
            "body.reason",
        )
        refused = await _decide(client, filed["id"], approve=False, reason="no damage found")
        assert (refused.json()["status"], refused.json()["decision_reason"]) == (
            "refused",
            "no damage found",
        )
        pay = await client.post(
            f"/v1/claims/{filed['id']}/payment", json={"paid_on": thai_today().isoformat()}
        )
        assert pay.status_code == 409
        assert (await _books(client, fund["id"]))["benefits_paid_satang"] == 0
        # A refused claim does not count toward the once-a-year limit.
        assert (
            await claim(client, member["id"], "disaster", thai_today(), amount_satang=1)
        ).status_code == 201

    async def test_a_fund_never_pays_more_than_it_holds(self, client: httpx.AsyncClient) -> None:
        fund = await _funded(client, 50_000)
        member = await join(client, fund["id"], 6, years_ago(2))
        filed = (await claim(client, member["id"], "hospital", thai_today(), nights=3)).json()
        await _decide(client, filed["id"])
        pay = await client.post(
            f"/v1/claims/{filed['id']}/payment", json={"paid_on": thai_today().isoformat()}
        )
        assert pay.status_code == 409
        assert pay.json()["errors"][0]["code"] == "fund-balance"
        assert (await client.get(f"/v1/claims/{filed['id']}")).json()["status"] == "approved"
        books = await _books(client, fund["id"])
        assert (books["balance_satang"], books["movements"], books["balanced"]) == (50_000, 1, True)


class TestMatching:
    async def test_a_match_is_checked_against_recorded_contributions_and_booked_once(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await register_fund(client)
        member = await join(client, fund["id"], 7, years_ago(3))
        year = thai_today().year - 1
        await contribute(client, member["id"], 36_500, date(year, 6, 1), "R-1")
        period = {
            "period_from": f"{year}-01-01",
            "period_to": f"{year}-12-31",
            "requested_by": "treasurer",
        }
        over = await client.post(
            f"/v1/funds/{fund['id']}/match-requests",
            json={"matcher": "agency", "amount_satang": 36_501, **period},
        )
        assert over.status_code == 409
        error = over.json()["errors"][0]
        assert (error["field"], error["code"], error["value"]) == (
            "body.amount_satang",
            "over-contributions",
            "36501",
        )
        asked = await client.post(
            f"/v1/funds/{fund['id']}/match-requests",
            json={"matcher": "agency", "amount_satang": 36_500, **period},
        )
        assert asked.status_code == 201
        overlapping = await client.post(
            f"/v1/funds/{fund['id']}/match-requests",
            json={"matcher": "agency", "amount_satang": 100, **period},
        )
        assert (overlapping.status_code, overlapping.json()["errors"][0]["code"]) == (
            409,
            "period-overlaps",
        )
        local = await client.post(
            f"/v1/funds/{fund['id']}/match-requests",
            json={
                "matcher": "local_administration",
                "matcher_name": "อบต.",
                "amount_satang": 10_000,
                **period,
            },
        )
        assert local.status_code == 201
        decide = {"approve": True, "decided_by": "CODI welfare desk"}
        approved = await client.post(
            f"/v1/match-requests/{asked.json()['id']}/decision", json=decide
        )
        assert approved.json()["status"] == "approved"
        twice = await client.post(f"/v1/match-requests/{asked.json()['id']}/decision", json=decide)
        assert twice.status_code == 409
        await client.post(f"/v1/match-requests/{local.json()['id']}/decision", json=decide)
        books = await _books(client, fund["id"])
        assert (
            books["agency_match_satang"],
            books["local_match_satang"],
            books["balance_satang"],
        ) == (36_500, 10_000, 83_000)
        assert books["balanced"] is True

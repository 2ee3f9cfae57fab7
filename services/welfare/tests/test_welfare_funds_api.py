"""Funds, members, contributions and the books through the API, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import httpx
import pytest
from welfare_testing import (
    BANGKOK_TAMBON,
    SEED_003_RULES,
    contribute,
    join,
    national_id,
    random_id,
    register_fund,
    years_ago,
)

from baan_shared.clock import thai_today


async def _outbox_types(client: httpx.AsyncClient) -> list[str]:
    from sqlmodel import col, select

    from baan_shared.outbox import OutboxMessage

    app = client._transport.app  # type: ignore[attr-defined]
    async with app.state.runtime.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [row.type for row in rows]


class TestFunds:
    async def test_a_fund_is_registered_in_its_tambon_with_rules_and_committee(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await register_fund(client)
        assert (fund["province_code"], fund["district_code"], fund["subdistrict_code"]) == (
            "10",
            "1001",
            BANGKOK_TAMBON,
        )
        assert fund["committee"] == [{"name": "นางสมศรี ใจดี", "role": "chair"}]
        assert fund["balance_satang"] == 0
        versions = (await client.get(f"/v1/funds/{fund['id']}/rule-versions")).json()["items"]
        assert [v["effective_from"] for v in versions] == [fund["registered_on"]]
        assert "welfare_fund.registered" in await _outbox_types(client)

    async def test_one_fund_of_a_kind_per_tambon(self, client: httpx.AsyncClient) -> None:
        await register_fund(client)
        again = await client.post(
            "/v1/funds",
            json={
                "kind": "tambon",
                "name": "x",
                "subdistrict_code": BANGKOK_TAMBON,
                "registered_on": "2020-01-01",
            },
        )
        assert again.status_code == 409
        assert again.json()["errors"][0]["code"] == "one-fund-per-area"
        municipality = await register_fund(client, kind="municipality")
        assert municipality["subdistrict_code"] == BANGKOK_TAMBON

    async def test_an_unknown_tambon_code_names_the_field(self, client: httpx.AsyncClient) -> None:
        answer = await client.post(
            "/v1/funds",
            json={
                "kind": "tambon",
                "name": "x",
                "subdistrict_code": "999999",
                "registered_on": "2020-01-01",
            },
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        error = answer.json()["errors"][0]
        assert (error["field"], error["value"], error["code"]) == (
            "body.subdistrict_code",
            "999999",
            "area-code",
        )
        assert (await client.get("/v1/funds")).json()["items"] == []

    async def test_bad_rules_are_refused_naming_the_field(self, client: httpx.AsyncClient) -> None:
        fund = await register_fund(client)
        answer = await client.post(
            f"/v1/funds/{fund['id']}/rule-versions",
            json={
                "effective_from": "2025-01-01",
                "adopted_by": "meeting",
                "rules": {"benefits": [{"kind": "death", "payment": "fixed", "amount_satang": -5}]},
            },
        )
        assert answer.status_code == 422
        assert any("amount_satang" in e["field"] for e in answer.json()["errors"])

    async def test_a_second_rule_version_the_same_day_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await register_fund(client)
        body = {
            "effective_from": "2025-01-01",
            "adopted_by": "yearly meeting 2024",
            "rules": SEED_003_RULES,
        }
        assert (
            await client.post(f"/v1/funds/{fund['id']}/rule-versions", json=body)
        ).status_code == 201
        again = await client.post(f"/v1/funds/{fund['id']}/rule-versions", json=body)
        assert again.status_code == 409
        assert again.json()["errors"][0]["code"] == "version-exists"


class TestMembers:
    async def test_national_id_is_checked_and_masked(self, client: httpx.AsyncClient) -> None:
        fund = await register_fund(client)
        bad = national_id(7)[:-1] + str((int(national_id(7)[-1]) + 1) % 10)
        answer = await client.post(
            "/v1/members",
            json={
                "fund_id": fund["id"],
                "national_id": bad,
                "name": "x",
                "joined_on": "2020-01-01",
            },
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "body.national_id"
        assert "check digit" in answer.json()["errors"][0]["reason"]
        member = await join(client, fund["id"], 7, date(2020, 1, 1))
        nid = national_id(7)
        assert member["national_id"] == f"{nid[0]}-{nid[1:5]}-xxxxx-xx-{nid[12]}"

    async def test_one_membership_per_fund_and_duplicates_elsewhere_flagged(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await register_fund(client)
        second = await register_fund(client, "400101")
        member = await join(client, first["id"], 1, date(2020, 1, 1))
        assert member["member_of_other_funds"] is False
        again = await client.post(
            "/v1/members",
            json={
                "fund_id": first["id"],
                "national_id": national_id(1),
                "name": "x",
                "joined_on": "2021-01-01",
            },
        )
        assert again.status_code == 409
        assert again.json()["errors"][0]["code"] == "already-a-member"
        other = await join(client, second["id"], 1, date(2021, 1, 1))
        assert other["member_of_other_funds"] is True
        assert (await client.get(f"/v1/members/{member['id']}")).json()["member_of_other_funds"]

    async def test_years_of_membership_and_status_changes(self, client: httpx.AsyncClient) -> None:
        fund = await register_fund(client)
        member = await join(client, fund["id"], 2, years_ago(6))
        assert member["years_of_membership"] == 6
        left = await client.post(
            f"/v1/members/{member['id']}/status",
            json={"status": "left", "on": years_ago(1).isoformat()},
        )
        assert left.status_code == 200
        assert (left.json()["status"], left.json()["years_of_membership"]) == ("left", 5)
        back = await client.post(
            f"/v1/members/{member['id']}/status", json={"status": "active", "on": "2025-01-01"}
        )
        assert back.status_code == 409
        assert back.json()["errors"][0]["code"] == "status-change"
        # Left: the person may join again, as a new membership.
        rejoined = await join(client, fund["id"], 2, thai_today())
        assert rejoined["id"] != member["id"]

    async def test_an_unknown_fund_in_the_body_names_the_field(
        self, client: httpx.AsyncClient
    ) -> None:
        answer = await client.post(
            "/v1/members",
            json={
                "fund_id": random_id(),
                "national_id": national_id(3),
                "name": "x",
                "joined_on": "2020-01-01",
            },
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["code"] == "unknown-reference"


class TestContributions:
    async def test_contributions_fill_the_books_and_arrears_show_who_stopped(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await register_fund(client)
        start = thai_today() - timedelta(days=364)
        paying = await join(client, fund["id"], 10, start)
        stopped = await join(client, fund["id"], 11, start)
        assert (
            await contribute(client, paying["id"], 36_500, thai_today(), "R-1")
        ).status_code == 201
        assert (await contribute(client, stopped["id"], 10_000, start, "R-2")).status_code == 201

        account = (await client.get(f"/v1/members/{stopped['id']}/account")).json()
        # 365 days at 1 THB = 36,500 satang owed; 10,000 paid.
        assert (account["owed_satang"], account["paid_satang"], account["arrears_satang"]) == (
            36_500,
            10_000,
            26_500,
        )
        assert account["days_behind"] == 265
        arrears = (await client.get(f"/v1/funds/{fund['id']}/arrears")).json()["items"]
        assert [a["member_id"] for a in arrears] == [stopped["id"]]

        books = (await client.get(f"/v1/funds/{fund['id']}/books")).json()
        assert (books["contributions_satang"], books["balance_satang"], books["movements"]) == (
            46_500,
            46_500,
            2,
        )
        assert books["balanced"] is True
        movements = (await client.get(f"/v1/funds/{fund['id']}/movements")).json()["items"]
        assert [m["sequence"] for m in movements] == [1, 2]
        assert sum(m["change_satang"] for m in movements) == books["balance_satang"]

    async def test_refused_contributions_store_nothing(self, client: httpx.AsyncClient) -> None:
        fund = await register_fund(client)
        member = await join(client, fund["id"], 12, date(2020, 1, 1))
        assert (
            await contribute(client, member["id"], 36_500, date(2021, 1, 1), "R-1")
        ).status_code == 201
        same_receipt = await contribute(client, member["id"], 100, date(2021, 1, 2), "R-1")
        assert same_receipt.status_code == 409
        assert same_receipt.json()["errors"][0]["code"] == "reference-used"
        negative = await contribute(client, member["id"], -100, date(2021, 1, 2), "R-2")
        assert negative.status_code == 422
        assert negative.json()["errors"][0]["field"] == "body.amount_satang"
        before = await contribute(client, member["id"], 100, date(2019, 12, 31), "R-3")
        assert (before.status_code, before.json()["errors"][0]["code"]) == (422, "before-joining")
        await client.post(
            f"/v1/members/{member['id']}/status", json={"status": "deceased", "on": "2024-01-01"}
        )
        after_death = await contribute(client, member["id"], 100, date(2024, 2, 1), "R-4")
        assert after_death.status_code == 409
        error = after_death.json()["errors"][0]
        assert (error["field"], error["code"]) == ("body.member_id", "membership-ended")
        unknown = await contribute(client, random_id(), 100, date(2024, 2, 1), "R-5")
        assert unknown.status_code == 422
        books = (await client.get(f"/v1/funds/{fund['id']}/books")).json()
        assert (books["contributions_satang"], books["movements"]) == (36_500, 1)
        assert (await client.get(f"/v1/members/{member['id']}")).json()["paid_satang"] == 36_500

    @pytest.mark.parametrize("kind", ["other_income"])
    async def test_other_income_is_booked_once_per_reference(
        self, client: httpx.AsyncClient, kind: str
    ) -> None:
        fund = await register_fund(client)
        body = {"amount_satang": 50_000, "received_on": "2024-01-01", "reference": "DON-1"}
        assert (await client.post(f"/v1/funds/{fund['id']}/income", json=body)).status_code == 200
        again = await client.post(f"/v1/funds/{fund['id']}/income", json=body)
        assert again.status_code == 409
        books = (await client.get(f"/v1/funds/{fund['id']}/books")).json()
        assert (books[f"{kind}_satang"], books["balance_satang"]) == (50_000, 50_000)

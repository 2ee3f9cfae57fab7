"""Partner access to welfare (docs/adr/0003-partner-access.md), on SQLite and PostgreSQL:
for a caller bound to areas another area's fund, member, claim or match request answers
exactly as a random id, in paths, queries and bodies; a refused write changes nothing;
writes take an Idempotency-Key; national IDs are unmasked only with pii:read, and each
such read is audited."""

from datetime import timedelta
from typing import Any

import httpx
from welfare_testing import (
    KHON_KAEN_TAMBON,
    NATIONAL_SCOPES,
    claim,
    contribute,
    join,
    national_id,
    random_id,
    register_fund,
    years_ago,
)

from baan_shared.auth.scopes import AUDIT_READ, PII_READ
from baan_shared.clock import thai_today
from baan_testkit.auth import ClientFor

BANGKOK_OFFICE = ("bangkok-office", NATIONAL_SCOPES, ["10"])


def _masked(answer: httpx.Response, identifier: str) -> tuple[int, str, Any]:
    body = answer.json()
    text = answer.text.replace(identifier, "<id>")
    return answer.status_code, answer.headers["content-type"], (text if body else body)


async def _khon_kaen_world(client: httpx.AsyncClient) -> dict[str, str]:
    fund = await register_fund(client, KHON_KAEN_TAMBON)
    member = await join(client, fund["id"], 40, years_ago(3))
    await contribute(client, member["id"], 36_500, thai_today(), "KK-1")
    filed = await claim(client, member["id"], "hospital", thai_today(), nights=1)
    assert filed.status_code == 201
    asked = await client.post(
        f"/v1/funds/{fund['id']}/match-requests",
        json={
            "matcher": "agency",
            "amount_satang": 100,
            "requested_by": "x",
            "period_from": thai_today().isoformat(),
            "period_to": thai_today().isoformat(),
        },
    )
    assert asked.status_code == 201
    return {
        "fund": fund["id"],
        "member": member["id"],
        "claim": filed.json()["id"],
        "match": asked.json()["id"],
    }


class TestElsewhereIsNowhere:
    async def test_paths_queries_and_bodies_answer_as_for_a_random_id(
        self, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        ids = await _khon_kaen_world(client)
        books_before = (await client.get(f"/v1/funds/{ids['fund']}/books")).json()
        own = await register_fund(client)
        own_member = await join(client, own["id"], 41, years_ago(2))
        today = thai_today().isoformat()
        async with client_for(*BANGKOK_OFFICE) as bangkok:
            calls = [
                ("GET", "/v1/funds/{}", "fund", {}),
                ("GET", "/v1/funds/{}/members", "fund", {}),
                ("GET", "/v1/funds/{}/books", "fund", {}),
                ("GET", "/v1/funds/{}/movements", "fund", {}),
                ("GET", "/v1/funds/{}/arrears", "fund", {}),
                ("GET", "/v1/funds/{}/claims", "fund", {}),
                ("GET", "/v1/funds/{}/rule-versions", "fund", {}),
                ("GET", "/v1/funds/{}/match-requests", "fund", {}),
                (
                    "POST",
                    "/v1/funds/{}/income",
                    "fund",
                    {"json": {"amount_satang": 1, "received_on": today, "reference": "X"}},
                ),
                (
                    "PUT",
                    "/v1/funds/{}/committee",
                    "fund",
                    {"json": {"members": [{"name": "x", "role": "chair"}]}},
                ),
                ("GET", "/v1/members/{}", "member", {}),
                ("GET", "/v1/members/{}/account", "member", {}),
                ("GET", "/v1/members/{}/contributions", "member", {}),
                (
                    "POST",
                    "/v1/members/{}/status",
                    "member",
                    {"json": {"status": "left", "on": today}},
                ),
                ("GET", "/v1/claims/{}", "claim", {}),
                (
                    "POST",
                    "/v1/claims/{}/decision",
                    "claim",
                    {"json": {"approve": True, "decided_by": "x"}},
                ),
                (
                    "POST",
                    "/v1/match-requests/{}/decision",
                    "match",
                    {"json": {"approve": True, "decided_by": "x"}},
                ),
            ]
            for method, path, kind, request in calls:
                other = ids[kind]
                unknown = random_id()
                elsewhere = await bangkok.request(method, path.format(other), **request)
                nowhere = await bangkok.request(method, path.format(unknown), **request)
                assert elsewhere.status_code == 404, (path, elsewhere.text)
                assert _masked(elsewhere, other) == _masked(nowhere, unknown), path
            bodies = [
                (
                    "/v1/members",
                    "fund_id",
                    {"national_id": national_id(42), "name": "x", "joined_on": today},
                ),
                (
                    "/v1/contributions",
                    "member_id",
                    {"amount_satang": 100, "paid_on": today, "reference": "Y"},
                ),
                (
                    "/v1/claims",
                    "member_id",
                    {"kind": "hospital", "event_date": today, "nights": 1, "claimed_by": "x"},
                ),
            ]
            for path, field, rest in bodies:
                other = ids["fund" if field == "fund_id" else "member"]
                unknown = random_id()
                elsewhere = await bangkok.post(path, json={field: other, **rest})
                nowhere = await bangkok.post(path, json={field: unknown, **rest})
                assert elsewhere.status_code == 422, elsewhere.text
                assert _masked(elsewhere, other) == _masked(nowhere, unknown), path
            # A query naming another area's member inside the caller's own fund finds nothing.
            listed = await bangkok.get(
                f"/v1/funds/{own['id']}/claims", params={"member_id": ids["member"]}
            )
            assert listed.json()["items"] == []
            mine = await bangkok.get(f"/v1/members/{own_member['id']}")
            assert mine.status_code == 200
            listed_funds = (await bangkok.get("/v1/funds")).json()["items"]
            assert [f["id"] for f in listed_funds] == [own["id"]]
        # Nothing of Khon Kaen's changed.
        assert (await client.get(f"/v1/funds/{ids['fund']}/books")).json() == books_before
        assert (await client.get(f"/v1/claims/{ids['claim']}")).json()["status"] == "submitted"
        assert (await client.get(f"/v1/members/{ids['member']}")).json()["status"] == "active"
        requests = (await client.get(f"/v1/funds/{ids['fund']}/match-requests")).json()["items"]
        assert [r["status"] for r in requests] == ["requested"]

    async def test_a_fund_outside_the_clients_areas_cannot_be_registered(
        self, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        async with client_for(*BANGKOK_OFFICE) as bangkok:
            answer = await bangkok.post(
                "/v1/funds",
                json={
                    "kind": "tambon",
                    "name": "x",
                    "subdistrict_code": KHON_KAEN_TAMBON,
                    "registered_on": "2020-01-01",
                },
            )
        assert answer.status_code == 403
        assert answer.json()["errors"][0]["field"] == "body.subdistrict_code"
        assert (await client.get("/v1/funds")).json()["items"] == []


class TestWritesAndPersonalData:
    async def test_a_contribution_sent_twice_with_one_idempotency_key_books_once(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await register_fund(client)
        member = await join(client, fund["id"], 50, years_ago(1))
        body = {
            "member_id": member["id"],
            "amount_satang": 36_500,
            "paid_on": thai_today().isoformat(),
            "reference": "R-IDEM",
        }
        headers = {"Idempotency-Key": "contribution-R-IDEM"}
        first = await client.post("/v1/contributions", json=body, headers=headers)
        second = await client.post("/v1/contributions", json=body, headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json() == second.json()
        other = await client.post(
            "/v1/contributions", json={**body, "amount_satang": 1}, headers=headers
        )
        assert other.status_code == 422
        books = (await client.get(f"/v1/funds/{fund['id']}/books")).json()
        assert (books["contributions_satang"], books["movements"]) == (36_500, 1)

    async def test_national_ids_are_unmasked_only_with_pii_read_and_audited(
        self, client: httpx.AsyncClient, client_for: ClientFor
    ) -> None:
        fund = await register_fund(client)
        member = await join(client, fund["id"], 51, years_ago(1))
        assert "xxxxx" in member["national_id"]
        async with client_for("pii-reader", [*NATIONAL_SCOPES, PII_READ], ["*"]) as reader:
            seen = (await reader.get(f"/v1/members/{member['id']}")).json()
        assert seen["national_id"] == national_id(51)
        async with client_for("auditor", [AUDIT_READ], ["*"]) as auditor:
            log = (await auditor.get("/v1/audit-log", params={"limit": 500})).json()["items"]
        pii_reads = [
            e
            for e in log
            if e.get("client_id") == "pii-reader" and e.get("resource_id") == member["id"]
        ]
        assert pii_reads, log[-3:]

    async def test_a_claim_waits_for_the_waiting_period_whoever_files_it(
        self, client: httpx.AsyncClient
    ) -> None:
        fund = await register_fund(client)
        member = await join(client, fund["id"], 52, thai_today() - timedelta(days=10))
        refused = await claim(client, member["id"], "hospital", thai_today(), nights=1)
        assert refused.json()["errors"][0]["code"] == "waiting-period"

"""A fund committee's claims in batches, on SQLite and PostgreSQL: many claims filed in
one sheet, a meeting's decisions in one call, many approved claims paid in one call.
Each item is judged as the one-by-one routes judge it, all or nothing, every refused
item named by its index, field, value and rule; payments book one movement and publish
the same events per claim as the one-by-one payment."""

from datetime import timedelta
from typing import Any

import httpx
from welfare_testing import (
    BANGKOK_TAMBON,
    KHON_KAEN_TAMBON,
    SEED_003_RULES,
    claim,
    csv_sheet,
    join,
    national_id,
    outbox_events,
    random_id,
    register_fund,
    years_ago,
)

from baan_shared.auth.scopes import WELFARE_DECIDE, WELFARE_READ, WELFARE_WRITE
from baan_shared.clock import thai_today
from baan_testkit.auth import ClientFor

DECIDED_BY = "ที่ประชุมคณะกรรมการ 3/2569"


async def _funded(
    client: httpx.AsyncClient, satang: int = 1_000_000, tambon: str = BANGKOK_TAMBON
) -> dict[str, Any]:
    fund = await register_fund(client, tambon)
    income = await client.post(
        f"/v1/funds/{fund['id']}/income",
        json={"amount_satang": satang, "received_on": thai_today().isoformat(), "reference": "S"},
    )
    assert income.status_code == 200, income.text
    return fund


def _row(member_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "kind": kind,
        "event_date": thai_today().isoformat(),
        "claimed_by": "the member",
        **extra,
    }


async def _file(
    client: httpx.AsyncClient, fund_id: str, rows: list[dict[str, Any]], **headers: str
) -> httpx.Response:
    return await client.post(
        f"/v1/funds/{fund_id}/claim-sheets", json={"rows": rows}, headers=headers
    )


async def _decide(
    client: httpx.AsyncClient, fund_id: str, decisions: list[dict[str, Any]]
) -> httpx.Response:
    return await client.post(
        f"/v1/funds/{fund_id}/claim-decisions",
        json={"decided_by": DECIDED_BY, "decisions": decisions},
    )


async def _pay(
    client: httpx.AsyncClient, fund_id: str, claim_ids: list[str], **headers: str
) -> httpx.Response:
    return await client.post(
        f"/v1/funds/{fund_id}/claim-payments",
        json={"paid_on": thai_today().isoformat(), "claim_ids": claim_ids},
        headers=headers,
    )


async def _claims(client: httpx.AsyncClient, fund_id: str) -> dict[str, str]:
    """Each claim of the fund and its status."""
    answer = await client.get(f"/v1/funds/{fund_id}/claims", params={"limit": 500})
    assert answer.status_code == 200, answer.text
    return {c["id"]: c["status"] for c in answer.json()["items"]}


async def _books(client: httpx.AsyncClient, fund_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/v1/funds/{fund_id}/books")).json())


def _errors(answer: httpx.Response) -> list[tuple[str, str, int]]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [(e["field"], e["code"], e["index"]) for e in answer.json()["errors"]]


async def _approved(
    client: httpx.AsyncClient, fund_id: str, rows: list[dict[str, Any]]
) -> list[str]:
    filed = await _file(client, fund_id, rows)
    assert filed.status_code == 201, filed.text
    ids = [r["claim_id"] for r in filed.json()["results"]]
    decided = await _decide(client, fund_id, [{"claim_id": i, "approve": True} for i in ids])
    assert decided.status_code == 200, decided.text
    return ids


async def test_a_committee_files_decides_and_pays_claims_in_one_call_each(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    a = await join(client, fund["id"], 801, years_ago(2))
    b = await join(client, fund["id"], 802, years_ago(2))
    before = await outbox_events(client)
    rows = [
        _row(a["id"], "hospital", nights=3),
        _row(b["id"], "disaster", amount_satang=150_000),
        _row(a["id"], "childbirth"),
    ]
    filed = await _file(client, fund["id"], rows)
    assert filed.status_code == 201, filed.text
    sheet = filed.json()
    assert (sheet["rows"], sheet["total_satang"]) == (3, 310_000)
    assert [(r["row"], r["member_id"], r["amount_satang"]) for r in sheet["results"]] == [
        (0, a["id"], 60_000),
        (1, b["id"], 150_000),
        (2, a["id"], 100_000),
    ]
    ids = [r["claim_id"] for r in sheet["results"]]
    assert await _claims(client, fund["id"]) == dict.fromkeys(ids, "submitted")

    decided = await _decide(
        client,
        fund["id"],
        [
            {"claim_id": ids[0], "approve": True},
            {"claim_id": ids[1], "approve": True},
            {"claim_id": ids[2], "approve": False, "reason": "no birth certificate"},
        ],
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["approved"], decided.json()["refused"]) == (2, 1)
    assert [(r["index"], r["status"]) for r in decided.json()["results"]] == [
        (0, "approved"),
        (1, "approved"),
        (2, "refused"),
    ]
    refused = (await client.get(f"/v1/claims/{ids[2]}")).json()
    assert (refused["decided_by"], refused["decision_reason"]) == (
        DECIDED_BY,
        "no birth certificate",
    )

    paid = await _pay(client, fund["id"], [ids[1], ids[0]])
    assert paid.status_code == 200, paid.text
    assert (paid.json()["total_satang"], paid.json()["balance_satang"]) == (210_000, 790_000)
    # the seed income was the fund's first movement; each claim is one movement after it
    assert [(r["claim_id"], r["movement_sequence"]) for r in paid.json()["results"]] == [
        (ids[1], 2),
        (ids[0], 3),
    ]
    assert await _claims(client, fund["id"]) == {
        ids[0]: "paid",
        ids[1]: "paid",
        ids[2]: "refused",
    }
    books = await _books(client, fund["id"])
    assert (books["benefits_paid_satang"], books["movements"], books["balanced"]) == (
        210_000,
        3,
        True,
    )
    # One balance change and one benefit paid per claim, each change carrying the
    # totals after it, as two one-by-one payments in that order would publish.
    events = (await outbox_events(client))[len(before) :]
    changes = [data for kind, data in events if kind == "welfare_fund.balance_changed"]
    benefits = [data for kind, data in events if kind == "welfare_benefit.paid"]
    assert len(events) == 4
    assert [(c["sequence"], c["change_satang"], c["balance_satang"]) for c in changes] == [
        (2, -150_000, 850_000),
        (3, -60_000, 790_000),
    ]
    assert [c["reference"] for c in changes] == [f"claim:{ids[1]}", f"claim:{ids[0]}"]
    assert [(p["claim_id"], p["amount_satang"]) for p in benefits] == [
        (ids[1], 150_000),
        (ids[0], 60_000),
    ]


async def test_a_sheet_with_a_refused_claim_files_none_and_names_each_one(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    member = await join(client, fund["id"], 811, years_ago(2))
    newcomer = await join(client, fund["id"], 812, thai_today() - timedelta(days=30))
    before = await outbox_events(client)
    missing = random_id()
    answer = await _file(
        client,
        fund["id"],
        [
            _row(member["id"], "hospital", nights=2),
            _row(missing, "hospital", nights=1),
            _row(member["id"], "hospital"),  # per-night without its nights
            _row(newcomer["id"], "childbirth"),  # in the 180 days' waiting period
        ],
    )
    assert answer.status_code == 422, answer.text
    assert _errors(answer) == [
        ("body.rows.1.member_id", "unknown-reference", 1),
        ("body.rows.2.nights", "nights", 2),
        ("body.rows.3.event_date", "waiting-period", 3),
    ]
    errors = answer.json()["errors"]
    assert (errors[0]["value"], errors[2]["value"]) == (missing, thai_today().isoformat())
    assert "180 days" in errors[2]["reason"]
    assert "3 claims refused" in answer.json()["detail"]
    assert await _claims(client, fund["id"]) == {}
    assert await outbox_events(client) == before


async def test_a_sheets_earlier_claims_use_up_the_yearly_limits_of_its_later_ones(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    a = await join(client, fund["id"], 821, years_ago(2))
    b = await join(client, fund["id"], 822, years_ago(2))
    stored = await claim(client, a["id"], "hospital", thai_today(), nights=4)
    assert stored.status_code == 201
    over = await _file(
        client,
        fund["id"],
        [
            _row(a["id"], "hospital", nights=4),
            _row(a["id"], "hospital", nights=3),  # 4 + 4 + 3 > 10 nights a year
            _row(b["id"], "disaster", amount_satang=1_000),
            _row(b["id"], "disaster", amount_satang=1_000),  # once a year
        ],
    )
    assert over.status_code == 409, over.text
    assert _errors(over) == [
        ("body.rows.1.nights", "nights-per-year", 1),
        ("body.rows.3.kind", "claims-per-year", 3),
    ]
    assert "already has 8" in over.json()["errors"][0]["reason"]
    assert list(await _claims(client, fund["id"])) == [stored.json()["id"]]
    fits = await _file(
        client,
        fund["id"],
        [_row(a["id"], "hospital", nights=4), _row(a["id"], "hospital", nights=2)],
    )
    assert fits.status_code == 201, fits.text
    assert len(await _claims(client, fund["id"])) == 3


async def test_a_meeting_with_one_decision_it_cannot_take_decides_nothing(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    member = await join(client, fund["id"], 831, years_ago(2))
    filed = await _file(
        client,
        fund["id"],
        [_row(member["id"], "hospital", nights=2), _row(member["id"], "childbirth")],
    )
    first, second = (r["claim_id"] for r in filed.json()["results"])
    no_reason = await _decide(
        client,
        fund["id"],
        [{"claim_id": first, "approve": True}, {"claim_id": second, "approve": False}],
    )
    assert no_reason.status_code == 422, no_reason.text
    assert _errors(no_reason) == [("body.decisions.1.reason", "required", 1)]
    twice = await _decide(
        client,
        fund["id"],
        [{"claim_id": first, "approve": True}, {"claim_id": first, "approve": True}],
    )
    assert _errors(twice) == [("body.decisions.1.claim_id", "duplicate-in-list", 1)]
    assert await _claims(client, fund["id"]) == {first: "submitted", second: "submitted"}
    one = await client.post(
        f"/v1/claims/{first}/decision", json={"approve": True, "decided_by": DECIDED_BY}
    )
    assert one.status_code == 200
    again = await _decide(
        client,
        fund["id"],
        [{"claim_id": second, "approve": True}, {"claim_id": first, "approve": True}],
    )
    assert again.status_code == 409, again.text
    assert _errors(again) == [("body.decisions.1.claim_id", "claim-status", 1)]
    assert await _claims(client, fund["id"]) == {first: "approved", second: "submitted"}


async def test_a_meetings_decisions_are_judged_in_the_order_taken(
    client: httpx.AsyncClient,
) -> None:
    """Approvals are judged again under the rules of the event's day: a refusal taken
    earlier in the meeting frees the limit for an approval after it, not before it."""
    fund = await _funded(client)
    member = await join(client, fund["id"], 835, years_ago(2))
    filed = await _file(
        client,
        fund["id"],
        [_row(member["id"], "hospital", nights=4), _row(member["id"], "hospital", nights=4)],
    )
    first, second = (r["claim_id"] for r in filed.json()["results"])
    stricter = {
        "benefits": [
            {**b, "max_nights_per_year": 6} if b["kind"] == "hospital" else b
            for b in SEED_003_RULES["benefits"]
        ]
    }
    adopted = await client.post(
        f"/v1/funds/{fund['id']}/rule-versions",
        json={
            "effective_from": (thai_today() - timedelta(days=1)).isoformat(),
            "adopted_by": "extraordinary meeting",
            "rules": stricter,
        },
    )
    assert adopted.status_code == 201, adopted.text
    refuse_first = {"claim_id": first, "approve": False, "reason": "filed twice"}
    too_late = await _decide(
        client, fund["id"], [{"claim_id": second, "approve": True}, refuse_first]
    )
    assert too_late.status_code == 409, too_late.text
    assert _errors(too_late) == [("body.decisions.0.claim_id", "nights-per-year", 0)]
    assert await _claims(client, fund["id"]) == {first: "submitted", second: "submitted"}
    in_order = await _decide(
        client, fund["id"], [refuse_first, {"claim_id": second, "approve": True}]
    )
    assert in_order.status_code == 200, in_order.text
    assert await _claims(client, fund["id"]) == {first: "refused", second: "approved"}


async def test_payments_the_fund_cannot_cover_together_pay_none(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client, 100_000)
    a = await join(client, fund["id"], 841, years_ago(2))
    b = await join(client, fund["id"], 842, years_ago(2))
    ids = await _approved(
        client,
        fund["id"],
        [_row(a["id"], "hospital", nights=3), _row(b["id"], "hospital", nights=3)],
    )
    short = await _pay(client, fund["id"], ids)  # 120,000 satang from 100,000
    assert short.status_code == 409, short.text
    assert short.json()["errors"][0]["code"] == "fund-balance"
    assert "120000" in short.json()["errors"][0]["reason"]
    assert await _claims(client, fund["id"]) == dict.fromkeys(ids, "approved")
    books = await _books(client, fund["id"])
    assert (books["balance_satang"], books["movements"], books["balanced"]) == (100_000, 1, True)
    one = await _pay(client, fund["id"], ids[:1])
    assert one.status_code == 200, one.text
    assert one.json()["balance_satang"] == 40_000
    paid_twice = await _pay(client, fund["id"], ids)
    assert paid_twice.status_code == 409
    assert _errors(paid_twice) == [("body.claim_ids.0", "claim-status", 0)]


async def test_a_batch_sent_again_with_its_key_answers_the_first_answer_and_acts_once(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    member = await join(client, fund["id"], 851, years_ago(2))
    rows = [_row(member["id"], "hospital", nights=1), _row(member["id"], "hospital", nights=2)]
    filed = await _file(client, fund["id"], rows, **{"Idempotency-Key": "sheet-851"})
    replayed = await _file(client, fund["id"], rows, **{"Idempotency-Key": "sheet-851"})
    assert (filed.status_code, replayed.status_code) == (201, 201)
    assert replayed.json() == filed.json()
    assert replayed.headers["idempotent-replayed"] == "true"
    ids = [r["claim_id"] for r in filed.json()["results"]]
    assert list(await _claims(client, fund["id"])) == ids
    decided = await _decide(client, fund["id"], [{"claim_id": i, "approve": True} for i in ids])
    assert decided.status_code == 200
    paid = await _pay(client, fund["id"], ids, **{"Idempotency-Key": "pay-851"})
    again = await _pay(client, fund["id"], ids, **{"Idempotency-Key": "pay-851"})
    assert (paid.status_code, again.status_code, again.json()) == (200, 200, paid.json())
    books = await _books(client, fund["id"])
    assert (books["benefits_paid_satang"], books["movements"]) == (60_000, 3)


async def test_another_areas_fund_member_or_claim_answers_as_a_random_id_and_changes_nothing(
    client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    own = await _funded(client)
    member = await join(client, own["id"], 861, years_ago(2))
    (own_claim,) = await _approved(
        client, own["id"], [_row(member["id"], "disaster", amount_satang=10)]
    )
    other = await _funded(client, tambon=KHON_KAEN_TAMBON)
    stranger = await join(client, other["id"], 862, years_ago(2))
    (foreign,) = await _approved(client, other["id"], [_row(stranger["id"], "hospital", nights=1)])
    before = (await outbox_events(client), await _books(client, other["id"]))
    scopes = [WELFARE_READ, WELFARE_WRITE, WELFARE_DECIDE]
    async with client_for("welfare-committee-100101", scopes, [BANGKOK_TAMBON]) as committee:

        async def both(
            send: Any, foreign_id: str, *args: Any
        ) -> tuple[tuple[int, str], tuple[int, str]]:
            nowhere = random_id()
            answers = [await send(committee, *args, value) for value in (foreign_id, nowhere)]
            return (
                (answers[0].status_code, answers[0].text.replace(foreign_id, "<id>")),
                (answers[1].status_code, answers[1].text.replace(nowhere, "<id>")),
            )

        async def file(http: httpx.AsyncClient, fund_id: str, member_id: str) -> httpx.Response:
            return await _file(http, fund_id, [_row(member_id, "hospital", nights=1)])

        async def decide(http: httpx.AsyncClient, claim_id: str) -> httpx.Response:
            return await _decide(http, own["id"], [{"claim_id": claim_id, "approve": False}])

        async def pay(http: httpx.AsyncClient, claim_id: str) -> httpx.Response:
            return await _pay(http, own["id"], [own_claim, claim_id])

        async def pay_from(http: httpx.AsyncClient, fund_id: str) -> httpx.Response:
            return await _pay(http, fund_id, [foreign])

        for elsewhere, nowhere in [
            await both(file, stranger["id"], own["id"]),
            await both(decide, foreign),
            await both(pay, foreign),
            await both(pay_from, other["id"]),
        ]:
            assert elsewhere == nowhere
            assert elsewhere[0] in (404, 422), elsewhere
    assert (await outbox_events(client), await _books(client, other["id"])) == before
    assert await _claims(client, other["id"]) == {foreign: "approved"}
    assert await _claims(client, own["id"]) == {own_claim: "approved"}


async def test_a_list_over_the_limit_is_refused_naming_the_limit(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    answer = await _pay(client, fund["id"], [random_id() for _ in range(5_001)])
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["field"] == "body.claim_ids"
    assert "5000" in error["reason"]


CLAIM_HEADER = [
    "รหัสสมาชิก", "เลขประจำตัวประชาชน", "ประเภทสวัสดิการ", "วันที่เกิดเหตุ", "จำนวนคืน",
    "จำนวนเงิน", "ผู้ยื่นคำขอ",
]  # fmt: skip


def _buddhist(day: Any) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


async def _upload(client: httpx.AsyncClient, fund_id: str, rows: list[list[Any]]) -> httpx.Response:
    return await client.post(
        f"/v1/funds/{fund_id}/claim-sheets/file",
        files={"file": ("ใบขอรับสวัสดิการ.csv", csv_sheet(CLAIM_HEADER, rows))},
    )


async def test_a_csv_claim_sheet_with_thai_headers_files_every_row(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    a = await join(client, fund["id"], 871, years_ago(2))
    await join(client, fund["id"], 872, years_ago(2))
    nid = national_id(872)
    dashed = f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"
    day = thai_today()
    answer = await _upload(
        client,
        fund["id"],
        [
            [a["id"], "", "นอนโรงพยาบาล", day.isoformat(), "3", "", "ผู้ป่วย"],
            ["", dashed, "ภัยพิบัติ", _buddhist(day), "", "1,500.50", "บุตร"],
        ],
    )
    assert answer.status_code == 201, answer.text
    assert [(r["row"], r["amount_satang"]) for r in answer.json()["results"]] == [
        (2, 60_000),
        (3, 150_050),
    ]
    assert len(await _claims(client, fund["id"])) == 2


async def test_a_bad_claim_sheet_row_is_named_by_row_column_value_and_rule(
    client: httpx.AsyncClient,
) -> None:
    fund = await _funded(client)
    a = await join(client, fund["id"], 881, years_ago(2))
    day = thai_today().isoformat()
    answer = await _upload(
        client,
        fund["id"],
        [
            [a["id"], "", "ไฟไหม้บ้าน", day, "", "500", "ผู้ขอ"],
            ["", national_id(889), "คลอดบุตร", day, "", "", "ผู้ขอ"],
            [a["id"], "", "นอนโรงพยาบาล", day, "6", "", "ผู้ขอ"],
            [a["id"], "", "นอนโรงพยาบาล", day, "5", "", "ผู้ขอ"],
        ],
    )
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (2, "ประเภทสวัสดิการ", "invalid-kind"),
        (3, "เลขประจำตัวประชาชน", "unknown-reference"),
        (5, "จำนวนคืน", "nights-per-year"),
    ]
    assert errors[0]["value"] == "ไฟไหม้บ้าน"
    assert national_id(889) not in errors[1]["value"]  # masked
    assert errors[2]["value"] == "5"
    assert await _claims(client, fund["id"]) == {}

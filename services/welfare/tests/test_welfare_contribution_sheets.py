"""A fund committee's monthly contribution sheet, on SQLite and PostgreSQL: all rows or
none, each refused row named by its path, one movement on the fund's books."""

from datetime import date
from typing import Any

import httpx
from welfare_testing import KHON_KAEN_TAMBON, join, random_id, register_fund

SHEET_DAY = date(2025, 1, 31)


def _row(member_id: str, reference: str, amount: int = 3_100, **extra: Any) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "paid_on": SHEET_DAY.isoformat(),
        "amount_satang": amount,
        "reference": reference,
        **extra,
    }


async def test_a_sheet_records_every_row_and_books_one_movement(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    members = [await join(client, fund["id"], 100 + i, date(2024, 1, 1)) for i in range(3)]
    rows = [_row(m["id"], f"JAN-{i}") for i, m in enumerate(members)] + [
        _row(members[0]["id"], "JAN-X", 1_000)
    ]
    answer = await client.post(
        f"/v1/funds/{fund['id']}/contribution-sheets", json={"reference": "2025-01", "rows": rows}
    )
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["rows"], result["total_satang"]) == (4, 10_300)
    assert [r["row"] for r in result["results"]] == [0, 1, 2, 3]
    books = (await client.get(f"/v1/funds/{fund['id']}/books")).json()
    assert (books["contributions_satang"], books["movements"], books["balanced"]) == (
        10_300,
        1,
        True,
    )
    first = (await client.get(f"/v1/members/{members[0]['id']}")).json()
    assert first["paid_satang"] == 4_100
    listed = (await client.get(f"/v1/members/{members[0]['id']}/contributions")).json()["items"]
    assert sorted(c["reference"] for c in listed) == ["JAN-0", "JAN-X"]
    again = await client.post(
        f"/v1/funds/{fund['id']}/contribution-sheets", json={"reference": "2025-01", "rows": rows}
    )
    assert (again.status_code, again.json()["errors"][0]["code"]) == (409, "reference-used")


async def test_one_bad_row_refuses_the_sheet_naming_each_row(client: httpx.AsyncClient) -> None:
    fund = await register_fund(client)
    other_fund = await register_fund(client, KHON_KAEN_TAMBON)
    member = await join(client, fund["id"], 110, date(2024, 1, 1))
    late = await join(client, fund["id"], 111, date(2025, 2, 1))
    outsider = await join(client, other_fund["id"], 112, date(2024, 1, 1))
    gone = await join(client, fund["id"], 113, date(2024, 1, 1))
    await client.post(
        f"/v1/members/{gone['id']}/status", json={"status": "left", "on": "2024-12-31"}
    )
    rows = [
        _row(member["id"], "R-1"),
        _row(outsider["id"], "R-2"),
        _row(random_id(), "R-3"),
        _row(late["id"], "R-4"),
        _row(member["id"], "R-1"),
        _row(gone["id"], "R-5"),
        _row(member["id"], "R-6", -5),
    ]
    answer = await client.post(
        f"/v1/funds/{fund['id']}/contribution-sheets", json={"reference": "2025-01", "rows": rows}
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["body.rows.6.amount_satang"]
    # Once every row is well formed, the rules name each refused row.
    rows[6] = _row(member["id"], "R-6")
    answer = await client.post(
        f"/v1/funds/{fund['id']}/contribution-sheets", json={"reference": "2025-01", "rows": rows}
    )
    assert answer.status_code == 422
    named = {(e["field"], e["code"]) for e in answer.json()["errors"]}
    assert named == {
        ("body.rows.1.member_id", "unknown-reference"),
        ("body.rows.2.member_id", "unknown-reference"),
        ("body.rows.3.paid_on", "before-joining"),
        ("body.rows.4.reference", "duplicate-in-sheet"),
        ("body.rows.5.member_id", "membership-ended"),
    }
    books = (await client.get(f"/v1/funds/{fund['id']}/books")).json()
    assert (books["contributions_satang"], books["movements"]) == (0, 0)
    assert (await client.get(f"/v1/members/{member['id']}")).json()["paid_satang"] == 0

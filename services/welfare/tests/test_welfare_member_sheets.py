"""A fund committee's register of members as one sheet (JSON, or a CSV/XLSX file with
Thai headers), on SQLite and PostgreSQL: every row joins as one ``POST /v1/members``
would, with the same event, or none; each refused row named by row, column, value and
rule; the same sheet sent again joins nobody."""

import io
from datetime import date
from typing import Any

import httpx
import xlsxwriter
from welfare_testing import (
    KHON_KAEN_TAMBON,
    csv_sheet,
    join,
    national_id,
    outbox_events,
    register_fund,
    years_ago,
)

THAI_HEADER = ["เลขประจำตัวประชาชน", "ชื่อ-นามสกุล", "วันที่สมัคร"]


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("ทะเบียน")
    sheet.write_row(0, 0, header)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()
    return out.getvalue()


def _dashed(serial: int) -> str:
    nid = national_id(serial)
    return f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"


def _wrong_check_digit(serial: int) -> str:
    nid = national_id(serial)
    return nid[:-1] + str((int(nid[-1]) + 1) % 10)


async def _members(client: httpx.AsyncClient, fund_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/funds/{fund_id}/members", params={"limit": 500})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _row(serial: int, joined_on: date = date(2024, 1, 1), **extra: Any) -> dict[str, Any]:
    return {
        "national_id": national_id(serial),
        "name": f"สมาชิก {serial}",
        "joined_on": joined_on.isoformat(),
        **extra,
    }


async def test_a_sheet_joins_every_row_with_the_single_joins_event_and_flags_other_funds(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    other = await register_fund(client, KHON_KAEN_TAMBON)
    await join(client, other["id"], 402, date(2023, 1, 1))
    single = await join(client, fund["id"], 400, date(2023, 1, 1))
    before = await outbox_events(client)
    rows = [_row(401), _row(402, date(2024, 2, 29)), _row(403)]
    answer = await client.post(f"/v1/funds/{fund['id']}/member-sheets", json={"rows": rows})
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["rows"] == 3
    assert [(r["row"], r["member_of_other_funds"]) for r in result["results"]] == [
        (0, False),
        (1, True),
        (2, False),
    ]
    listed = {m["id"]: m for m in await _members(client, fund["id"])}
    assert set(listed) == {single["id"], *(r["member_id"] for r in result["results"])}
    second = listed[result["results"][1]["member_id"]]
    assert (second["name"], second["joined_on"], second["status"]) == (
        "สมาชิก 402",
        "2024-02-29",
        "active",
    )
    assert second["member_of_other_funds"] is True
    # One welfare_member.joined per member, shaped as the single join's.
    events = (await outbox_events(client))[len(before) :]
    joined = [data for kind, data in events if kind == "welfare_member.joined"]
    assert len(events) == len(joined) == 3
    assert {data["member_id"] for data in joined} == {r["member_id"] for r in result["results"]}
    single_event = next(
        data
        for kind, data in before
        if kind == "welfare_member.joined" and data["member_id"] == single["id"]
    )
    assert [set(data) for data in joined] == [set(single_event)] * 3
    assert {data["welfare_fund_id"] for data in joined} == {fund["id"]}

    # Sent again: nobody joins, every row named as already a member.
    again = await client.post(f"/v1/funds/{fund['id']}/member-sheets", json={"rows": rows})
    assert again.status_code == 409, again.text
    assert [(e["field"], e["code"]) for e in again.json()["errors"]] == [
        (f"body.rows.{n}.national_id", "already-a-member") for n in range(3)
    ]
    assert len(await _members(client, fund["id"])) == 4
    assert len(await outbox_events(client)) == len(before) + 3


async def test_one_bad_row_refuses_the_sheet_naming_each_row_and_joins_nobody(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client, registered_on=years_ago(5))
    held = await join(client, fund["id"], 410, years_ago(1))
    before = await outbox_events(client)
    rows = [
        _row(411, years_ago(1)),
        _row(410, years_ago(1)),  # already a member: a conflict
        _row(412, years_ago(6)),  # before the fund was registered
        _row(411, years_ago(1)),  # twice in the sheet
    ]
    answer = await client.post(f"/v1/funds/{fund['id']}/member-sheets", json={"rows": rows})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("body.rows.2.joined_on", "before-registration"),
        ("body.rows.3.national_id", "duplicate-in-sheet"),
        ("body.rows.1.national_id", "already-a-member"),
    ]
    assert "nobody joined" in problem["detail"]
    # A bad national ID is named by its row as the single join names it.
    bad = await client.post(
        f"/v1/funds/{fund['id']}/member-sheets",
        json={"rows": [_row(413, years_ago(1)), _row(0, national_id=_wrong_check_digit(414))]},
    )
    assert bad.status_code == 422
    (error,) = bad.json()["errors"]
    assert error["field"] == "body.rows.1.national_id"
    assert "check digit" in error["reason"]
    assert [m["id"] for m in await _members(client, fund["id"])] == [held["id"]]
    assert await outbox_events(client) == before


async def test_a_csv_register_with_thai_headers_joins_every_row(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    rows = [
        [_dashed(420), "นายสมชาย ใจงาม", "01/01/2567"],  # a Buddhist-era year
        [national_id(421), "นางสาวสมหญิง รักดี", "2024-03-15"],
    ]
    answer = await client.post(
        f"/v1/funds/{fund['id']}/member-sheets/file",
        files={"file": ("ทะเบียนสมาชิก.csv", csv_sheet(THAI_HEADER, rows))},
    )
    assert answer.status_code == 201, answer.text
    assert [r["row"] for r in answer.json()["results"]] == [2, 3]
    listed = sorted(await _members(client, fund["id"]), key=lambda m: m["name"])
    assert [(m["name"], m["joined_on"]) for m in listed] == [
        ("นางสาวสมหญิง รักดี", "2024-03-15"),
        ("นายสมชาย ใจงาม", "2024-01-01"),
    ]
    again = await client.post(
        f"/v1/funds/{fund['id']}/member-sheets/file",
        files={"file": ("copy.csv", csv_sheet(THAI_HEADER, rows))},
    )
    assert again.status_code == 409
    assert [(e["row"], e["code"]) for e in again.json()["errors"]] == [
        (2, "already-a-member"),
        (3, "already-a-member"),
    ]
    assert len(await _members(client, fund["id"])) == 2


async def test_a_bad_file_row_is_named_by_row_column_value_and_rule(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    rows = [
        [national_id(430), "ผู้ใหม่", "2024-01-01"],
        [_wrong_check_digit(431), "", "31/02/2567"],
        [national_id(432), "ผู้มาก่อน", "2024-01-01"],
        [national_id(430), "ผู้ซ้ำ", "2024-01-01"],
    ]
    answer = await client.post(
        f"/v1/funds/{fund['id']}/member-sheets/file",
        files={"file": ("register.xlsx", _xlsx(THAI_HEADER, rows))},
    )
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (3, "เลขประจำตัวประชาชน", "invalid-national-id"),
        (3, "ชื่อ-นามสกุล", "missing"),
        (3, "วันที่สมัคร", "invalid-date"),
        (5, "เลขประจำตัวประชาชน", "duplicate-in-sheet"),
    ]
    assert "check digit" in errors[0]["reason"]
    assert "xxxxx" in errors[0]["value"]  # a national ID is never echoed whole
    assert errors[2]["value"] == "31/02/2567"
    assert await _members(client, fund["id"]) == []
    missing = await client.post(
        f"/v1/funds/{fund['id']}/member-sheets/file",
        files={"file": ("register.csv", csv_sheet(["เลขประจำตัวประชาชน", "ชื่อ"], rows))},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "file"
    assert "วันที่สมัคร" in missing.json()["errors"][0]["reason"]

"""A fund committee's monthly contribution sheet uploaded as a CSV or XLSX file, on
SQLite and PostgreSQL: Thai headers, all rows or none, each problem named by row,
column, value and rule, and the same file uploaded twice recorded once."""

import io
from datetime import date
from typing import Any

import httpx
import xlsxwriter
from welfare_testing import KHON_KAEN_TAMBON, csv_sheet, join, national_id, random_id, register_fund

from baan_shared.clock import thai_today

THAI_HEADER = ["รหัสสมาชิก", "วันที่ชำระ", "จำนวนเงิน (บาท)", "เลขที่ใบเสร็จ"]


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("มกราคม")
    sheet.write_row(0, 0, header)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(
                    number, column, value, workbook.add_format({"num_format": "dd/mm/yyyy"})
                )
            else:
                sheet.write(number, column, value)
    workbook.close()
    return out.getvalue()


async def _upload(
    client: httpx.AsyncClient, fund_id: str, name: str, content: bytes, **form: str
) -> httpx.Response:
    return await client.post(
        f"/v1/funds/{fund_id}/contribution-sheets/file",
        files={"file": (name, content)},
        data=form,
    )


async def _books(client: httpx.AsyncClient, fund_id: str) -> tuple[int, int]:
    books = (await client.get(f"/v1/funds/{fund_id}/books")).json()
    assert books["balanced"] is True
    return books["contributions_satang"], books["movements"]


async def test_a_csv_sheet_with_thai_headers_records_every_row_once(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    members = [await join(client, fund["id"], 300 + i, date(2024, 1, 1)) for i in range(3)]
    rows = [
        [members[0]["id"], "2025-01-31", "31", "JAN-0"],
        [members[1]["id"], "31/01/2568", "1,095.50", "JAN-1"],  # a Buddhist-era year
        [members[2]["id"], "2025-01-15", "365.5", "JAN-2"],
    ]
    content = csv_sheet(THAI_HEADER, rows)
    answer = await _upload(client, fund["id"], "มกราคม.csv", content)
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["rows"], result["total_satang"]) == (3, 3_100 + 109_550 + 36_550)
    assert [r["row"] for r in result["results"]] == [2, 3, 4]
    assert await _books(client, fund["id"]) == (149_200, 1)
    listed = (await client.get(f"/v1/members/{members[1]['id']}/contributions")).json()["items"]
    assert [(c["paid_on"], c["amount_satang"]) for c in listed] == [("2025-01-31", 109_550)]
    # The same file again, even under another name: nothing more recorded.
    again = await _upload(client, fund["id"], "copy.csv", content)
    assert (again.status_code, again.json()["errors"][0]["code"]) == (409, "reference-used")
    # Its rows under another sheet number: each receipt is already recorded.
    renamed = await _upload(client, fund["id"], "copy.csv", content, reference="2025-01-b")
    assert renamed.status_code == 409
    assert [(e["row"], e["column"], e["code"]) for e in renamed.json()["errors"]] == [
        (2, "เลขที่ใบเสร็จ", "reference-used"),
        (3, "เลขที่ใบเสร็จ", "reference-used"),
        (4, "เลขที่ใบเสร็จ", "reference-used"),
    ]
    assert await _books(client, fund["id"]) == (149_200, 1)


async def test_an_xlsx_sheet_names_members_by_national_id_and_amounts_in_satang(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    first = await join(client, fund["id"], 310, date(2024, 1, 1))
    second = await join(client, fund["id"], 311, date(2024, 1, 1))
    header = ["เลขประจำตัวประชาชน", "วันที่ชำระ", "จำนวนเงิน(สตางค์)", "เลขที่ใบเสร็จ"]
    rows: list[list[Any]] = [
        [national_id(310), date(2025, 2, 28), 3_100, "FEB-1"],
        [int(national_id(311)), "2025-02-27", 2_800, "FEB-2"],  # an ID typed as a number
    ]
    answer = await _upload(client, fund["id"], "feb.xlsx", _xlsx(header, rows), reference="2025-02")
    assert answer.status_code == 201, answer.text
    assert (answer.json()["reference"], answer.json()["total_satang"]) == ("2025-02", 5_900)
    paid = [
        (await client.get(f"/v1/members/{m['id']}")).json()["paid_satang"] for m in (first, second)
    ]
    assert paid == [3_100, 2_800]
    listed = (await client.get(f"/v1/members/{first['id']}/contributions")).json()["items"]
    assert [c["paid_on"] for c in listed] == ["2025-02-28"]


async def test_each_bad_row_is_named_by_row_column_value_and_rule_and_nothing_is_recorded(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    other_fund = await register_fund(client, KHON_KAEN_TAMBON)
    member = await join(client, fund["id"], 320, date(2024, 1, 1))
    late = await join(client, fund["id"], 321, date(2025, 2, 1))
    outsider = await join(client, other_fund["id"], 322, date(2024, 1, 1))
    tomorrow = date.fromordinal(thai_today().toordinal() + 1).isoformat()
    rows = [
        [member["id"], "2025-01-31", "31", "R-1"],  # fine
        ["not-an-id", "2025-01-31", "31", "R-2"],
        [member["id"], "31/13/2568", "31", "R-3"],
        [member["id"], "2025-01-31", "-5", "R-4"],
        [member["id"], "2025-01-31", "31", "R 5"],
        [outsider["id"], "2025-01-31", "31", "R-6"],
        [random_id(), "2025-01-31", "31", "R-7"],
        [late["id"], "2025-01-31", "31", "R-8"],
        [member["id"], "2025-01-31", "31", "R-1"],
        [member["id"], tomorrow, "31", "R-9"],
        [member["id"], "", "31.123", "R-10"],
    ]
    answer = await _upload(client, fund["id"], "jan.csv", csv_sheet(THAI_HEADER, rows))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["detail"] == "10 rows refused; nothing recorded"
    found = [(e["row"], e["column"], e.get("value"), e["code"]) for e in problem["errors"]]
    assert found == [
        (3, "รหัสสมาชิก", "not-an-id", "invalid-member-id"),
        (4, "วันที่ชำระ", "31/13/2568", "invalid-date"),
        (5, "จำนวนเงิน (บาท)", "-5", "invalid-amount"),
        (6, "เลขที่ใบเสร็จ", "R 5", "invalid-reference"),
        (7, "รหัสสมาชิก", outsider["id"], "unknown-reference"),
        (8, "รหัสสมาชิก", rows[6][0], "unknown-reference"),
        (9, "วันที่ชำระ", "2025-01-31", "before-joining"),
        (10, "เลขที่ใบเสร็จ", "R-1", "duplicate-in-sheet"),
        (11, "วันที่ชำระ", tomorrow, "in-the-future"),
        (12, "วันที่ชำระ", None, "missing"),
        (12, "จำนวนเงิน (บาท)", "31.123", "invalid-amount"),
    ]
    reasons = {e["row"]: e["reason"] for e in problem["errors"]}
    assert "'31/13/2568' is not a date" in reasons[4]
    assert "'-5' is not an amount" in reasons[5]
    assert reasons[9] == "the member joined on 2025-02-01"
    assert await _books(client, fund["id"]) == (0, 0)
    assert (await client.get(f"/v1/members/{member['id']}/contributions")).json()["items"] == []


async def test_a_left_members_row_is_a_conflict_naming_the_national_id_masked(
    client: httpx.AsyncClient,
) -> None:
    fund = await register_fund(client)
    gone = await join(client, fund["id"], 330, date(2024, 1, 1))
    await client.post(
        f"/v1/members/{gone['id']}/status", json={"status": "left", "on": "2024-12-31"}
    )
    header = ["เลขประจำตัวประชาชน", "วันที่ชำระ", "จำนวนเงิน", "เลขที่ใบเสร็จ"]
    answer = await _upload(
        client,
        fund["id"],
        "jan.csv",
        csv_sheet(header, [[national_id(330), "2025-01-31", "31", "L-1"]]),
    )
    assert answer.status_code == 409, answer.text
    (error,) = answer.json()["errors"]
    assert (error["row"], error["column"], error["code"]) == (
        2,
        "เลขประจำตัวประชาชน",
        "membership-ended",
    )
    assert national_id(330) not in error["value"] and error["value"].endswith(national_id(330)[-1])
    unknown = await _upload(
        client,
        fund["id"],
        "jan.csv",
        csv_sheet(header, [[national_id(339), "2025-01-31", "31", "L-2"]]),
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (422, "unknown-reference")
    assert await _books(client, fund["id"]) == (0, 0)


async def test_a_file_that_cannot_be_read_is_refused_whole(client: httpx.AsyncClient) -> None:
    fund = await register_fund(client)
    member = await join(client, fund["id"], 340, date(2024, 1, 1))
    row = [[member["id"], "2025-01-31", "31", "U-1"]]
    no_receipts = csv_sheet(["รหัสสมาชิก", "วันที่ชำระ", "จำนวนเงิน"], row)
    thai_windows = "\n".join([",".join(THAI_HEADER), f"{member['id']},2025-01-31,31,U-1"]).encode(
        "cp874"
    )
    cases = {
        "picture.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
        "sheet.csv": no_receipts,
        "tis620.csv": thai_windows,
        "empty.csv": csv_sheet(THAI_HEADER, []),
    }
    reasons = {}
    for name, content in cases.items():
        answer = await _upload(client, fund["id"], name, content)
        assert answer.status_code == 422, (name, answer.text)
        (error,) = answer.json()["errors"]
        assert (error["field"], error["code"], error["value"]) == ("file", "unreadable-sheet", name)
        reasons[name] = error["reason"]
    assert reasons["sheet.csv"] == "the sheet has no column for: เลขที่ใบเสร็จ"
    assert "not UTF-8" in reasons["tis620.csv"]
    assert reasons["empty.csv"] == "the sheet has no rows under its header"
    assert await _books(client, fund["id"]) == (0, 0)

"""Issue 14 for ids inside an uploaded file: a bank statement's CSV (issue 17) names
loans in its rows, where the route walker (which reads ids from the request schema)
cannot see them. Each caller sends a statement of two rows, its own loan and then the
other area's loan, or a random id: once the id is masked the answers are equal (422
naming the row's loan_id, as an unknown loan), and nothing in finance's database
changed. On SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from cross_area.routes import random_id, statement_line
from cross_area.stage import CALLERS, Caller, Stage
from cross_area.walk import MASK, changed, snapshot

STATEMENT_FILE = "/v1/bank-statements/file"


def _csv(*loan_ids: str) -> bytes:
    header = "loan_id,payment_reference,amount_satang,paid_on\n"
    rows = []
    for index, loan_id in enumerate(loan_ids):
        line = statement_line(loan_id, f"STMT-FILE-{index}")
        rows.append(
            f"{line['loan_id']},{line['payment_reference']},{line['amount_satang']},"
            f"{line['paid_on']}\n"
        )
    return (header + "".join(rows)).encode()


@pytest.mark.parametrize("caller", CALLERS, ids=[caller.name for caller in CALLERS])
async def test_another_areas_loan_in_a_statement_file_answers_as_a_random_one(
    stage: Stage, caller: Caller
) -> None:
    world = await stage.world("finance")
    own = world.ids[caller.own]["loan_id"]
    foreign = world.ids[caller.elsewhere]["loan_id"]
    random = random_id()
    before = await snapshot(world)
    answers = []
    async with world.caller(caller) as client:
        for loan_id in (foreign, random):
            response = await client.post(
                STATEMENT_FILE, files={"file": ("statement.csv", _csv(own, loan_id), "text/csv")}
            )
            answers.append(
                (
                    response.status_code,
                    response.headers.get("content-type"),
                    response.text.replace(loan_id, MASK),
                )
            )
    after = await snapshot(world)

    assert answers[0] == answers[1]
    status, _, text = answers[0]
    assert status == 422
    assert '"field":"file.rows.1.loan_id"' in text.replace(" ", "")
    assert not changed(before, after)


def _contribution_sheet(*member_ids: str) -> bytes:
    rows = [f"{member_id},2025-01-31,31,R-FILE-{n}" for n, member_id in enumerate(member_ids)]
    return "\n".join(["รหัสสมาชิก,วันที่ชำระ,จำนวนเงิน,เลขที่ใบเสร็จ", *rows, ""]).encode()


@pytest.mark.parametrize("caller", CALLERS, ids=[caller.name for caller in CALLERS])
async def test_another_areas_member_in_a_contribution_sheet_file_answers_as_a_random_one(
    stage: Stage, caller: Caller
) -> None:
    """Welfare's monthly sheet as a file names members in its rows: the caller's own
    fund's sheet with another area's member answers as with a random id (422 naming
    row 3's รหัสสมาชิก as an unknown member) and records nothing."""
    world = await stage.world("welfare")
    fund = world.ids[caller.own]["fund_id"]
    own = world.ids[caller.own]["member_id"]
    foreign = world.ids[caller.elsewhere]["member_id"]
    random = random_id()
    before = await snapshot(world)
    answers = []
    async with world.caller(caller) as client:
        for member_id in (foreign, random):
            response = await client.post(
                f"/v1/funds/{fund}/contribution-sheets/file",
                files={"file": ("sheet.csv", _contribution_sheet(own, member_id), "text/csv")},
            )
            answers.append(
                (
                    response.status_code,
                    response.headers.get("content-type"),
                    response.text.replace(member_id, MASK),
                )
            )
    after = await snapshot(world)

    assert answers[0] == answers[1]
    status, _, text = answers[0]
    assert status == 422
    assert '"field":"file.rows.3.member_id"' in text.replace(" ", "")
    assert '"code":"unknown-reference"' in text.replace(" ", "")
    assert not changed(before, after)

"""Reading a contribution sheet file (CSV or XLSX): its Thai or English headers and
each row's cells into typed values, every bad cell reported by row and column.

The file itself (type, encoding, header row, cell texts) is read by
``baan_shared.sheets`` exactly as survey's sheets are. Pure functions: the rules
that need the database (the member, the receipt number) are the service's.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from baan_shared.auth.pii import mask_national_id
from baan_shared.clock import thai_today
from baan_shared.sheets import SheetRefused
from welfare.sheets import (
    AMOUNT_SATANG_HEADERS,
    MEMBER_HEADERS,
    Columns,
    find_columns,
    parse_sheet,
    problem,
    read_amount,
    read_member,
    read_past_date,
)

# Each field of a contribution and the headers committees' sheets use for it (Thai first).
HEADERS: dict[str, tuple[str, ...]] = {
    **MEMBER_HEADERS,
    "paid_on": ("วันที่ชำระ", "วันที่จ่าย", "วันที่รับเงิน", "paid_on"),
    "amount_baht": ("จำนวนเงิน(บาท)", "จำนวนเงิน", "เงินสมทบ(บาท)", "เงินสมทบ", "amount_baht"),
    "amount_satang": AMOUNT_SATANG_HEADERS,
    "reference": ("เลขที่ใบเสร็จ", "เลขที่ใบรับเงิน", "reference"),
}

_REFERENCE = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")


def thai_header(field: str) -> str:
    return HEADERS[field][0]


@dataclass(slots=True)
class SheetLine:
    """One row of a sheet as the service checks it; ``at`` locates it for errors."""

    at: int
    member_id: uuid.UUID | None
    national_id: str | None
    paid_on: date
    amount_satang: int
    reference: str
    readable: bool = True  # False: a cell could not be read, its problem is reported


def map_columns(header: list[str]) -> Columns:
    """Column of each field; refuses a sheet without the columns a row needs."""
    columns = find_columns(header, HEADERS)
    index = columns.index
    missing = []
    if "member_id" not in index and "national_id" not in index:
        missing.append(f"{thai_header('member_id')} or {thai_header('national_id')}")
    for field in ("paid_on", "reference"):
        if field not in index:
            missing.append(thai_header(field))
    if "amount_baht" not in index and "amount_satang" not in index:
        missing.append(thai_header("amount_baht"))
    if missing:
        raise SheetRefused(f"the sheet has no column for: {', '.join(missing)}")
    return columns


def parse_rows(
    columns: Columns, rows: Iterator[tuple[int, list[str]]], *, max_rows: int
) -> tuple[list[SheetLine], list[dict[str, Any]]]:
    """Every row's typed values, and a problem for each bad cell (a row may have
    several). Refuses a sheet of no rows or more than ``max_rows``."""

    today = thai_today()  # one date for the whole sheet

    def read_row(row: int, cells: list[str], problems: list[dict[str, Any]]) -> SheetLine | None:
        member_id, national_id = read_member(columns, row, cells, problems)
        paid_on = read_past_date(
            columns, row, cells, problems, "paid_on", today=today,
            missing="the payment date is missing", not_yet="a payment is recorded once made",
        )  # fmt: skip
        amount = read_amount(columns, row, cells, problems)
        reference = columns.cell(cells, "reference")
        if not _REFERENCE.match(reference):
            problems.append(
                problem(
                    columns, row, "reference", reference or None,
                    f"'{reference}' is not a receipt number: 1 to 64 letters, digits "
                    "or . _ / -" if reference else "the receipt number is missing",
                    "invalid-reference" if reference else "missing",
                )
            )  # fmt: skip
        if paid_on is None or amount is None:
            return None
        return SheetLine(row, member_id, national_id, paid_on, amount, reference)

    def unreadable(row: int, cells: list[str]) -> SheetLine:
        reference = columns.cell(cells, "reference")
        return SheetLine(row, None, None, date.min, 0, reference, readable=False)

    return parse_sheet(
        rows, max_rows=max_rows, split="split it by month", read_row=read_row, unreadable=unreadable
    )


def masked(national_id: str) -> str:
    return mask_national_id(national_id)

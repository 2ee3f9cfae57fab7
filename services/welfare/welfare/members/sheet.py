"""Reading a members sheet file (ทะเบียนสมาชิก, CSV or XLSX): its Thai or English
headers and each row's cells into typed values, every bad cell reported by row and
column. Pure functions: the rules that need the database (the fund's registration
day, memberships already held) are the service's."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from baan_shared.auth.pii import mask_national_id
from baan_shared.clock import thai_today
from baan_shared.sheets import SheetRefused
from welfare.members.membership import compact_national_id, national_id_reason
from welfare.sheets import Columns, find_columns, parse_sheet, problem, read_past_date

# Each field of a member and the headers committees' registers use for it (Thai first).
HEADERS: dict[str, tuple[str, ...]] = {
    "national_id": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "national_id"),
    "name": ("ชื่อ-นามสกุล", "ชื่อ-สกุล", "ชื่อสกุล", "ชื่อ", "name"),
    "joined_on": ("วันที่สมัคร", "วันที่เป็นสมาชิก", "วันที่เข้าเป็นสมาชิก", "joined_on"),
}
MAX_NAME = 200


@dataclass(slots=True)
class MemberLine:
    """One row of a members sheet as the service checks it; ``at`` locates it for errors."""

    at: int
    national_id: str
    name: str
    joined_on: date
    readable: bool = True  # False: a cell could not be read, its problem is reported


def map_columns(header: list[str]) -> Columns:
    """Column of each field; refuses a sheet without the columns a row needs."""
    columns = find_columns(header, HEADERS)
    missing = [names[0] for field, names in HEADERS.items() if field not in columns.index]
    if missing:
        raise SheetRefused(f"the sheet has no column for: {', '.join(missing)}")
    return columns


def parse_rows(
    columns: Columns, rows: Iterator[tuple[int, list[str]]], *, max_rows: int
) -> tuple[list[MemberLine], list[dict[str, Any]]]:
    """Every row's typed values, and a problem for each bad cell (a row may have
    several). Refuses a sheet of no rows or more than ``max_rows``."""

    today = thai_today()  # one date for the whole sheet

    def read_row(row: int, cells: list[str], problems: list[dict[str, Any]]) -> MemberLine | None:
        id_text = columns.cell(cells, "national_id")
        if not id_text:
            problems.append(
                problem(
                    columns, row, "national_id", None,
                    "the national ID is missing", "missing",
                )
            )  # fmt: skip
        elif (reason := national_id_reason(id_text)) is not None:
            # the value masked unless its length is wrong (then it is no one's ID)
            shown = compact_national_id(id_text)
            problems.append(
                problem(
                    columns, row, "national_id",
                    mask_national_id(shown) if len(shown) == 13 else id_text,
                    reason, "invalid-national-id",
                )
            )  # fmt: skip
        name = columns.cell(cells, "name").strip()
        if not name or len(name) > MAX_NAME:
            problems.append(
                problem(
                    columns, row, "name", name[:40] + "…" if name else None,
                    f"a name is at most {MAX_NAME} characters" if name
                    else "the member's name is missing",
                    "too-long" if name else "missing",
                )
            )  # fmt: skip
        joined_on = read_past_date(
            columns, row, cells, problems, "joined_on", today=today,
            missing="the joining date is missing", not_yet="a member is registered once joined",
        )  # fmt: skip
        if joined_on is None:
            return None
        return MemberLine(row, compact_national_id(id_text), name, joined_on)

    def unreadable(row: int, cells: list[str]) -> MemberLine:
        name = columns.cell(cells, "name").strip()
        return MemberLine(row, "", name, date.min, readable=False)

    return parse_sheet(
        rows, max_rows=max_rows, split="split it", read_row=read_row, unreadable=unreadable
    )

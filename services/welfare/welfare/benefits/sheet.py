"""Reading a claim sheet file (ใบขอรับสวัสดิการ, CSV or XLSX): its Thai or English
headers and each row's cells into typed values, every bad cell reported by row and
column. Pure functions: the fund's rules and its members are the service's."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from baan_shared.clock import thai_today
from baan_shared.sheets import SheetRefused
from welfare.funds.rules import BenefitKind
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

# Each field of a claim and the headers committees' sheets use for it (Thai first).
HEADERS: dict[str, tuple[str, ...]] = {
    **MEMBER_HEADERS,
    "kind": ("ประเภทสวัสดิการ", "สวัสดิการ", "kind"),
    "event_date": ("วันที่เกิดเหตุ", "วันที่เกิด", "event_date"),
    "nights": ("จำนวนคืน", "nights"),
    "amount_baht": ("จำนวนเงิน(บาท)", "จำนวนเงิน", "amount_baht"),
    "amount_satang": AMOUNT_SATANG_HEADERS,
    "claimed_by": ("ผู้ยื่นคำขอ", "ผู้ขอรับ", "claimed_by"),
    "note": ("หมายเหตุ", "note"),
}

# A benefit as committees write it: Thai or the API's own word.
KINDS: dict[str, BenefitKind] = {
    "คลอดบุตร": BenefitKind.CHILDBIRTH,
    "นอนโรงพยาบาล": BenefitKind.HOSPITAL,
    "ภัยพิบัติ": BenefitKind.DISASTER,
    "เสียชีวิต": BenefitKind.DEATH,
    "ผู้สูงอายุ": BenefitKind.ELDERLY,
    "ผู้พิการ": BenefitKind.DISABILITY,
    "ทุนการศึกษา": BenefitKind.EDUCATION,
    "เจ็บป่วย": BenefitKind.ILLNESS,
    **{kind.value: kind for kind in BenefitKind},
}
MAX_TEXT = 200
MAX_NOTE = 2000
MAX_NIGHTS = 366


@dataclass(slots=True)
class ClaimLine:
    """One row of a claim sheet as the service checks it; ``at`` locates it for errors."""

    at: int
    member_id: uuid.UUID | None
    national_id: str | None
    kind: BenefitKind
    event_date: date
    nights: int | None
    amount_satang: int | None
    claimed_by: str
    note: str | None
    readable: bool = True  # False: a cell could not be read, its problem is reported


def map_columns(header: list[str]) -> Columns:
    """Column of each field; refuses a sheet without the columns every row needs."""
    columns = find_columns(header, HEADERS)
    missing = []
    if "member_id" not in columns.index and "national_id" not in columns.index:
        missing.append(f"{HEADERS['member_id'][0]} or {HEADERS['national_id'][0]}")
    missing += [
        HEADERS[f][0] for f in ("kind", "event_date", "claimed_by") if f not in columns.index
    ]
    if missing:
        raise SheetRefused(f"the sheet has no column for: {', '.join(missing)}")
    return columns


def parse_rows(
    columns: Columns, rows: Iterator[tuple[int, list[str]]], *, max_rows: int
) -> tuple[list[ClaimLine], list[dict[str, Any]]]:
    """Every row's typed values, and a problem for each bad cell (a row may have
    several). Refuses a sheet of no rows or more than ``max_rows``."""

    today = thai_today()  # one date for the whole sheet

    def read_row(row: int, cells: list[str], problems: list[dict[str, Any]]) -> ClaimLine | None:
        member_id, national_id = read_member(columns, row, cells, problems)
        kind_text = columns.cell(cells, "kind").strip()
        kind = KINDS.get(kind_text) or KINDS.get(kind_text.lower())
        if kind is None:
            problems.append(
                problem(
                    columns, row, "kind", kind_text or None,
                    f"'{kind_text}' is no benefit: write one of {', '.join(list(KINDS)[:8])}"
                    if kind_text else "the benefit is missing",
                    "invalid-kind" if kind_text else "missing",
                )
            )  # fmt: skip
        event_date = read_past_date(
            columns, row, cells, problems, "event_date", today=today,
            missing="the event's date is missing", not_yet="a claim is filed once it happened",
        )  # fmt: skip
        nights_text = columns.cell(cells, "nights").strip()
        nights = int(nights_text) if nights_text.isdigit() else None
        if nights_text and (nights is None or not 1 <= nights <= MAX_NIGHTS):
            problems.append(
                problem(
                    columns, row, "nights", nights_text,
                    f"'{nights_text}' is not a number of nights: 1 to {MAX_NIGHTS}",
                    "invalid-nights",
                )
            )  # fmt: skip
        amount = None
        if columns.cell(cells, "amount_baht") or columns.cell(cells, "amount_satang"):
            amount = read_amount(columns, row, cells, problems)
        claimed_by = columns.cell(cells, "claimed_by").strip()
        if not claimed_by or len(claimed_by) > MAX_TEXT:
            problems.append(
                problem(
                    columns, row, "claimed_by", claimed_by[:40] + "…" if claimed_by else None,
                    f"at most {MAX_TEXT} characters" if claimed_by
                    else "who claims is missing (the member, or the heirs or family)",
                    "too-long" if claimed_by else "missing",
                )
            )  # fmt: skip
        note = columns.cell(cells, "note").strip() or None
        if note is not None and len(note) > MAX_NOTE:
            problems.append(
                problem(
                    columns, row, "note", note[:40] + "…",
                    f"a note is at most {MAX_NOTE} characters", "too-long",
                )
            )  # fmt: skip
        if kind is None or event_date is None:
            return None
        return ClaimLine(
            row, member_id, national_id, kind, event_date, nights, amount, claimed_by, note
        )

    def unreadable(row: int, cells: list[str]) -> ClaimLine:
        return ClaimLine(
            row, None, None, BenefitKind.CHILDBIRTH, date.min, None, None, "", None,
            readable=False,
        )  # fmt: skip

    return parse_sheet(
        rows, max_rows=max_rows, split="split it", read_row=read_row, unreadable=unreadable
    )

"""House work lists as files for the agency's spreadsheets: CSV and XLSX.

CSV starts with a UTF-8 byte-order mark so that Excel opens Thai text as Thai
rather than mojibake; XLSX stores text as Unicode natively. Money stays in
integer satang, as everywhere in the API, and dates are ISO (C.E.) dates.
Plain functions over rows: tests need no database.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

import xlsxwriter

from construction.house_works.repository import Row

COLUMNS: tuple[str, ...] = (
    "id",
    "household_id",
    "community_id",
    "programme",
    "province_code",
    "district_code",
    "subdistrict_code",
    "project_id",
    "project_name",
    "work_type",
    "status",
    "hold_reason",
    "progress_percent",
    "last_milestone",
    "planned_on",
    "due_on",
    "ready_on",
    "started_on",
    "completed_on",
    "estimated_cost_satang",
    "actual_cost_satang",
    "labour_days",
    "cancel_reason",
)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def record(row: Row) -> dict[str, Any]:
    work = row.work
    values: dict[str, Any] = {c: getattr(work, c, None) for c in COLUMNS}
    values["project_name"] = row.project_name
    values["due_on"] = work.planned_end_on or row.project_end
    return values


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | str):
        return value
    return str(value)


def to_csv(rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        values = record(row)
        writer.writerow([_text(values[c]) for c in COLUMNS])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Iterable[Row]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("house_works")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    for index, row in enumerate(rows, start=1):
        values = record(row)
        sheet.write_row(index, 0, [_text(values[c]) for c in COLUMNS])
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()

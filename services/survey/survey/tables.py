"""Writing tables as CSV or XLSX files: list exports and error reports share it."""

import csv
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

import xlsxwriter


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    TableFormat.CSV: "text/csv; charset=utf-8",
    TableFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_table(fmt: TableFormat, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    if fmt == TableFormat.CSV:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        # A byte-order mark makes Excel open UTF-8 Thai text correctly.
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, list(header))
    for index, row in enumerate(rows, start=1):
        # Write every cell as text or number as given: national IDs and codes stay text.
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                sheet.write_string(index, column, str(value))
            else:
                sheet.write_number(index, column, value)
    workbook.close()
    return buffer.getvalue()


def download(fmt: TableFormat, name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}.{fmt.value}"'}

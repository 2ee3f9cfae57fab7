"""Writing a table as CSV (UTF-8 with a byte-order mark, so Excel shows Thai) or XLSX."""

import csv
import io
from enum import StrEnum

import xlsxwriter

from reporting.exports.tables import Table


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def as_of_label(table: Table) -> str:
    stamp = table.as_of.isoformat() if table.as_of else "-"
    return f"ข้อมูล ณ / As of (UTC): {stamp}"


def to_csv(table: Table) -> bytes:
    """One header row (Thai / English), then the rows: a table any tool can load."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    writer.writerows(table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """Title rows in both languages and the freshness, then the header and the rows;
    figures are numbers, not text."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(table.name[:31])
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format({"bold": True, "text_wrap": True, "bottom": 1})
    sheet.write_string(0, 0, table.title_th, bold)
    sheet.write_string(1, 0, table.title_en, bold)
    sheet.write_string(2, 0, as_of_label(table))
    first = 4
    for col, column in enumerate(table.columns):
        sheet.write_string(first, col, column.label, header)
        sheet.set_column(col, col, max(12, min(40, len(column.label))))
    for r, row in enumerate(table.rows, start=first + 1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value)
    sheet.freeze_panes(first + 1, 0)
    workbook.close()
    return out.getvalue()


def render(table: Table, export_format: ExportFormat) -> bytes:
    return to_csv(table) if export_format == ExportFormat.CSV else to_xlsx(table)

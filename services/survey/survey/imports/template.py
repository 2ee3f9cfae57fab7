"""The survey sheet as a surveyor fills it in: a template file and the API docs' guide.

One list of columns (Thai header, example, what it holds) feeds the template
(CSV, or XLSX with a members sheet and a sheet of coded answers) and the text
of ``POST /v1/household-imports`` in the OpenAPI document, so the headers and
codes a partner reads are the ones the import accepts.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

import xlsxwriter

from survey.households.schemas import MAX_HOUSEHOLD_SIZE
from survey.imports import rules, sheet


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    example: str
    required: bool
    meaning: str


COLUMNS = (
    Column("programme", "โครงการ", "บ้านพอเพียงชนบท", True, "programme: see the codes"),
    Column("head_name", "ชื่อหัวหน้าครัวเรือน", "นางสมศรี ใจดี", True, "head of household"),
    Column(
        "national_id",
        "เลขประจำตัวประชาชน",
        "3100500000011",
        True,
        "the head's Thai national ID, 13 digits (dashes allowed)",
    ),
    Column("phone", "เบอร์โทรศัพท์", "081-234-5678", False, "phone, at most 20 characters"),
    Column("province_code", "รหัสจังหวัด", "57", True, "province, 2 digits (DOPA code)"),
    Column("district_code", "รหัสอำเภอ", "5701", True, "district, 4 digits, in the province"),
    Column(
        "subdistrict_code", "รหัสตำบล", "570101", True, "sub-district, 6 digits, in the district"
    ),
    Column("village", "หมู่บ้าน", "หมู่ 3", False, "village or community"),
    Column(
        "household_size",
        "จำนวนสมาชิก",
        "4",
        True,
        f"persons in the household, 1 to {MAX_HOUSEHOLD_SIZE}",
    ),
    Column(
        "monthly_income_baht",
        "รายได้ต่อเดือน (บาท)",
        "4500.50",
        True,
        "household income a month in baht, 0 or more, at most 2 decimals",
    ),
    Column("need", "ความต้องการ", "ซ่อมแซม", True, "what the household needs: see the codes"),
    Column(
        "estimated_cost_baht",
        "ค่าใช้จ่ายประมาณการ (บาท)",
        "20000",
        True,
        "estimated cost in baht, 0 or more",
    ),
    Column("house_condition", "สภาพบ้าน", "ชำรุดทรุดโทรม", False, "see the codes"),
    Column("land_tenure", "สิทธิในที่ดิน", "เช่า", False, "see the codes"),
    Column("land_parcel_ref", "เลขที่เอกสารสิทธิ์", "", False, "title deed or parcel number"),
    Column("notes", "หมายเหตุ", "", False, "anything else, at most 4,000 characters"),
)
MEMBER_COLUMNS = (
    Column(
        "head_national_id",
        "เลขประจำตัวประชาชนหัวหน้าครัวเรือน",
        "3100500000011",
        True,
        "the head's national ID, as on the households sheet",
    ),
    Column("age", "อายุ", "72", True, "age in years, 0 to 130"),
    Column("sex", "เพศ", "หญิง", True, "see the codes"),
    Column("disability", "พิการ", "ไม่ใช่", False, "ใช่ or ไม่ใช่ (yes or no)"),
    Column("chronic_illness", "โรคเรื้อรัง", "ใช่", False, "ใช่ or ไม่ใช่ (yes or no)"),
)
CODED = ("programme", "need", "house_condition", "land_tenure", "sex")
HOUSEHOLDS_SHEET_NAME = "ครัวเรือน"
MEMBERS_SHEET_NAME = "สมาชิก"
CODES_SHEET_NAME = "รหัส"


def coded_answers(programme_names: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(field, answer, code) for every Thai answer of every coded column."""
    found: list[tuple[str, str, str]] = []
    for field in CODED:
        thai = dict(rules.THAI_ANSWERS.get(field, {}))
        if field == "programme" and programme_names:
            thai |= {n: c for n, c in programme_names.items() if not n.isascii()}
        found.extend((field, answer, str(code)) for answer, code in thai.items())
    return found


def _header_of(field: str) -> str:
    column = next((c for c in (*COLUMNS, *MEMBER_COLUMNS) if c.field == field), None)
    return column.header if column else field


def template_csv() -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    # A byte-order mark makes Excel open UTF-8 Thai text correctly.
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def template_xlsx(programme_names: Mapping[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})  # IDs and codes stay text in Excel
    for name, columns in (
        (HOUSEHOLDS_SHEET_NAME, COLUMNS),
        (MEMBERS_SHEET_NAME, MEMBER_COLUMNS),
    ):
        worksheet = workbook.add_worksheet(name)
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, max(12, len(column.header) + 4), text)
            worksheet.write_string(0, index, column.header, bold)
            if column.example:
                worksheet.write_string(1, index, column.example)
            worksheet.write_comment(0, index, column.meaning)
    codes = workbook.add_worksheet(CODES_SHEET_NAME)
    codes.write_row(0, 0, ["คอลัมน์ (column)", "คำตอบ (answer)", "รหัส (code)"], bold)
    codes.set_column(0, 2, 36)
    for row, (field, answer, code) in enumerate(coded_answers(programme_names), start=1):
        codes.write_row(row, 0, [_header_of(field), answer, code])
    workbook.close()
    return buffer.getvalue()


def guide() -> str:
    """The columns and codes, as Markdown for the import endpoint's description."""
    lines = [
        "**Columns** (Thai or English headers; case and spaces do not matter; "
        "`GET /v1/household-imports/template` gives a file to fill in):",
        "",
        "| column | also accepted | required | holds |",
        "|---|---|---|---|",
    ]
    for column in COLUMNS:
        others = [h for h in sheet.HEADERS[column.field] if h != column.header]
        lines.append(
            f"| {column.header} | {', '.join(others)} | {'yes' if column.required else 'no'} "
            f"| {column.meaning} |"
        )
    lines += [
        "",
        "Money may also come in satang: `monthly_income_satang`, `estimated_cost_satang`. "
        "Members (one row per person) come on a workbook sheet named "
        f"{', '.join(sheet.MEMBER_SHEET_NAMES)}, or as `members_file`:",
        "",
        "| column | required | holds |",
        "|---|---|---|",
    ]
    for column in MEMBER_COLUMNS:
        lines.append(
            f"| {column.header} | {'yes' if column.required else 'no'} | {column.meaning} |"
        )
    lines += ["", "**Coded answers** (the Thai answer or the code):", ""]
    lines += ["| column | answer | code |", "|---|---|---|"]
    lines += [f"| {_header_of(f)} | {a} | `{c}` |" for f, a, c in coded_answers()]
    lines += [
        "",
        "The programme column also accepts every name `GET /v1/programmes` lists "
        "(`name_th`, `name_en`). Yes/no columns accept ใช่, มี, yes, y, 1 and ไม่ใช่, "
        "ไม่มี, no, n, 0.",
    ]
    return "\n".join(lines)

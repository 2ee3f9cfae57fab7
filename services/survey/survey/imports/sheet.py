"""Reading a survey sheet: its Thai or English headers (file type, encoding and cell
texts are read by ``baan_shared.sheets``, as every service's sheets are).

"""

from collections.abc import Iterator
from typing import IO

from baan_shared.sheets import (
    HEAD_BYTES,
    SheetRefused,
    check_utf8,
    count_csv_rows,
    detect_format,
    read_named_sheet,
    read_rows,
)
from baan_shared.sheets import header_key as _key

__all__ = [
    "HEAD_BYTES",
    "SheetRefused",
    "check_utf8",
    "count_csv_rows",
    "detect_format",
    "read_rows",
]


# Each field of a household and the headers survey sheets use for it.
HEADERS: dict[str, tuple[str, ...]] = {
    "programme": ("programme", "โครงการ"),
    "head_name": ("head_name", "ชื่อหัวหน้าครัวเรือน", "ชื่อ-สกุลหัวหน้าครัวเรือน", "หัวหน้าครัวเรือน"),
    "national_id": ("national_id", "เลขประจำตัวประชาชน", "เลขบัตรประชาชน"),
    "phone": ("phone", "โทรศัพท์", "เบอร์โทรศัพท์"),
    "province_code": ("province_code", "รหัสจังหวัด"),
    "district_code": ("district_code", "รหัสอำเภอ"),
    "subdistrict_code": ("subdistrict_code", "รหัสตำบล"),
    "village": ("village", "หมู่บ้าน", "ชุมชน", "หมู่บ้าน/ชุมชน"),
    "household_size": ("household_size", "จำนวนสมาชิก", "จำนวนสมาชิกในครัวเรือน"),
    "monthly_income_satang": ("monthly_income_satang",),
    "monthly_income_baht": ("monthly_income_baht", "รายได้ต่อเดือน", "รายได้ต่อเดือน(บาท)"),
    "need": ("need", "ความต้องการ"),
    "estimated_cost_satang": ("estimated_cost_satang",),
    "estimated_cost_baht": ("estimated_cost_baht", "ค่าใช้จ่ายประมาณการ", "ค่าใช้จ่ายประมาณการ(บาท)"),
    "house_condition": ("house_condition", "สภาพบ้าน"),
    "land_tenure": ("land_tenure", "สิทธิในที่ดิน"),
    "land_parcel_ref": ("land_parcel_ref", "เลขที่เอกสารสิทธิ์", "แปลงที่ดิน"),
    "notes": ("notes", "หมายเหตุ"),
}
_FIELD_OF_HEADER = {_key(h): field for field, headers in HEADERS.items() for h in headers}

REQUIRED = (
    "head_name",
    "national_id",
    "province_code",
    "district_code",
    "subdistrict_code",
    "household_size",
    "need",
)

# A members sheet: one row per person, tied to the household by its head's national ID.
MEMBER_HEADERS: dict[str, tuple[str, ...]] = {
    "head_national_id": (
        "head_national_id",
        "national_id",
        "เลขประจำตัวประชาชนหัวหน้าครัวเรือน",
        "เลขบัตรประชาชนหัวหน้าครัวเรือน",
        "เลขประจำตัวประชาชน",
    ),
    "age": ("age", "อายุ"),
    "sex": ("sex", "เพศ"),
    "disability": ("disability", "พิการ", "ความพิการ"),
    "chronic_illness": ("chronic_illness", "โรคเรื้อรัง", "ป่วยเรื้อรัง"),
}
_MEMBER_FIELD_OF_HEADER = {
    _key(h): field for field, headers in MEMBER_HEADERS.items() for h in headers
}
MEMBER_REQUIRED = ("head_national_id", "age", "sex")
# The sheet of an XLSX workbook that lists members, by any of these names.
MEMBER_SHEET_NAMES = ("members", "สมาชิก", "สมาชิกในครัวเรือน")


def map_member_headers(header: list[str]) -> dict[int, str]:
    return {
        i: _MEMBER_FIELD_OF_HEADER[_key(h)]
        for i, h in enumerate(header)
        if _key(h) in _MEMBER_FIELD_OF_HEADER
    }


def read_member_sheet(file: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]] | None:
    """The members sheet of a workbook, if it has one (by name, Thai or English)."""
    return read_named_sheet(file, MEMBER_SHEET_NAMES)


def map_headers(header: list[str]) -> dict[int, str]:
    """Column index → household field; unknown columns are ignored."""
    return {
        i: _FIELD_OF_HEADER[_key(h)] for i, h in enumerate(header) if _key(h) in _FIELD_OF_HEADER
    }


def missing_columns(fields: set[str], *, programme_given: bool) -> list[str]:
    missing = [f for f in REQUIRED if f not in fields]
    if not programme_given and "programme" not in fields:
        missing.append("programme")
    for money in ("monthly_income", "estimated_cost"):
        if f"{money}_satang" not in fields and f"{money}_baht" not in fields:
            missing.append(f"{money}_baht")
    return missing


def thai_header(field: str) -> str:
    """The Thai header a sheet uses for this field (its first), else the field's name."""
    return next((h for h in HEADERS.get(field, ()) if not h.isascii()), field)

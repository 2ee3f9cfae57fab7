"""Reading a survey sheet: file type, encoding, Thai or English headers, cell values.

Plain functions over a binary file: rows are yielded one by one, so a CSV is
streamed; an XLSX is parsed by calamine (Rust), which holds the sheet's cells in
memory but reads 100,000 rows in seconds.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO, Any

import python_calamine


class SheetRefused(Exception):
    """The file as a whole cannot be read: nothing from it is imported."""


def _key(header: str) -> str:
    return "".join(header.lower().split())


def count_csv_rows(file: IO[bytes]) -> int:
    """Data rows of a CSV (lines after the header that hold a value), for progress.

    A streaming pass of its own, like ``check_utf8``; rewinds the file.
    """
    try:
        text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        next(reader, None)
        return sum(1 for row in reader if any(cell.strip() for cell in row))
    finally:
        text.detach()
        file.seek(0)


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

# Bytes read from a file's start to tell its type.
HEAD_BYTES = 4096
# How other files a person may pick by mistake begin: never a text CSV's first bytes.
_BINARY_STARTS = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
)


def detect_format(filename: str, head: bytes) -> str:
    """``csv`` or ``xlsx``, from the name and the first bytes (``HEAD_BYTES`` of
    them); anything else is refused."""
    name = filename.lower()
    if head.startswith(b"PK\x03\x04"):
        if not name.endswith((".xlsx", ".xlsm")):
            raise SheetRefused(f"{filename} is a zip archive; only .xlsx workbooks are read")
        return "xlsx"
    if name.endswith(".xls") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetRefused("old Excel .xls files are not read: save the sheet as .xlsx or CSV")
    if name.endswith(".csv") or name.endswith(".txt"):
        if b"\x00" in head or head.startswith(_BINARY_STARTS):
            raise SheetRefused(f"{filename} is not a text CSV (it contains binary data)")
        return "csv"
    raise SheetRefused(f"{filename}: upload a .csv (UTF-8) or .xlsx file")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a national ID or a code typed as a number
    return str(value).strip()


def read_rows(fmt: str, file: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row as written, and (sheet row number, cell texts) for each later row."""
    if fmt == "csv":
        return _read_csv(file)
    return _read_xlsx(file)


def _read_csv(file: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise SheetRefused("the file is empty") from None
    except UnicodeDecodeError:
        raise SheetRefused(_NOT_UTF8) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(reader, start=2):
                if any(cell.strip() for cell in row):
                    yield number, [cell.strip() for cell in row]
        except UnicodeDecodeError:
            raise SheetRefused(_NOT_UTF8) from None

    return [h.strip() for h in header], rows()


_NOT_UTF8 = (
    "the CSV is not UTF-8 encoded (e.g. saved as Thai Windows-874): "
    "save it as 'CSV UTF-8' and upload again"
)


def check_utf8(file: IO[bytes]) -> None:
    """Decode the whole CSV once before importing, so a bad byte late in the file
    refuses the upload instead of failing half-way."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise SheetRefused(_NOT_UTF8) from None
    finally:
        file.seek(0)


def _read_xlsx(file: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(file)
        sheet = workbook.get_sheet_by_index(0)
        iterator = iter(sheet.iter_rows())
        header = next(iterator)
    except StopIteration:
        raise SheetRefused("the workbook's first sheet is empty") from None
    except Exception as exc:  # calamine raises several types for a damaged workbook
        raise SheetRefused(f"the workbook cannot be read: {exc}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(iterator, start=2):
            cells = [_text(v) for v in row]
            if any(cells):
                yield number, cells

    return [_text(h) for h in header], rows()


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
    file.seek(0)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(file)
        names = {_key(n): n for n in workbook.sheet_names}
        name = next((names[_key(n)] for n in MEMBER_SHEET_NAMES if _key(n) in names), None)
        if name is None:
            return None
        iterator = iter(workbook.get_sheet_by_name(name).iter_rows())
        header = next(iterator)
    except StopIteration:
        return None
    except Exception as exc:  # calamine raises several types for a damaged workbook
        raise SheetRefused(f"the workbook cannot be read: {exc}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(iterator, start=2):
            cells = [_text(v) for v in row]
            if any(cells):
                yield number, cells

    return [_text(h) for h in header], rows()


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

"""Reading an uploaded sheet (CSV or XLSX): file type, encoding, header keys, cell text.

Shared by every service that takes a committee's or a surveyor's spreadsheet
(survey's household imports and plans, welfare's contribution sheets), so that a
file is accepted or refused for the same reasons, in the same words, everywhere.
Plain functions over a binary file: a CSV is streamed row by row; an XLSX is parsed
by calamine (Rust), which holds the sheet's cells in memory but reads 100,000 rows
in seconds.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO, Any

import python_calamine


class SheetRefused(Exception):
    """The file as a whole cannot be read: nothing from it is imported."""


def header_key(header: str) -> str:
    """A header as compared: lower case, no spaces (``รายได้ต่อเดือน (บาท)`` matches
    ``รายได้ต่อเดือน(บาท)``)."""
    return "".join(header.lower().split())


def cell_text(value: Any) -> str:
    """A cell as text; a whole number typed as a number loses its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a national ID or a code typed as a number
    return str(value).strip()


def count_csv_rows(file: IO[bytes]) -> int:
    """Data rows of a CSV (lines after the header that hold a value), for progress.

    A streaming pass of its own, like ``check_utf8``; rewinds the file.
    """
    try:
        text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        next(reader, None)
        # A row holds a value when its cells joined hold a non-space: no loop per cell.
        return sum(map(bool, map(str.strip, map("".join, reader))))
    finally:
        text.detach()
        file.seek(0)


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


def read_rows(fmt: str, file: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row as written, and (sheet row number, cell texts) for each later row
    that holds a value (the header is row 1)."""
    if fmt == "csv":
        return _read_csv(file)
    return _read_xlsx(file)


NOT_UTF8 = (
    "the CSV is not UTF-8 encoded (e.g. saved as Thai Windows-874): "
    "save it as 'CSV UTF-8' and upload again"
)


def _read_csv(file: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise SheetRefused("the file is empty") from None
    except UnicodeDecodeError:
        raise SheetRefused(NOT_UTF8) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(reader, start=2):
                if any(cell.strip() for cell in row):
                    yield number, [cell.strip() for cell in row]
        except UnicodeDecodeError:
            raise SheetRefused(NOT_UTF8) from None

    return [h.strip() for h in header], rows()


def check_utf8(file: IO[bytes]) -> None:
    """Decode the whole CSV once before importing, so a bad byte late in the file
    refuses the upload instead of failing half-way."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise SheetRefused(NOT_UTF8) from None
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
    return [cell_text(h) for h in header], _cells(iterator)


def _cells(iterator: Iterator[list[Any]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(iterator, start=2):
        cells = [cell_text(v) for v in row]
        if any(cells):
            yield number, cells


def read_named_sheet(
    file: IO[bytes], names: tuple[str, ...]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]] | None:
    """The first sheet of a workbook named any of ``names`` (compared as headers are),
    or None if it has none (or it is empty)."""
    file.seek(0)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(file)
        present = {header_key(n): n for n in workbook.sheet_names}
        name = next((present[header_key(n)] for n in names if header_key(n) in present), None)
        if name is None:
            return None
        iterator = iter(workbook.get_sheet_by_name(name).iter_rows())
        header = next(iterator)
    except StopIteration:
        return None
    except Exception as exc:  # calamine raises several types for a damaged workbook
        raise SheetRefused(f"the workbook cannot be read: {exc}") from None
    return [cell_text(h) for h in header], _cells(iterator)

"""What a fund committee's sheets share (its monthly contributions, its members):
an uploaded file read into a header and rows, numbered by its content, each field's
column found by a Thai or English header, dates as committees write them, a refused
cell named by row, column, value and rule, and the rows written in bulk.

The file itself (type, encoding, header row, cell texts) is read by
``baan_shared.sheets`` exactly as survey's sheets are.
"""

import hashlib
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, NamedTuple, TypeVar

from sqlalchemy import insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.sheets import HEAD_BYTES, SheetRefused, check_utf8, detect_format, header_key
from baan_shared.sheets import read_rows as read_file_rows

Rows = Iterator[tuple[int, list[str]]]
T = TypeVar("T")
Line = TypeVar("Line")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# A Buddhist-era year (พ.ศ.) written where a date is: 2568 is 2025.
_BE_FROM = 2400


@dataclass(slots=True)
class Columns:
    """Where each field is in the file, each column's header as written, and the
    headers a field may have (its Thai one first, named when the column is missing)."""

    index: dict[str, int]
    header: list[str]
    headers: Mapping[str, tuple[str, ...]]

    def named(self, field: str) -> str:
        if field in self.index:
            return self.header[self.index[field]]
        return self.headers[field][0]

    def cell(self, cells: list[str], field: str) -> str:
        i = self.index.get(field)
        return cells[i] if i is not None and i < len(cells) else ""


def find_columns(header: list[str], headers: Mapping[str, tuple[str, ...]]) -> Columns:
    """The first column of each field whose header is one of the field's names."""
    field_of = {header_key(name): field for field, names in headers.items() for name in names}
    index: dict[str, int] = {}
    for i, written in enumerate(header):
        field = field_of.get(header_key(written))
        if field is not None and field not in index:
            index[field] = i
    return Columns(index=index, header=header, headers=headers)


def problem(
    columns: Columns, row: int, field: str, value: Any, reason: str, code: str
) -> dict[str, Any]:
    """One ``errors`` entry of a refused row: its row in the sheet (the header is row
    1), its column as written, the value as written and the rule in plain words."""
    entry: dict[str, Any] = {
        "field": f"file.rows.{row}.{field}",
        "row": row,
        "column": columns.named(field),
    }
    if value is not None:
        entry["value"] = str(value)
    entry["reason"] = reason
    entry["code"] = code
    return entry


def refuse(
    bad_input: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    refused: set[object],
    nothing: str,
    from_file: bool,
    unit: str = "rows",
) -> None:
    """Refuse the whole sheet if any row was refused (all rows or none): 422 with every
    problem when some are bad input, 409 when all are conflicts with what is stored.
    A file's problems are listed in the order of its rows. ``nothing`` says in words
    what was not done ("nobody joined"); ``unit`` what the sheet lists ("claims")."""
    if not bad_input and not conflicts:
        return
    detail = f"{len(refused)} {unit} refused; {nothing}"
    if bad_input:
        errors = bad_input + conflicts
        if from_file:
            errors.sort(key=lambda error: int(str(error["row"])))
        raise Unprocessable(detail, errors=errors)
    raise Conflict(detail, errors=conflicts)


def item_problem(
    items: str, index: int, field: str | None, value: Any, reason: str, code: str
) -> dict[str, Any]:
    """One ``errors`` entry of a refused item of a JSON list (``body.<items>.<index>``,
    then its ``field`` if the item is an object), with its index, its value (unless
    None: missing) and the rule."""
    path = f"body.{items}.{index}" + (f".{field}" if field else "")
    entry = (
        field_error(path, reason, code)
        if value is None
        else field_error(path, reason, code, value=value)
    )
    return {**entry, "index": index}


# The columns that name a member (by id, or by national ID within the fund): Thai first.
MEMBER_HEADERS: dict[str, tuple[str, ...]] = {
    "member_id": ("รหัสสมาชิก", "member_id"),
    "national_id": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "national_id"),
}
AMOUNT_SATANG_HEADERS = ("จำนวนเงิน(สตางค์)", "amount_satang")
_BAHT = re.compile(r"^\d+(?:\.\d{1,2})?$")
# The largest amount a row may hold: the API's bound on money (baan_shared.http.bounds),
# well inside BIGINT.
MAX_SATANG = 10**15


def read_member(
    columns: Columns, row: int, cells: list[str], problems: list[dict[str, Any]]
) -> tuple[uuid.UUID | None, str | None]:
    """The row's member: its id (รหัสสมาชิก) or its national ID (13 digits, dashes and
    spaces dropped); a problem when neither can be read."""
    member_id: uuid.UUID | None = None
    national_id: str | None = None
    member_text = columns.cell(cells, "member_id")
    id_text = columns.cell(cells, "national_id").replace("-", "").replace(" ", "")
    if member_text:
        try:
            member_id = uuid.UUID(member_text)
        except ValueError:
            problems.append(
                problem(
                    columns, row, "member_id", member_text,
                    f"'{member_text}' is not a member's id (a UUID such as "
                    "0193f2a4-…, as the members list shows it)",
                    "invalid-member-id",
                )
            )  # fmt: skip
    elif id_text:
        if len(id_text) == 13 and id_text.isdigit():
            national_id = id_text
        else:
            problems.append(
                problem(
                    columns, row, "national_id", columns.cell(cells, "national_id"),
                    "a Thai national ID has 13 digits",
                    "invalid-national-id",
                )
            )  # fmt: skip
    else:
        field = "member_id" if "member_id" in columns.index else "national_id"
        problems.append(
            problem(
                columns, row, field, None,
                f"the row names no member: fill in {columns.headers[field][0]}",
                "missing",
            )
        )  # fmt: skip
    return member_id, national_id


def read_date(text: str) -> date | None:
    """2025-01-31 or 31/01/2568 (a Buddhist-era year read as such); None otherwise."""
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY.match(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    if year > _BE_FROM:
        year -= 543
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_past_date(
    columns: Columns,
    row: int,
    cells: list[str],
    problems: list[dict[str, Any]],
    field: str,
    *,
    today: date,
    missing: str,
    not_yet: str,
) -> date | None:
    """The date in the row's ``field`` cell, if it is one and not after ``today`` (the
    Thai date the sheet is read on: one for the whole sheet); otherwise None and its
    problem added: ``missing`` when the cell is empty, ``not_yet`` (e.g. "a payment is
    recorded once made") when the date is to come."""
    text = columns.cell(cells, field)
    value = read_date(text)
    if value is None:
        problems.append(
            problem(
                columns, row, field, text or None,
                f"'{text}' is not a date: write it as 2025-01-31 or 31/01/2568"
                if text else missing,
                "invalid-date" if text else "missing",
            )
        )  # fmt: skip
        return None
    if value > today:
        problems.append(
            problem(
                columns, row, field, text, f"{value} is after today ({today}): {not_yet}",
                "in-the-future",
            )
        )  # fmt: skip
        return None
    return value


def parse_sheet(
    rows: Rows,
    *,
    max_rows: int,
    split: str,
    read_row: Callable[[int, list[str], list[dict[str, Any]]], Line | None],
    unreadable: Callable[[int, list[str]], Line],
) -> tuple[list[Line], list[dict[str, Any]]]:
    """Every row's typed values, and a problem for each bad cell (a row may have
    several). ``read_row`` reads one row, adding its problems; a row with any problem
    (or that it could not read: None) becomes ``unreadable(row, cells)``, kept in its
    place so the service still sees it. Refuses a sheet of no rows, or of more than
    ``max_rows`` (``split`` says how to split it: "split it by month")."""
    lines: list[Line] = []
    problems: list[dict[str, Any]] = []
    for row, cells in rows:
        if len(lines) + 1 > max_rows:
            raise SheetRefused(f"the sheet has more than {max_rows:,} rows: {split}")
        bad = len(problems)
        line = read_row(row, cells, problems)
        lines.append(line if line is not None and len(problems) == bad else unreadable(row, cells))
    if not lines:
        raise SheetRefused("the sheet has no rows under its header")
    return lines, problems


def read_upload(
    filename: str, file: IO[bytes], parse: Callable[[list[str], Rows], T]
) -> tuple[str, T]:
    """The file's content hash (hex) and what ``parse`` makes of its header and rows.
    A file that cannot be read at all (type, encoding, no header, too many rows, ...)
    is refused whole: 422 naming ``file``, nothing recorded."""
    digest = hashlib.sha256()
    head = file.read(HEAD_BYTES)
    digest.update(head)
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    try:
        fmt = detect_format(filename, head)
        if fmt == "csv":
            check_utf8(file)
        header, rows = read_file_rows(fmt, file)
        parsed = parse(header, rows)
    except SheetRefused as refused:
        raise Unprocessable(
            f"{filename} cannot be read: {refused}; nothing recorded",
            errors=[field_error("file", str(refused), "unreadable-sheet", value=filename)],
        ) from None
    return digest.hexdigest(), parsed


CHUNK = 5_000  # rows per multi-row INSERT on SQLite


async def insert_rows(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[NamedTuple]
) -> None:
    """A sheet's rows (each the table's columns by name) without a flush per row:
    binary COPY on PostgreSQL (no SQL to parse, no parameters to bind per row), one
    multi-row INSERT per chunk elsewhere. Either runs inside the session's transaction;
    a unique key taken raises IntegrityError (INSERT) or asyncpg's UniqueViolationError
    (COPY, on the driver's connection)."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(
            model.__tablename__, columns=rows[0]._fields, records=rows
        )
        return
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        await connection.execute(insert(model), [row._asdict() for row in chunk])


def read_amount(
    columns: Columns, row: int, cells: list[str], problems: list[dict[str, Any]]
) -> int | None:
    """The row's amount in satang, from its satang column if filled, else its baht
    column (at most 2 decimals); a problem when it is missing or no amount."""
    index = columns.index
    if "amount_satang" in index and columns.cell(cells, "amount_satang"):
        text = columns.cell(cells, "amount_satang").replace(",", "")
        field, satang = "amount_satang", int(text) if text.isdigit() else None
        rule = "a whole number of satang above 0 (365 baht = 36500)"
    else:
        field = "amount_baht" if "amount_baht" in index else "amount_satang"
        text = columns.cell(cells, field).replace(",", "")
        satang = None
        if _BAHT.match(text):
            whole, _, fraction = text.partition(".")
            satang = int(whole) * 100 + int((fraction + "00")[:2])
        rule = "baht above 0 with at most 2 decimals (365 or 365.50)"
    written = columns.cell(cells, field)
    if not written:
        problems.append(problem(columns, row, field, None, "the amount is missing", "missing"))
        return None
    if satang is None or satang <= 0 or satang > MAX_SATANG:
        problems.append(
            problem(
                columns, row, field, written,
                f"'{written}' is not an amount: {rule}",
                "invalid-amount",
            )
        )  # fmt: skip
        return None
    return satang

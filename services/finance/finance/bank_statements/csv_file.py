"""A bank statement as a CSV file: one repayment per row.

Columns (a header row, in any order; other columns are ignored, so a bank's
export with a running balance or a memo column can be sent as it is):
``loan_id``, ``payment_reference``, ``amount_satang`` (or ``amount_baht`` with
at most two decimals), ``paid_on`` (YYYY-MM-DD). UTF-8, with or without a BOM.
Every row is checked; a bad one is named by its row (``file.rows.N``, N from 0
for the first row under the header) and column, and nothing is booked.
"""

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from baan_shared.errors import Unprocessable, field_error
from finance.bank_statements.schemas import MAX_LINES, StatementLine

AT = "file.rows"
REQUIRED = ("loan_id", "payment_reference", "paid_on")


def _refuse(message: str, errors: list[dict[str, Any]]) -> Unprocessable:
    return Unprocessable(message, errors=errors)


def _satang(row: dict[str, str]) -> str | int:
    if row.get("amount_satang", "").strip():
        raw = row["amount_satang"].strip()
        try:
            return int(raw)
        except ValueError:
            return raw  # refused by the model as not an integer
    baht = row.get("amount_baht", "").replace(",", "").strip()
    try:
        value = Decimal(baht)
    except InvalidOperation:
        return baht  # refused by the model as not an integer
    satang = value * 100
    if satang != satang.to_integral_value():
        return baht
    return int(satang)


def parse(content: bytes) -> list[StatementLine]:
    """The statement's lines, or 422 naming every bad row and column."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            "the statement is not UTF-8 text",
            [field_error("body.file", "must be a UTF-8 CSV file", "encoding")],
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = {name.strip() for name in reader.fieldnames or []}
    missing = [c for c in REQUIRED if c not in columns]
    if not ({"amount_satang", "amount_baht"} & columns):
        missing.append("amount_satang")
    if missing:
        raise _refuse(
            f"the statement has no {', '.join(missing)} column",
            [field_error("body.file", f"needs a {name} column", "column") for name in missing],
        )
    lines: list[StatementLine] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(reader):
        if index >= MAX_LINES:
            raise _refuse(
                f"a statement may have at most {MAX_LINES} rows",
                [field_error("body.file", f"at most {MAX_LINES} rows", "rows")],
            )
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        fields = {name: row.get(name, "") for name in REQUIRED}
        try:
            lines.append(StatementLine(**fields, amount_satang=_satang(row)))
        except ValidationError as invalid:
            for error in invalid.errors():
                column = str(error["loc"][0]) if error["loc"] else "row"
                if column == "amount_satang" and "amount_satang" not in row:
                    column = "amount_baht"
                errors.append(
                    {
                        "field": f"{AT}.{index}.{column}",
                        "value": row.get(column, ""),
                        "reason": error["msg"],
                        "code": error["type"],
                    }
                )
    if errors:
        rows = len({e["field"].split(".")[2] for e in errors})
        raise _refuse(f"{rows} statement rows are not valid; nothing was booked", errors)
    if not lines:
        raise _refuse(
            "the statement has no rows",
            [field_error("body.file", "needs at least one row", "rows")],
        )
    return lines

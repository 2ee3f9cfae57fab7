"""Tambon plans as a spreadsheet (CSV or XLSX) with Thai (or English) headers.

One row per plan line; the plan's own columns (tambon, administration, first year,
span, who drafted it) repeat on each of its lines, and rows with the same tambon,
first year and span make one plan. Reading uses the survey import's public
functions (file type, rows as text, the Thai answers for programme and need); the
rules are the API's, and a sheet with any bad row stores nothing.
"""

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from pydantic import ValidationError

from survey.imports.rules import answers
from survey.imports.rules import key as answer_key
from survey.imports.sheet import SheetRefused, detect_format, read_rows
from survey.plans.schemas import TambonPlanCreate

HEADERS: dict[str, tuple[str, ...]] = {
    "subdistrict_code": ("subdistrict_code", "รหัสตำบล"),
    "local_administration_code": ("local_administration_code", "รหัสอปท.", "รหัส อปท."),
    "first_fiscal_year": ("first_fiscal_year", "ปีงบประมาณเริ่มต้น", "ปีเริ่มต้น"),
    "years": ("years", "จำนวนปี", "ระยะเวลาแผน(ปี)"),
    "drafted_by": ("drafted_by", "ผู้จัดทำแผน", "ผู้จัดทำ"),
    "programme": ("programme", "โครงการ"),
    "fiscal_year": ("fiscal_year", "ปีงบประมาณ"),
    "need": ("need", "ความต้องการ"),
    "households": ("households", "จำนวนครัวเรือน", "ครัวเรือน"),
    "budget_baht": ("budget_baht", "งบประมาณ(บาท)", "งบประมาณ"),
    "communities": ("communities", "จำนวนชุมชน", "ชุมชน"),
}
PLAN_FIELDS = ("subdistrict_code", "local_administration_code", "first_fiscal_year", "years")
REQUIRED = (*PLAN_FIELDS, "drafted_by", "programme", "fiscal_year", "need", "households")
THAI_HEADER_ROW = [headers[1] for headers in HEADERS.values()]
"""The header row of a blank plan sheet, in Thai."""


def baht_to_satang(text: str) -> int:
    """``"760,000.50"`` baht → 76000050 satang; more than two decimals is refused."""
    try:
        satang = Decimal(text.replace(",", "")) * 100
    except InvalidOperation:
        raise ValueError("not an amount in baht: write digits, e.g. 760000.50") from None
    if satang != satang.to_integral_value():
        raise ValueError("baht with more than two decimals")
    return int(satang)


def coded(field: str, text: str) -> str:
    """A Thai answer (or the code itself) → the code; anything else as written."""
    return answers(field).get(answer_key(text), text)


def _key(header: str) -> str:
    return "".join(header.lower().split())


_FIELD_OF = {_key(h): field for field, headers in HEADERS.items() for h in headers}


def _problem(field: str, value: object, reason: str, code: str) -> dict[str, Any]:
    return {"field": field, "value": str(value), "reason": reason, "code": code}


def read_plans(
    filename: str, file: IO[bytes]
) -> tuple[list[tuple[list[int], TambonPlanCreate]], list[dict[str, Any]]]:
    """The plans in the sheet, each with its sheet rows, and every problem found
    (``file.row.N.column``); the caller stores nothing when there are problems."""
    head = file.read(8)
    file.seek(0)
    try:
        header, rows = read_rows(detect_format(filename, head), file)
    except (SheetRefused, UnicodeDecodeError) as exc:
        return [], [_problem("file", filename, str(exc), "unreadable")]
    columns = {i: _FIELD_OF[_key(h)] for i, h in enumerate(header) if _key(h) in _FIELD_OF}
    missing = [f for f in REQUIRED if f not in columns.values()]
    if missing:
        reason = "missing columns: " + ", ".join(f"{f} ({HEADERS[f][1]})" for f in missing)
        return [], [_problem("file.header", ",".join(header), reason, "missing-columns")]
    return _group(columns, rows)


def _group(
    columns: dict[int, str], rows: Iterator[tuple[int, list[str]]]
) -> tuple[list[tuple[list[int], TambonPlanCreate]], list[dict[str, Any]]]:
    problems: list[dict[str, Any]] = []
    plans: dict[tuple[str, ...], dict[str, Any]] = {}
    for number, cells in rows:
        values = {columns[i]: cell for i, cell in enumerate(cells) if i in columns}
        if not any(values.values()):
            continue
        at = f"file.row.{number}"
        line: dict[str, Any] = {
            "programme": coded("programme", values.get("programme", "")),
            "fiscal_year": values.get("fiscal_year", ""),
            "need": coded("need", values.get("need", "")),
            "households": values.get("households", "").replace(",", ""),
            "communities": values.get("communities", "").replace(",", "") or 0,
            "budget_satang": 0,
        }
        budget = values.get("budget_baht", "")
        if budget:
            try:
                line["budget_satang"] = baht_to_satang(budget)
            except ValueError as exc:
                problems.append(_problem(f"{at}.budget_baht", budget, str(exc), "invalid"))
        key = tuple(values.get(field, "") for field in PLAN_FIELDS)
        plan = plans.setdefault(
            key,
            {
                **{field: values.get(field, "") for field in PLAN_FIELDS},
                "drafted_by": values.get("drafted_by", ""),
                "lines": [],
                "rows": [],
            },
        )
        plan["lines"].append(line)
        plan["rows"].append(number)
    found = []
    for plan in plans.values():
        rows_of = plan.pop("rows")
        try:
            found.append((rows_of, TambonPlanCreate.model_validate(plan)))
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(_sheet_problem(error, rows_of))
    if not plans and not problems:
        problems.append(_problem("file", "", "the sheet has no plan rows", "empty"))
    return found, problems


def _sheet_problem(error: Any, rows: list[int]) -> dict[str, Any]:
    """A validation error, with the sheet's row and column instead of the body path."""
    location = [str(part) for part in error["loc"]]
    if location[0] == "lines" and len(location) > 2:
        row, column = rows[int(location[1])], location[2]
    else:
        row, column = rows[0], location[0]
    column = "budget_baht" if column == "budget_satang" else column
    return _problem(f"file.row.{row}.{column}", error.get("input", ""), error["msg"], "invalid")

"""Contribution rules: a member of a fund pays in (one baht a day, or the fund's
rate), recorded once per receipt number, into the fund's books. A left or deceased
member's payment is refused (409 ``membership-ended``), a payment dated before
joining too (422 ``before-joining``); nothing is stored then."""

import uuid
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.pii import mask_national_id
from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.ids import new_id
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.contributions import repository, sheet
from welfare.contributions.models import Contribution
from welfare.contributions.schemas import (
    MAX_SHEET_ROWS,
    ContributionCreate,
    SheetCreate,
    SheetResult,
    SheetRowResult,
)
from welfare.contributions.sheet import SheetLine
from welfare.funds.models import Fund
from welfare.members import repository as members
from welfare.members.membership import ENDED
from welfare.members.models import Member
from welfare.sheets import Columns, Rows, problem, read_upload, refuse


def _reference_used(body: ContributionCreate) -> Conflict:
    return Conflict(
        f"receipt {body.reference} is already recorded in this fund",
        errors=[
            field_error(
                "body.reference",
                "a receipt number is recorded once per fund",
                "reference-used",
                value=body.reference,
            )
        ],
    )


async def record(
    session: AsyncSession, member: Member, fund: Fund, body: ContributionCreate
) -> Contribution:
    if member.status in ENDED:
        raise Conflict(
            f"the membership ended ({member.status.value}) on {member.ended_on}",
            errors=[
                field_error(
                    "body.member_id",
                    f"no contribution is taken for a {member.status.value} member",
                    "membership-ended",
                    value=member.id,
                )
            ],
        )
    if body.paid_on < member.joined_on:
        reason = f"the member joined on {member.joined_on}"
        raise Unprocessable(
            reason,
            errors=[field_error("body.paid_on", reason, "before-joining", value=body.paid_on)],
        )
    if await repository.by_reference(session, fund.id, body.reference) is not None:
        raise _reference_used(body)
    contribution = Contribution(
        fund_id=fund.id,
        member_id=member.id,
        paid_on=body.paid_on,
        amount_satang=body.amount_satang,
        reference=body.reference,
    )
    try:
        async with session.begin_nested():
            session.add(contribution)
    except IntegrityError as exc:  # the same receipt recorded concurrently
        raise _reference_used(body) from exc
    await books.book(
        session,
        fund,
        MovementKind.CONTRIBUTION,
        body.amount_satang,
        occurred_on=body.paid_on,
        reference=f"contribution:{body.reference}",
    )
    return contribution


Locate = Callable[[SheetLine, str, Any, str, str], dict[str, Any]]


def _in_body(line: SheetLine, field: str, value: Any, reason: str, code: str) -> dict[str, Any]:
    return field_error(f"body.rows.{line.at}.{field}", reason, code, value=value)


async def record_sheet(session: AsyncSession, fund: Fund, body: SheetCreate) -> SheetResult:
    """A committee's monthly sheet sent as JSON: every row checked as one contribution
    is (a member of this fund, membership not ended, paid on or after joining, a
    receipt number used once), then all rows recorded in bulk and booked as one
    movement on the fund's books (``contribution:sheet:<reference>``). Any refused row
    refuses the sheet: 422 naming each bad row's field (``body.rows.N.…``) if any is
    bad input, else 409; nothing is stored. A member of another fund, in the client's
    areas or not, is refused exactly as an id naming nothing."""
    lines = [
        SheetLine(n, row.member_id, None, row.paid_on, row.amount_satang, row.reference)
        for n, row in enumerate(body.rows)
    ]
    return await _record_lines(session, fund, body.reference, "body.reference", lines, _in_body)


async def record_sheet_file(
    session: AsyncSession,
    fund: Fund,
    *,
    filename: str,
    file: IO[bytes],
    reference: str | None,
) -> SheetResult:
    """A committee's monthly sheet uploaded as a CSV (UTF-8) or XLSX file, with Thai or
    English headers (``sheet.HEADERS``), a member named by id or national ID. The same
    rules as the JSON sheet, all rows or none; each refused row is named by its row in
    the file, its column as written, the value and the rule (422 if any cell is bad
    input, else 409). A file that cannot be read at all is refused whole (422
    ``file``). Without a ``reference`` the sheet is numbered by its content's hash, so
    uploading the same file again records nothing (409 ``reference-used``)."""
    digest, (columns, (lines, problems)) = read_upload(filename, file, _parse)
    reference = reference or f"file-{digest[:32]}"

    def in_file(line: SheetLine, field: str, value: Any, reason: str, code: str) -> dict[str, Any]:
        return problem(columns, line.at, field, value, reason, code)

    return await _record_lines(
        session, fund, reference, "reference", lines, in_file, problems=problems
    )


def _parse(
    header: list[str], rows: Rows
) -> tuple[Columns, tuple[list[SheetLine], list[dict[str, Any]]]]:
    columns = sheet.map_columns(header)
    return columns, sheet.parse_rows(columns, rows, max_rows=MAX_SHEET_ROWS)


async def _record_lines(
    session: AsyncSession,
    fund: Fund,
    reference: str,
    reference_field: str,
    lines: list[SheetLine],
    locate: Locate,
    *,
    problems: list[dict[str, Any]] | None = None,
) -> SheetResult:
    """Check a sheet's rows together (a few set queries, whatever its length), then
    write them in bulk: COPY on PostgreSQL, multi-row INSERTs on SQLite."""
    movement_reference = f"contribution:sheet:{reference}"
    if await books.repository.movement(session, fund.id, movement_reference) is not None:
        raise Conflict(
            f"sheet {reference} is already recorded in this fund; nothing recorded",
            errors=[
                field_error(
                    reference_field,
                    "a sheet is recorded once per fund",
                    "reference-used",
                    value=reference,
                )
            ],
        )
    readable = [line for line in lines if line.readable]
    by_id = await members.standings(
        session, fund.id, [line.member_id for line in readable if line.member_id is not None]
    )
    by_national_id = await members.standings_by_national_id(
        session, fund.id, [line.national_id for line in readable if line.national_id is not None]
    )
    used = await repository.used_references(session, fund.id, [line.reference for line in readable])
    bad_input: list[dict[str, object]] = list(problems or [])
    conflicts: list[dict[str, object]] = []
    refused: set[object] = {p["row"] for p in problems or []}
    seen: set[str] = set()
    for line in readable:
        before = len(bad_input) + len(conflicts)
        if line.member_id is not None:
            standing = by_id.get(line.member_id)
        else:
            assert line.national_id is not None
            standing = by_national_id.get(line.national_id)
        if standing is None or standing.status in ENDED:
            # named as written (a national ID masked), worked out only for a refused row
            field, value = (
                ("member_id", line.member_id)
                if line.member_id is not None
                else ("national_id", mask_national_id(line.national_id or ""))
            )
            if standing is None:
                bad_input.append(
                    locate(
                        line,
                        field,
                        value,
                        "no welfare member with this id exists in the client's areas"
                        if field == "member_id"
                        else f"no member of this fund has national ID {value}",
                        "unknown-reference",
                    )
                )
            else:
                conflicts.append(
                    locate(
                        line,
                        field,
                        value,
                        f"no contribution is taken for a {standing.status.value} member",
                        "membership-ended",
                    )
                )
        elif line.paid_on < standing.joined_on:
            bad_input.append(
                locate(
                    line,
                    "paid_on",
                    line.paid_on,
                    f"the member joined on {standing.joined_on}",
                    "before-joining",
                )
            )
        else:
            line.member_id = standing.id
        if line.reference in seen:
            bad_input.append(
                locate(
                    line,
                    "reference",
                    line.reference,
                    "the same receipt number twice in one sheet",
                    "duplicate-in-sheet",
                )
            )
        elif line.reference in used:
            conflicts.append(
                locate(
                    line,
                    "reference",
                    line.reference,
                    "a receipt number is recorded once per fund",
                    "reference-used",
                )
            )
        seen.add(line.reference)
        if len(bad_input) + len(conflicts) > before:
            refused.add(line.at)
    refuse(bad_input, conflicts, refused, "nothing recorded", from_file=problems is not None)
    now = utcnow()
    rows = [
        repository.Row(
            new_id(), fund.id, line.member_id, line.paid_on, line.amount_satang, line.reference, now
        )
        for line in lines
    ]
    try:
        async with session.begin_nested():
            await repository.insert_many(session, rows)
    except repository.ALREADY_RECORDED as exc:  # a receipt recorded concurrently
        raise Conflict(
            "a receipt number of the sheet was recorded meanwhile; nothing recorded",
            errors=[
                field_error(
                    "body.rows" if reference_field == "body.reference" else "file",
                    "a receipt number is recorded once per fund",
                    "reference-used",
                )
            ],
        ) from exc
    total = sum(line.amount_satang for line in lines)
    await books.book(
        session,
        fund,
        MovementKind.CONTRIBUTION,
        total,
        occurred_on=max(line.paid_on for line in lines),
        reference=movement_reference,
    )
    return SheetResult(
        reference=reference,
        rows=len(rows),
        total_satang=total,
        results=[
            SheetRowResult(row=line.at, contribution_id=r.id)
            for line, r in zip(lines, rows, strict=True)
        ],
    )


async def page(
    session: AsyncSession, member_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
) -> list[Contribution]:
    return await repository.page(session, member_id, after=after, limit=limit)

"""Membership rules: join a fund in the client's areas, one membership held per person
and fund, statuses that move only forward from an ended membership, what a member
owes and is behind by.

A member lies where the fund lies: another area's member answers exactly as a
random id. The same national ID holding a membership of another fund is flagged
(``member_of_other_funds``) without saying which fund, so no area learns of
another's records. Nothing here commits; the caller's unit of work does.
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, unknown_reference
from baan_shared.auth.pii import mask_national_id
from baan_shared.clock import thai_today, utcnow
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.events.catalog import WelfareMemberJoined, WelfareMemberStatusChanged
from baan_shared.ids import new_id
from baan_shared.outbox import record_event, record_events
from welfare import SOURCE
from welfare.areas import region_of
from welfare.contributions import repository as contributions
from welfare.contributions.arrears import Account, Rate, days_behind, owed_satang
from welfare.funds import repository as funds_repository
from welfare.funds import service as funds
from welfare.funds.models import Fund
from welfare.funds.rules import DAILY_CONTRIBUTION_SATANG, FundRules
from welfare.members import repository, sheet
from welfare.members.membership import ENDED, MemberStatus, can_move, years_of_membership
from welfare.members.models import Member
from welfare.members.schemas import (
    MAX_SHEET_ROWS,
    MemberAccount,
    MemberCreate,
    MemberSheetCreate,
    MemberSheetResult,
    MemberSheetRowResult,
    StatusChange,
)
from welfare.members.sheet import MemberLine
from welfare.sheets import Columns, Rows, problem, read_upload, refuse


async def get(session: AsyncSession, member_id: uuid.UUID, principal: Principal) -> Member:
    """The member; missing or in a fund outside the client's areas, the same 404."""
    member = await repository.get(session, member_id)
    if member is None:
        raise does_not_exist(f"welfare member {member_id}")
    fund = await funds_repository.get(session, member.fund_id)
    if fund is None or not funds.covers(principal, fund):
        raise does_not_exist(f"welfare member {member_id}")
    return member


async def referenced(
    session: AsyncSession, principal: Principal, field: str, member_id: uuid.UUID
) -> tuple[Member, Fund]:
    """A member named in a request body: missing or outside the client's areas, one 422."""
    member = await repository.get(session, member_id)
    fund = await funds_repository.get(session, member.fund_id) if member is not None else None
    if member is None or fund is None or not funds.covers(principal, fund):
        raise unknown_reference(field, "welfare member", member_id)
    return member, fund


def years(member: Member, on: date | None = None) -> int:
    until = on or thai_today()
    if member.ended_on is not None:
        until = min(until, member.ended_on)
    return years_of_membership(member.joined_on, until)


def _facts(member: Member | repository.Row, fund: Fund) -> dict[str, Any]:
    return {
        "welfare_fund_id": fund.id,
        "province_code": fund.province_code,
        "district_code": fund.district_code,
        "subdistrict_code": fund.subdistrict_code,
        "region_code": region_of(fund.province_code),
        "member_id": member.id,
        "status": member.status.value,
        "joined_on": member.joined_on,
    }


def _already(body: MemberCreate) -> Conflict:
    return Conflict(
        "this person is already a member of the fund",
        errors=[
            field_error(
                "body.national_id",
                "one membership per person and fund: this person already holds one "
                "(active or lapsed)",
                "already-a-member",
            )
        ],
    )


async def join(session: AsyncSession, fund: Fund, body: MemberCreate) -> Member:
    if body.joined_on < fund.registered_on:
        reason = f"the fund was registered on {fund.registered_on}; nobody joined before"
        raise Unprocessable(
            reason,
            errors=[
                field_error("body.joined_on", reason, "before-registration", value=body.joined_on)
            ],
        )
    if await repository.held(session, fund.id, body.national_id) is not None:
        raise _already(body)
    member = Member(
        fund_id=fund.id,
        national_id=body.national_id,
        name=body.name,
        joined_on=body.joined_on,
        status=MemberStatus.ACTIVE,
    )
    try:
        async with session.begin_nested():
            session.add(member)
    except IntegrityError as exc:  # the same person registered concurrently
        raise _already(body) from exc
    await record_event(session, WelfareMemberJoined(**_facts(member, fund)), source=SOURCE)
    return member


Locate = Callable[[MemberLine, str, Any, str, str], dict[str, Any]]


def _in_body(line: MemberLine, field: str, value: Any, reason: str, code: str) -> dict[str, Any]:
    return field_error(f"body.rows.{line.at}.{field}", reason, code, value=value)


async def join_sheet(
    session: AsyncSession, fund: Fund, body: MemberSheetCreate
) -> MemberSheetResult:
    """A committee's register of members sent as JSON: every row joins as one member
    does (see ``join_lines``), or none."""
    lines = [
        MemberLine(n, row.national_id, row.name, row.joined_on) for n, row in enumerate(body.rows)
    ]
    return await join_lines(session, fund, lines, _in_body)


async def join_sheet_file(
    session: AsyncSession, fund: Fund, *, filename: str, file: IO[bytes]
) -> MemberSheetResult:
    """A committee's register uploaded as a CSV (UTF-8) or XLSX file with Thai or
    English headers (``sheet.HEADERS``): the same rules as the JSON sheet, each refused
    row named by its row in the file, its column as written, the value and the rule."""
    _, (columns, (lines, problems)) = read_upload(filename, file, _parse)

    def in_file(line: MemberLine, field: str, value: Any, reason: str, code: str) -> dict[str, Any]:
        return problem(columns, line.at, field, value, reason, code)

    return await join_lines(session, fund, lines, in_file, problems=problems)


def _parse(
    header: list[str], rows: Rows
) -> tuple[Columns, tuple[list[MemberLine], list[dict[str, Any]]]]:
    columns = sheet.map_columns(header)
    return columns, sheet.parse_rows(columns, rows, max_rows=MAX_SHEET_ROWS)


async def join_lines(
    session: AsyncSession,
    fund: Fund,
    lines: list[MemberLine],
    locate: Locate,
    *,
    problems: list[dict[str, Any]] | None = None,
) -> MemberSheetResult:
    """Each row checked as one join is (joined on or after the fund's registration, the
    person holding no membership of this fund, nor twice in the sheet), with two set
    queries whatever the sheet's length; then every member written in bulk with its
    ``welfare_member.joined`` event, in the caller's transaction. Any refused row
    refuses the sheet: 422 naming each bad row if any is bad input, else 409 (every
    problem a membership already held); nothing is stored. So the same sheet sent
    again joins nobody (409 ``already-a-member`` on every row)."""
    readable = [line for line in lines if line.readable]
    national_ids = [line.national_id for line in readable]
    standing = await repository.standings_by_national_id(session, fund.id, national_ids)
    bad_input: list[dict[str, Any]] = list(problems or [])
    conflicts: list[dict[str, Any]] = []
    refused: set[object] = {p["row"] for p in problems or []}
    seen: set[str] = set()
    for line in readable:
        before = len(bad_input) + len(conflicts)
        masked = mask_national_id(line.national_id)
        if line.joined_on < fund.registered_on:
            bad_input.append(
                locate(
                    line, "joined_on", line.joined_on,
                    f"the fund was registered on {fund.registered_on}; nobody joined before",
                    "before-registration",
                )
            )  # fmt: skip
        if line.national_id in seen:
            bad_input.append(
                locate(
                    line, "national_id", masked,
                    "the same person twice in one sheet", "duplicate-in-sheet",
                )
            )  # fmt: skip
        elif (held := standing.get(line.national_id)) is not None and held.status not in ENDED:
            conflicts.append(
                locate(
                    line, "national_id", masked,
                    "one membership per person and fund: this person already holds one "
                    "(active or lapsed)",
                    "already-a-member",
                )
            )  # fmt: skip
        seen.add(line.national_id)
        if len(bad_input) + len(conflicts) > before:
            refused.add(line.at)
    refuse(bad_input, conflicts, refused, "nobody joined", from_file=problems is not None)
    now = utcnow()
    rows = [
        repository.Row(
            new_id(), fund.id, line.national_id, line.name, line.joined_on,
            MemberStatus.ACTIVE, None, now, now,
        )
        for line in lines
    ]  # fmt: skip
    try:
        async with session.begin_nested():
            await repository.insert_many(session, rows)
    except repository.ALREADY_HELD as exc:  # the same person registered concurrently
        raise Conflict(
            "a person of the sheet joined the fund meanwhile; nobody joined",
            errors=[
                field_error(
                    "file" if problems is not None else "body.rows",
                    "one membership per person and fund",
                    "already-a-member",
                )
            ],
        ) from exc
    await record_events(
        session, [WelfareMemberJoined(**_facts(row, fund)) for row in rows], source=SOURCE
    )
    elsewhere = await repository.held_in_other_funds(session, fund.id, national_ids)
    return MemberSheetResult(
        rows=len(rows),
        results=[
            MemberSheetRowResult(
                row=line.at, member_id=row.id, member_of_other_funds=row.national_id in elsewhere
            )
            for line, row in zip(lines, rows, strict=True)
        ],
    )


async def change_status(
    session: AsyncSession, member: Member, fund: Fund, body: StatusChange
) -> Member:
    """Active ⇄ lapsed; either may end (left, deceased) on a day not before joining. An
    ended membership is never reopened: the person joins again."""
    previous = member.status
    if not can_move(previous, body.status):
        why = (
            f"the membership ended ({previous.value}); the person may join again"
            if previous in ENDED
            else f"the member is already {previous.value}"
        )
        raise Conflict(
            f"cannot move a {previous.value} member to {body.status.value}",
            errors=[field_error("body.status", why, "status-change", value=body.status.value)],
        )
    if body.on < member.joined_on:
        reason = f"the member joined on {member.joined_on}"
        raise Unprocessable(
            reason, errors=[field_error("body.on", reason, "before-joining", value=body.on)]
        )
    member.status = body.status
    member.ended_on = body.on if body.status in ENDED else None
    member.updated_at = utcnow()
    session.add(member)
    await session.flush()
    await record_event(
        session,
        WelfareMemberStatusChanged(
            **_facts(member, fund),
            previous_status=previous.value,
            ended_on=member.ended_on,
        ),
        source=SOURCE,
    )
    return member


async def rates(session: AsyncSession, fund_id: uuid.UUID) -> list[Rate]:
    versions = await funds_repository.rule_versions(session, fund_id)
    found = [
        Rate(v.effective_from, FundRules.model_validate(v.rules).daily_contribution_satang)
        for v in versions
    ]
    return found or [Rate(date.min, DAILY_CONTRIBUTION_SATANG)]


async def paid(session: AsyncSession, members: Sequence[Member]) -> dict[uuid.UUID, int]:
    """Each member's contributions so far (0 for a member who paid nothing)."""
    found = await contributions.paid_by_member(session, [m.id for m in members])
    return {m.id: found.get(m.id, 0) for m in members}


def account(member: Member, as_of: date, fund_rates: list[Rate], paid_satang: int) -> MemberAccount:
    until = min(as_of, member.ended_on) if member.ended_on is not None else as_of
    kept = Account(owed_satang(member.joined_on, until, fund_rates), paid_satang)
    current = max(
        (r for r in fund_rates if r.effective_from <= until),
        key=lambda r: r.effective_from,
        default=fund_rates[0],
    )
    return MemberAccount(
        member_id=member.id,
        as_of=as_of,
        owed_satang=kept.owed_satang,
        paid_satang=kept.paid_satang,
        arrears_satang=kept.arrears_satang,
        ahead_satang=kept.ahead_satang,
        days_behind=days_behind(kept, current.daily_satang),
    )


async def page(session: AsyncSession, fund_id: uuid.UUID, **filters: Any) -> list[Member]:
    return await repository.page(session, fund_id, **filters)


async def held_elsewhere(session: AsyncSession, members: Sequence[Member]) -> set[uuid.UUID]:
    return await repository.held_elsewhere(session, members)

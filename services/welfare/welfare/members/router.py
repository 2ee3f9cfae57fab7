"""/v1/members and /v1/funds/{id}/members: who belongs to a fund, their status,
years of membership, and what they owe."""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, reveals_personal_data
from baan_shared.auth.audit import audit_resource
from baan_shared.clock import thai_today
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from welfare.access import Reader, Writer
from welfare.funds import service as funds
from welfare.members import service, sheet
from welfare.members.membership import MemberStatus, compact_national_id
from welfare.members.models import Member
from welfare.members.schemas import (
    ArrearsPublic,
    MemberAccount,
    MemberCreate,
    MemberPublic,
    MemberSheetCreate,
    MemberSheetResult,
    MembersPublic,
    StatusChange,
)

router = APIRouter(tags=["members"])
NOT_FOUND = {404: "No such member (or outside the client's areas)"}


async def _public(
    session: AsyncSession, request: Request, principal: Principal, members: Sequence[Member]
) -> list[MemberPublic]:
    reveal = await reveals_personal_data(
        session,
        request,
        principal,
        resource_type="welfare-members",
        resource_ids=[m.id for m in members],
    )
    elsewhere = await service.held_elsewhere(session, members)
    paid = await service.paid(session, members)
    return [
        MemberPublic.of(
            m, years=service.years(m), paid=paid[m.id], elsewhere=m.id in elsewhere, reveal=reveal
        )
        for m in members
    ]


@router.post(
    "/v1/members",
    response_model=MemberPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            409: "The person already holds a membership of this fund",
            422: "Invalid input, or an unknown fund",
        }
    ),
)
@idempotent
async def join(
    body: MemberCreate, session: SessionDep, principal: Writer, request: Request
) -> MemberPublic:
    """A person joins a fund (สมัครสมาชิก). One membership held (active or lapsed) per
    person and fund; holding one in another fund too is allowed and flagged."""
    fund = await funds.referenced(session, principal, "body.fund_id", body.fund_id)
    member = await service.join(session, fund, body)
    audit_resource(request, "welfare-members", member.id)
    return (await _public(session, request, principal, [member]))[0]


SHEET_RESPONSES = problem_responses(
    {
        404: "No such fund (or outside the client's areas)",
        409: "A person of the sheet already holds a membership of this fund (nobody joined)",
        422: "Rows are bad input: each problem named by its row (nobody joined)",
    }
)


@router.post(
    "/v1/funds/{fund_id}/member-sheets",
    response_model=MemberSheetResult,
    status_code=status.HTTP_201_CREATED,
    responses=SHEET_RESPONSES,
)
@idempotent
async def join_sheet(
    fund_id: uuid.UUID,
    body: MemberSheetCreate,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> MemberSheetResult:
    """A fund committee's register of members (ทะเบียนสมาชิก) as JSON: each row joins
    as one ``POST /v1/members`` would (same checks, same ``welfare_member.joined``
    event), all rows or none, a result per row. A refused sheet names each bad row
    (``body.rows.N.…``): 422 if any is bad input, else 409. Sent again, it joins
    nobody (409 ``already-a-member``)."""
    fund = await funds.get(session, fund_id, principal)
    result = await service.join_sheet(session, fund, body)
    audit_resource(request, "welfare-funds", fund.id)
    return result


_FILE_DESCRIPTION = (
    """A fund committee's register of members as a file (ทะเบียนสมาชิก): a .csv (UTF-8)
or .xlsx whose first sheet has a header row, Thai or English:

| field | headers |
|---|---|
"""
    + "\n".join(f"| {field} | {', '.join(names)} |" for field, names in sheet.HEADERS.items())
    + """

The national ID with its check digit (dashes and spaces allowed), the joining date as
2025-01-31 or 31/01/2568 (a Buddhist-era year is read as such). Every row joins as one
`POST /v1/members` would, or none: a sheet with any refused row answers 422 (or 409
when every problem is a membership already held) with one entry per problem naming
the row (the header is row 1), the column as written, the value (a national ID
masked) and the rule. Uploading the same file again joins nobody (409)."""
)


@router.post(
    "/v1/funds/{fund_id}/member-sheets/file",
    response_model=MemberSheetResult,
    status_code=status.HTTP_201_CREATED,
    description=_FILE_DESCRIPTION,
    responses=SHEET_RESPONSES,
)
@idempotent
async def upload_sheet(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Writer,
    request: Request,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8) or .xlsx members sheet")],
) -> MemberSheetResult:
    fund = await funds.get(session, fund_id, principal)
    result = await service.join_sheet_file(
        session, fund, filename=file.filename or "upload", file=file.file
    )
    audit_resource(request, "welfare-funds", fund.id)
    return result


@router.get(
    "/v1/funds/{fund_id}/members",
    response_model=MembersPublic,
    responses=problem_responses(
        {404: "No such fund (or outside the client's areas)", 422: "Bad filter"}
    ),
)
async def list_members(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    request: Request,
    status: MemberStatus | None = None,
    national_id: Annotated[str | None, Query(pattern=r"^[\d -]{13,17}$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MembersPublic:
    fund = await funds.get(session, fund_id, principal)
    rows = await service.page(
        session,
        fund.id,
        after=decode_cursor(cursor),
        limit=limit + 1,
        status=status,
        national_id=compact_national_id(national_id) if national_id else None,
    )
    items, more = rows[:limit], len(rows) > limit
    return MembersPublic(
        items=await _public(session, request, principal, items),
        next_cursor=encode_cursor(items[-1].id) if more else None,
    )


@router.get(
    "/v1/members/{member_id}", response_model=MemberPublic, responses=problem_responses(NOT_FOUND)
)
async def get_member(
    member_id: uuid.UUID, session: SessionDep, principal: Reader, request: Request
) -> MemberPublic:
    member = await service.get(session, member_id, principal)
    return (await _public(session, request, principal, [member]))[0]


@router.post(
    "/v1/members/{member_id}/status",
    response_model=MemberPublic,
    responses=problem_responses(
        {**NOT_FOUND, 409: "The status cannot change so", 422: "Invalid input"}
    ),
)
@idempotent
async def change_status(
    member_id: uuid.UUID,
    body: StatusChange,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> MemberPublic:
    """Lapsed (stopped paying), active again, left or deceased (with the day)."""
    member = await service.get(session, member_id, principal)
    fund = await funds.get(session, member.fund_id)
    await service.change_status(session, member, fund, body)
    return (await _public(session, request, principal, [member]))[0]


@router.get(
    "/v1/members/{member_id}/account",
    response_model=MemberAccount,
    responses=problem_responses({**NOT_FOUND, 422: "Bad date"}),
)
async def get_account(
    member_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    as_of: date | None = None,
) -> MemberAccount:
    """What the member owes (the daily rate of each rule version, from joining to
    ``as_of`` or the membership's end), has paid, and is behind by."""
    member = await service.get(session, member_id, principal)
    rates = await service.rates(session, member.fund_id)
    paid = await service.paid(session, [member])
    return service.account(member, as_of or thai_today(), rates, paid[member.id])


@router.get(
    "/v1/funds/{fund_id}/arrears",
    response_model=ArrearsPublic,
    responses=problem_responses(
        {404: "No such fund (or outside the client's areas)", 422: "Bad filter"}
    ),
)
async def list_arrears(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    as_of: date | None = None,
    min_days: Annotated[int, Query(ge=1, le=36_600)] = 1,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ArrearsPublic:
    """Members holding a membership who are at least ``min_days`` days of contributions
    behind on ``as_of``. Scans ``limit`` members per page, so a page may list fewer."""
    fund = await funds.get(session, fund_id, principal)
    rates = await service.rates(session, fund.id)
    day = as_of or thai_today()
    rows = await service.page(session, fund.id, after=decode_cursor(cursor), limit=limit + 1)
    scanned, more = rows[:limit], len(rows) > limit
    holding = [m for m in scanned if m.status in (MemberStatus.ACTIVE, MemberStatus.LAPSED)]
    paid = await service.paid(session, holding)
    behind = [
        account
        for m in holding
        for account in [service.account(m, day, rates, paid[m.id])]
        if account.days_behind >= min_days
    ]
    return ArrearsPublic(items=behind, next_cursor=encode_cursor(scanned[-1].id) if more else None)

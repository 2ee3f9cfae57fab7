"""/v1/contributions: members' payments, one by one; a fund's monthly sheet, as JSON
or as a CSV/XLSX file."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status

from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from welfare.access import Reader, Writer
from welfare.contributions import service, sheet
from welfare.contributions.schemas import (
    ContributionCreate,
    ContributionPublic,
    ContributionsPublic,
    SheetCreate,
    SheetResult,
)
from welfare.funds import service as funds
from welfare.members import service as members

router = APIRouter(tags=["contributions"])


@router.post(
    "/v1/contributions",
    response_model=ContributionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            409: "The membership ended, or the receipt is already recorded",
            422: "Invalid input, an unknown member, or a payment before joining",
        }
    ),
)
@idempotent
async def record_contribution(
    body: ContributionCreate, session: SessionDep, principal: Writer, request: Request
) -> ContributionPublic:
    """A member's payment into the fund (เงินสมทบ), booked on the fund's books."""
    member, fund = await members.referenced(session, principal, "body.member_id", body.member_id)
    contribution = await service.record(session, member, fund, body)
    audit_resource(request, "welfare-contributions", contribution.id)
    return ContributionPublic.of(contribution)


@router.get(
    "/v1/members/{member_id}/contributions",
    response_model=ContributionsPublic,
    responses=problem_responses(
        {404: "No such member (or outside the client's areas)", 422: "Bad paging"}
    ),
)
async def list_contributions(
    member_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ContributionsPublic:
    member = await members.get(session, member_id, principal)
    rows = await service.page(session, member.id, after=decode_cursor(cursor), limit=limit + 1)
    items, more = rows[:limit], len(rows) > limit
    return ContributionsPublic(
        items=[ContributionPublic.of(c) for c in items],
        next_cursor=encode_cursor(items[-1].id) if more else None,
    )


@router.post(
    "/v1/funds/{fund_id}/contribution-sheets",
    response_model=SheetResult,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            404: "No such fund (or outside the client's areas)",
            409: "A row's membership ended or its receipt is already recorded, or the sheet "
            "is (nothing recorded)",
            422: "A row is bad input: each named by its path (nothing recorded)",
        }
    ),
)
@idempotent
async def record_sheet(
    fund_id: uuid.UUID, body: SheetCreate, session: SessionDep, principal: Writer, request: Request
) -> SheetResult:
    """A fund committee's monthly contribution sheet (JSON): all rows or none, a result
    per row, booked on the fund's books as one movement."""
    fund = await funds.get(session, fund_id, principal)
    result = await service.record_sheet(session, fund, body)
    audit_resource(request, "welfare-funds", fund.id)
    return result


_FILE_DESCRIPTION = (
    """A fund committee's monthly contribution sheet as a file (บัญชีรับเงินสมทบ):
a .csv (UTF-8) or .xlsx whose first sheet has a header row, Thai or English:

| field | headers |
|---|---|
"""
    + "\n".join(f"| {field} | {', '.join(names)} |" for field, names in sheet.HEADERS.items())
    + """

A member is named by รหัสสมาชิก (the member's id) or เลขประจำตัวประชาชน (a member of
this fund); the amount in baht (จำนวนเงิน) or satang; the date as 2025-01-31 or
31/01/2568 (a Buddhist-era year is read as such). All rows are recorded or none: a
sheet with any refused row answers 422 (or 409 when every problem is a conflict:
a membership ended, a receipt already recorded) with one entry per problem naming
the row (the header is row 1), the column as written, the value and the rule.
Without `reference` the sheet is numbered by its content, so uploading the same
file twice records it once (409 `reference-used`)."""
)


@router.post(
    "/v1/funds/{fund_id}/contribution-sheets/file",
    response_model=SheetResult,
    status_code=status.HTTP_201_CREATED,
    description=_FILE_DESCRIPTION,
    responses=problem_responses(
        {
            404: "No such fund (or outside the client's areas)",
            409: "A row's membership ended or its receipt is already recorded, or the sheet "
            "is (nothing recorded)",
            422: "The file cannot be read, or rows are bad input: each problem named by row "
            "and column (nothing recorded)",
        }
    ),
)
@idempotent
async def upload_sheet(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Writer,
    request: Request,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8) or .xlsx contribution sheet")],
    reference: Annotated[
        str | None,
        Form(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9._/-]+$",
            description="The sheet's own number, once per fund (default: from its content)",
        ),
    ] = None,
) -> SheetResult:
    fund = await funds.get(session, fund_id, principal)
    result = await service.record_sheet_file(
        session, fund, filename=file.filename or "upload", file=file.file, reference=reference
    )
    audit_resource(request, "welfare-funds", fund.id)
    return result

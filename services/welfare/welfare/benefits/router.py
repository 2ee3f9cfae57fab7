"""/v1/claims: benefits claimed, decided by the fund's committee, paid from the fund."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile, status

from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from welfare.access import Committee, Reader, Writer
from welfare.benefits import service, sheet
from welfare.benefits.models import ClaimStatus
from welfare.benefits.schemas import (
    MAX_BATCH,
    ClaimCreate,
    ClaimDecisionsCreate,
    ClaimDecisionsResult,
    ClaimPaymentsCreate,
    ClaimPaymentsResult,
    ClaimPublic,
    ClaimSheetCreate,
    ClaimSheetResult,
    ClaimsPublic,
    Decision,
    Payment,
)
from welfare.funds import service as funds
from welfare.members import service as members

router = APIRouter(tags=["benefits"])
NOT_FOUND = {404: "No such claim (or outside the client's areas)"}
NO_FUND = {404: "No such fund (or outside the client's areas)"}


@router.post(
    "/v1/claims",
    response_model=ClaimPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            409: "Refused by the fund's rules in force on the event's date; the problem "
            "names the field and the rule (waiting-period, yearly-cap, ...)",
            422: "Invalid input, an unknown member, or a figure the benefit needs is missing",
        }
    ),
)
@idempotent
async def submit_claim(
    body: ClaimCreate, session: SessionDep, principal: Writer, request: Request
) -> ClaimPublic:
    """A benefit claimed by or for a member, judged by the rules in force on the event's
    date (eligibility, waiting period, what the member used this calendar year). A claim
    the rules allow waits for the committee; one they refuse is not stored."""
    member, _ = await members.referenced(session, principal, "body.member_id", body.member_id)
    claim = await service.submit(session, member, body)
    audit_resource(request, "welfare-claims", claim.id)
    return ClaimPublic.of(claim)


@router.get(
    "/v1/claims/{claim_id}", response_model=ClaimPublic, responses=problem_responses(NOT_FOUND)
)
async def get_claim(claim_id: uuid.UUID, session: SessionDep, principal: Reader) -> ClaimPublic:
    return ClaimPublic.of(await service.get(session, claim_id, principal))


@router.post(
    "/v1/claims/{claim_id}/decision",
    response_model=ClaimPublic,
    responses=problem_responses(
        {
            **NOT_FOUND,
            409: "Already decided, or the rules refuse it now (the problem names the rule)",
            422: "Invalid input (a refusal needs its reason)",
        }
    ),
)
@idempotent
async def decide_claim(
    claim_id: uuid.UUID, body: Decision, session: SessionDep, principal: Committee
) -> ClaimPublic:
    """The committee approves (judged again by the rules) or refuses (with the reason)."""
    claim = await service.get(session, claim_id, principal)
    return ClaimPublic.of(await service.decide(session, claim, body))


@router.post(
    "/v1/claims/{claim_id}/payment",
    response_model=ClaimPublic,
    responses=problem_responses(
        {
            **NOT_FOUND,
            409: "Not approved, already paid, or the fund holds less (fund-balance)",
            422: "Invalid input",
        }
    ),
)
@idempotent
async def pay_claim(
    claim_id: uuid.UUID, body: Payment, session: SessionDep, principal: Committee
) -> ClaimPublic:
    """Pay an approved claim from the fund; once."""
    claim = await service.get(session, claim_id, principal)
    return ClaimPublic.of(await service.pay(session, claim, body))


@router.post(
    "/v1/funds/{fund_id}/claim-sheets",
    response_model=ClaimSheetResult,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            **NO_FUND,
            409: "Claims refused by the fund's rules in force on their event's date, each "
            "named by its index, field, value and rule (no claim filed)",
            422: f"Invalid input, more than {MAX_BATCH:,} claims, a member not of this fund, or "
            "a figure a benefit needs is missing, each named by its index (no claim filed)",
        }
    ),
)
@idempotent
async def submit_claim_sheet(
    fund_id: uuid.UUID,
    body: ClaimSheetCreate,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> ClaimSheetResult:
    """A fund committee's claims filed together (at most 5,000): each judged as
    ``POST /v1/claims`` judges one, in the order listed, so a claim counts toward the
    yearly limits of the claims after it in the sheet. All claims or none, a result per
    claim; a refused sheet names each refused claim (``body.rows.N.…``, with its
    ``index``): 409 when all are the fund's rules, else 422."""
    fund = await funds.get(session, fund_id, principal)
    result = await service.submit_sheet(session, fund, body)
    audit_resource(request, "welfare-funds", fund.id)
    return result


_FILE_DESCRIPTION = (
    """A fund committee's claims as a file (ใบขอรับสวัสดิการ): a .csv (UTF-8) or .xlsx
whose first sheet has a header row, Thai or English:

| field | headers |
|---|---|
"""
    + "\n".join(f"| {field} | {', '.join(names)} |" for field, names in sheet.HEADERS.items())
    + f"""

A member is named by รหัสสมาชิก (the member's id) or เลขประจำตัวประชาชน (a member of
this fund); the benefit in Thai ({", ".join(list(sheet.KINDS)[:8])}) or as the API
writes it; the event's date as 2025-01-31 or 31/01/2568 (a Buddhist-era year is read
as such); the nights of a per-night benefit; the amount asked of an up-to benefit in
baht (จำนวนเงิน) or satang. At most {MAX_BATCH:,} rows. Every claim is judged as
`POST /v1/claims` would judge it, in the order of the rows, and filed, or none: a
sheet with any refused row answers 422 (or 409 when every problem is the fund's
rules) with one entry per problem naming the row (the header is row 1), the column
as written, the value (a national ID masked) and the rule."""
)


@router.post(
    "/v1/funds/{fund_id}/claim-sheets/file",
    response_model=ClaimSheetResult,
    status_code=status.HTTP_201_CREATED,
    description=_FILE_DESCRIPTION,
    responses=problem_responses(
        {
            **NO_FUND,
            409: "Claims refused by the fund's rules in force on their event's date, each "
            "named by row and column (no claim filed)",
            422: "The file cannot be read, or rows are bad input: each problem named by row "
            "and column (no claim filed)",
        }
    ),
)
@idempotent
async def upload_claim_sheet(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Writer,
    request: Request,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8) or .xlsx claim sheet")],
) -> ClaimSheetResult:
    fund = await funds.get(session, fund_id, principal)
    result = await service.submit_sheet_file(
        session, fund, filename=file.filename or "upload", file=file.file
    )
    audit_resource(request, "welfare-funds", fund.id)
    return result


@router.post(
    "/v1/funds/{fund_id}/claim-decisions",
    response_model=ClaimDecisionsResult,
    responses=problem_responses(
        {
            **NO_FUND,
            409: "Claims already decided, or approvals the rules refuse now, each named by its "
            "index (nothing decided)",
            422: f"Invalid input, more than {MAX_BATCH:,} decisions, a claim not of this fund "
            "or listed twice, a refusal without its reason (nothing decided)",
        }
    ),
)
@idempotent
async def decide_claims(
    fund_id: uuid.UUID,
    body: ClaimDecisionsCreate,
    session: SessionDep,
    principal: Committee,
    request: Request,
) -> ClaimDecisionsResult:
    """A committee meeting's decisions on the fund's claims: each taken as
    ``POST /v1/claims/{id}/decision`` takes one, in the order listed (an approval judged
    again by the rules), all or none, a result per decision."""
    fund = await funds.get(session, fund_id, principal)
    result = await service.decide_many(session, fund, body)
    audit_resource(request, "welfare-funds", fund.id)
    return result


@router.post(
    "/v1/funds/{fund_id}/claim-payments",
    response_model=ClaimPaymentsResult,
    responses=problem_responses(
        {
            **NO_FUND,
            409: "Claims not approved or already paid (each named by its index), or the fund "
            "holds less than their total (fund-balance); nothing paid",
            422: f"Invalid input, more than {MAX_BATCH:,} claims, a claim not of this fund or "
            "listed twice, paid before its event (nothing paid)",
        }
    ),
)
@idempotent
async def pay_claims(
    fund_id: uuid.UUID,
    body: ClaimPaymentsCreate,
    session: SessionDep,
    principal: Committee,
    request: Request,
) -> ClaimPaymentsResult:
    """Pay approved claims of the fund on one day, each once, all or none: the fund must
    hold their total. Each claim is one movement on the fund's books with the events one
    ``POST /v1/claims/{id}/payment`` publishes."""
    fund = await funds.get(session, fund_id, principal)
    result = await service.pay_many(session, fund, body)
    audit_resource(request, "welfare-funds", fund.id)
    return result


@router.get(
    "/v1/funds/{fund_id}/claims",
    response_model=ClaimsPublic,
    responses=problem_responses(
        {404: "No such fund (or outside the client's areas)", 422: "Bad filter"}
    ),
)
async def list_claims(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    status: ClaimStatus | None = None,
    member_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ClaimsPublic:
    fund = await funds.get(session, fund_id, principal)
    rows = await service.page(
        session,
        fund.id,
        after=decode_cursor(cursor),
        limit=limit + 1,
        status=status,
        member_id=member_id,
    )
    items, more = rows[:limit], len(rows) > limit
    return ClaimsPublic(
        items=[ClaimPublic.of(c) for c in items],
        next_cursor=encode_cursor(items[-1].id) if more else None,
    )

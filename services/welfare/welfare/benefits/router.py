"""/v1/claims: benefits claimed, decided by the fund's committee, paid from the fund."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from welfare.access import Committee, Reader, Writer
from welfare.benefits import service
from welfare.benefits.models import ClaimStatus
from welfare.benefits.schemas import ClaimCreate, ClaimPublic, ClaimsPublic, Decision, Payment
from welfare.funds import service as funds
from welfare.members import service as members

router = APIRouter(tags=["benefits"])
NOT_FOUND = {404: "No such claim (or outside the client's areas)"}


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

"""/v1/funds/{id}/match-requests and /v1/match-requests: the agency's and local
administrations' matches of members' contributions."""

import uuid

from fastapi import APIRouter, Request, status

from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from welfare.access import MatchApprover, Reader, Writer
from welfare.funds import service as funds
from welfare.matching import service
from welfare.matching.schemas import (
    MatchDecision,
    MatchRequestCreate,
    MatchRequestPublic,
    MatchRequestsPublic,
)

router = APIRouter(tags=["matching"])
NO_FUND = {404: "No such fund (or outside the client's areas)"}


@router.post(
    "/v1/funds/{fund_id}/match-requests",
    response_model=MatchRequestPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            **NO_FUND,
            409: "More than the contributions recorded for the period (over-contributions), "
            "or a period this matcher already covers (period-overlaps)",
            422: "Invalid input",
        }
    ),
)
@idempotent
async def request_match(
    fund_id: uuid.UUID,
    body: MatchRequestCreate,
    session: SessionDep,
    principal: Writer,
    request: Request,
) -> MatchRequestPublic:
    """Ask the agency (1:1) or a local administration for the match of the members'
    contributions recorded for a period."""
    fund = await funds.get(session, fund_id, principal)
    row = await service.request(session, fund, body)
    audit_resource(request, "welfare-match-requests", row.id)
    return MatchRequestPublic.of(row)


@router.get(
    "/v1/funds/{fund_id}/match-requests",
    response_model=MatchRequestsPublic,
    responses=problem_responses(NO_FUND),
)
async def list_match_requests(
    fund_id: uuid.UUID, session: SessionDep, principal: Reader
) -> MatchRequestsPublic:
    fund = await funds.get(session, fund_id, principal)
    rows = await service.of_fund(session, fund.id)
    return MatchRequestsPublic(items=[MatchRequestPublic.of(r) for r in rows])


@router.post(
    "/v1/match-requests/{request_id}/decision",
    response_model=MatchRequestPublic,
    responses=problem_responses(
        {404: "No such match request (or outside the client's areas)", 409: "Already decided"}
    ),
)
@idempotent
async def decide_match(
    request_id: uuid.UUID, body: MatchDecision, session: SessionDep, principal: MatchApprover
) -> MatchRequestPublic:
    """Approve (booked into the fund's books once, and published for finance) or refuse."""
    row = await service.get(session, request_id, principal)
    return MatchRequestPublic.of(await service.decide(session, row, body))

"""/v1/welfare-match-payments: the agency's matches of welfare funds, paid or waiting."""

from typing import Annotated

from fastapi import APIRouter, Query

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.pagination import decode_cursor, encode_cursor
from finance.access import Reader
from finance.welfare_matches import service
from finance.welfare_matches.models import MatchPaymentStatus
from finance.welfare_matches.schemas import WelfareMatchPaymentPublic, WelfareMatchPaymentsPublic

router = APIRouter(prefix="/v1/welfare-match-payments", tags=["welfare matches"])


@router.get(
    "",
    response_model=WelfareMatchPaymentsPublic,
    responses=problem_responses({422: "Invalid filter or paging"}),
)
async def list_match_payments(
    session: SessionDep,
    principal: Reader,
    status: MatchPaymentStatus | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> WelfareMatchPaymentsPublic:
    """Each match welfare approved for the agency to pay, in the client's areas: paid
    (from which budget, which ledger entry) or waiting (and why: no WELFARE_MATCH
    budget covers the fund for the year, or it has too little free). Allocating to a
    WELFARE_MATCH budget pays the waiting ones."""
    page = await service.page(
        session, principal, status=status, after=decode_cursor(cursor), limit=limit
    )
    return WelfareMatchPaymentsPublic(
        items=[WelfareMatchPaymentPublic.of(p) for p in page.items],
        next_cursor=encode_cursor(page.last) if page.last else None,
    )

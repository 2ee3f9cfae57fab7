"""/v1/funds/{id}/books and /movements: a fund's books and every movement behind them."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from welfare.access import Reader
from welfare.books import service
from welfare.books.schemas import BooksPublic, MovementPublic, MovementsPublic
from welfare.funds import service as funds
from welfare.funds.schemas import totals_of

router = APIRouter(prefix="/v1/funds", tags=["books"])
NOT_FOUND = {404: "No such fund (or outside the client's areas)"}


@router.get("/{fund_id}/books", response_model=BooksPublic, responses=problem_responses(NOT_FOUND))
async def get_books(fund_id: uuid.UUID, session: SessionDep, principal: Reader) -> BooksPublic:
    """Balance = contributions + matches + other income − benefits paid, with the check
    that these totals equal the sum of the fund's movements."""
    fund = await funds.get(session, fund_id, principal)
    totals = totals_of(fund)
    differences = await service.differences(session, fund)
    return BooksPublic(
        fund_id=fund.id,
        contributions_satang=totals.contributions_satang,
        agency_match_satang=totals.agency_match_satang,
        local_match_satang=totals.local_match_satang,
        matches_satang=totals.matches_satang,
        other_income_satang=totals.other_income_satang,
        benefits_paid_satang=totals.benefits_paid_satang,
        balance_satang=totals.balance_satang,
        movements=fund.movements,
        balanced=not differences,
        differences=differences,
    )


@router.get(
    "/{fund_id}/movements",
    response_model=MovementsPublic,
    responses=problem_responses({**NOT_FOUND, 422: "Bad paging"}),
)
async def list_movements(
    fund_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    after_sequence: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MovementsPublic:
    """The fund's movements in booking order."""
    fund = await funds.get(session, fund_id, principal)
    rows = await service.movements_page(session, fund.id, after=after_sequence, limit=limit + 1)
    items, more = rows[:limit], len(rows) > limit
    return MovementsPublic(
        items=[MovementPublic.of(m) for m in items],
        next_after_sequence=items[-1].sequence if more else None,
    )

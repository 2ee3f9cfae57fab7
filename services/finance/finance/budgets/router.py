"""/v1/budgets: allocate budgets and read their reconciliation."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from baan_shared.auth import forbid_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.http.bounds import FiscalYearBE
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from finance.access import Reader, Writer
from finance.budgets import service
from finance.budgets.areas import BudgetLevel, BudgetLevelIn, official_codes
from finance.budgets.lines import WELFARE_MATCH, BudgetProgramme
from finance.budgets.schemas import (
    AllocationPublic,
    AllocationReversal,
    BudgetAllocate,
    BudgetAllocated,
    BudgetDetail,
    BudgetPublic,
    BudgetsPublic,
)
from finance.welfare_matches import service as welfare_matches

router = APIRouter(prefix="/v1/budgets", tags=["budgets"])


@router.post(
    "",
    response_model=BudgetAllocated,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses({422: "Invalid input; `errors` names each field"}),
)
@idempotent
async def allocate_budget(
    body: BudgetAllocate, session: SessionDep, principal: Writer, request: Request
) -> BudgetAllocated:
    """Allocate money to a programme for a fiscal year in an area (จัดสรรงบประมาณ).

    The first allocation creates the budget; later ones add to it. With an
    ``Idempotency-Key`` a retried request gets the first answer and allocates nothing.
    """
    province, district, subdistrict = official_codes(BudgetLevel(body.area_level), body.area_code)
    forbid_unless_covered(
        principal,
        province=province,
        district=district,
        subdistrict=subdistrict,
        field="body.area_code",
    )
    budget, allocation = await service.allocate(session, body)
    if budget.programme == WELFARE_MATCH:
        # Matches that arrived before the money did are paid from it now, oldest first.
        await welfare_matches.pay_waiting(session, budget)
        await session.refresh(budget)
    audit_resource(request, "budgets", budget.id)
    return BudgetAllocated(
        allocation=AllocationPublic.of(allocation),
        budget=BudgetPublic.of(budget, await service.disbursed(session, budget.id)),
    )


@router.get(
    "",
    response_model=BudgetsPublic,
    responses=problem_responses({422: "Invalid filter; `errors` names each field"}),
)
async def list_budgets(
    session: SessionDep,
    principal: Reader,
    programme: BudgetProgramme | None = None,
    fiscal_year: FiscalYearBE | None = None,
    area_level: BudgetLevelIn | None = None,
    area_code: Annotated[str | None, Query(max_length=64)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> BudgetsPublic:
    where = service.BudgetFilter(
        programme=programme, fiscal_year=fiscal_year, area_level=area_level, area_code=area_code
    )
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return BudgetsPublic(
        items=[BudgetPublic.of(b, await service.disbursed(session, b.id)) for b in found.items],
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.get(
    "/{budget_id}",
    response_model=BudgetDetail,
    responses=problem_responses({404: "No such budget"}),
)
async def get_budget(budget_id: uuid.UUID, session: SessionDep, principal: Reader) -> BudgetDetail:
    """The budget's reconciliation (allocated = reserved + disbursed + free) and allocations."""
    budget = await service.get(session, budget_id, principal)
    summary = BudgetPublic.of(budget, await service.disbursed(session, budget.id))
    allocations = await service.allocations(session, budget.id)
    return BudgetDetail(
        **summary.model_dump(), allocations=[AllocationPublic.of(a) for a in allocations]
    )


@router.post(
    "/{budget_id}/allocations/{allocation_id}/reversal",
    response_model=BudgetAllocated,
    responses=problem_responses(
        {
            404: "No such budget or allocation",
            409: "Already reversed, or the money is reserved for grants",
            422: "Invalid input",
        }
    ),
)
@idempotent
async def reverse_allocation(
    budget_id: uuid.UUID,
    allocation_id: uuid.UUID,
    body: AllocationReversal,
    session: SessionDep,
    principal: Writer,
) -> BudgetAllocated:
    """Correct a mis-keyed allocation: a reversing ledger entry, the budget lowered by it."""
    await service.get(session, budget_id, principal)
    budget, allocation = await service.reverse_allocation(
        session, budget_id, allocation_id, body.reason
    )
    return BudgetAllocated(
        allocation=AllocationPublic.of(allocation),
        budget=BudgetPublic.of(budget, await service.disbursed(session, budget.id)),
    )

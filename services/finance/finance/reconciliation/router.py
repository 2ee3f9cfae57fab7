"""/v1/reconciliation: what a household is entitled to, has reserved, was paid and owes."""

import uuid

from fastapi import APIRouter

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from finance.access import Reader
from finance.reconciliation import service
from finance.reconciliation.schemas import HouseholdReconciliation

router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"])


@router.get(
    "/households/{household_id}",
    response_model=HouseholdReconciliation,
    responses=problem_responses(
        {
            404: "Client bound to areas: finance has neither the household's grant nor a "
            "loan of it in the client's areas (elsewhere and nowhere answer alike)",
            422: "Not a household id",
        }
    ),
)
async def reconcile_household(
    household_id: uuid.UUID, session: SessionDep, principal: Reader
) -> HouseholdReconciliation:
    """Entitled, reserved, disbursed and outstanding loan; zeros and ``no_grant`` for a
    household finance has no grant for.

    For a client bound to areas, finance places the household by its grant's area,
    or without a grant by its loans' areas: a household placed outside the client's
    areas and one finance has no record of answer the same 404 (``household …
    does not exist``). A national client gets zeros and ``no_grant`` for a household
    finance has no record of, as before. Only loans in the client's areas are
    counted."""
    return await service.household(session, household_id, principal)

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
    responses=problem_responses({422: "Not a household id"}),
)
async def reconcile_household(
    household_id: uuid.UUID, session: SessionDep, principal: Reader
) -> HouseholdReconciliation:
    """Entitled, reserved, disbursed and outstanding loan; zeros and ``no_grant`` for a
    household finance has no grant for."""
    return await service.household(session, household_id)

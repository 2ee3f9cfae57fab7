"""/v1/reconciliation: what a household is entitled to, has reserved, was paid and owes."""

import uuid

from fastapi import APIRouter

from baan_shared.auth import not_found_unless_covered
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from finance.access import Reader
from finance.grants import repository as grants
from finance.reconciliation import service
from finance.reconciliation.schemas import HouseholdReconciliation

router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"])


@router.get(
    "/households/{household_id}",
    response_model=HouseholdReconciliation,
    responses=problem_responses(
        {404: "The household's grant is outside the client's areas", 422: "Not a household id"}
    ),
)
async def reconcile_household(
    household_id: uuid.UUID, session: SessionDep, principal: Reader
) -> HouseholdReconciliation:
    """Entitled, reserved, disbursed and outstanding loan; zeros and ``no_grant`` for a
    household finance has no grant for. A household whose grant lies outside the
    client's areas answers 404, as if finance did not know it."""
    grant = await grants.for_household(session, household_id)
    if grant is not None:
        not_found_unless_covered(
            principal,
            f"household {household_id}",
            province=grant.province_code,
            district=grant.district_code,
            subdistrict=grant.subdistrict_code,
        )
    return await service.household(session, household_id)

"""Reconciliation (กระทบยอด): one household's money across its grant and its loans.

Budgets reconcile themselves (``BudgetPublic``: allocated = reserved +
disbursed + free); this module answers the household's side.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from finance.grants import service as grants
from finance.grants.models import GrantStatus
from finance.loans import repository as loans
from finance.reconciliation.schemas import HouseholdReconciliation


async def household(session: AsyncSession, household_id: uuid.UUID) -> HouseholdReconciliation:
    grant = await grants.get_for_household(session, household_id)
    rejected = grant.status is GrantStatus.REJECTED
    entitled = 0 if rejected else grant.amount_satang
    return HouseholdReconciliation(
        household_id=household_id,
        grant_id=grant.id,
        grant_status=grant.status,
        budget_id=grant.budget_id,
        entitled_satang=entitled,
        reserved_satang=entitled - grant.disbursed_satang,
        disbursed_satang=grant.disbursed_satang,
        outstanding_loan_satang=await loans.outstanding_for_household(session, household_id),
        rejection_reason=grant.rejection_reason,
    )

"""Reconciliation (กระทบยอด): one household's money across its grant and its loans.

Budgets reconcile themselves (``BudgetPublic``: allocated = reserved +
disbursed + free), revolving funds too (``FundPublic``: in − out = balance);
this module answers the household's side.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from finance.grants import repository as grants
from finance.grants.models import GrantStatus
from finance.loans import repository as loans
from finance.reconciliation.schemas import HouseholdFinanceStatus, HouseholdReconciliation


async def household(session: AsyncSession, household_id: uuid.UUID) -> HouseholdReconciliation:
    grant = await grants.for_household(session, household_id)
    outstanding = await loans.outstanding_for_household(session, household_id)
    loan_count = await loans.count_for_household(session, household_id)
    if grant is None:
        return HouseholdReconciliation(
            household_id=household_id,
            status=HouseholdFinanceStatus.NO_GRANT,
            grant_id=None,
            grant_status=None,
            budget_id=None,
            entitled_satang=0,
            reserved_satang=0,
            disbursed_satang=0,
            outstanding_loan_satang=outstanding,
            loans=loan_count,
            rejection_reason=None,
        )
    rejected = grant.status is GrantStatus.REJECTED
    entitled = 0 if rejected else grant.amount_satang
    return HouseholdReconciliation(
        household_id=household_id,
        status=HouseholdFinanceStatus(grant.status.value),
        grant_id=grant.id,
        grant_status=grant.status,
        budget_id=grant.budget_id,
        entitled_satang=entitled,
        reserved_satang=entitled - grant.disbursed_satang,
        disbursed_satang=grant.disbursed_satang,
        outstanding_loan_satang=outstanding,
        loans=loan_count,
        rejection_reason=grant.rejection_reason,
    )

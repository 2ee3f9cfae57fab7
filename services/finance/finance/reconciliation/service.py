"""Reconciliation (กระทบยอด): one household's money across its grant and its loans.

Budgets reconcile themselves (``BudgetPublic``: allocated = reserved +
disbursed + free), revolving funds too (``FundPublic``: in − out = balance);
this module answers the household's side.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, not_found_unless_covered
from finance.grants import repository as grants
from finance.grants.models import GrantStatus
from finance.loans import repository as loans
from finance.reconciliation.schemas import HouseholdFinanceStatus, HouseholdReconciliation


async def household(
    session: AsyncSession, household_id: uuid.UUID, principal: Principal
) -> HouseholdReconciliation:
    """The household's grant and loans as the client may see them.

    Elsewhere is nowhere (issue 14): finance places a household only by its own
    records, its grant or, without one, its loans. For a client bound to areas a
    household is there when one of them lies in the client's areas; one whose grant
    lies outside them, or that has no grant and no loan in them (elsewhere, or
    nowhere: finance never heard of it), answers the one 404,
    ``household … does not exist``. A national client has no "elsewhere": for it a
    household finance has no record of is still an answer, zeros and ``no_grant``
    ("nothing owed", e.g. approved in survey but not yet heard of here), as it
    always was. Loans are counted in the query only where they lie in the client's
    areas.
    """
    what = f"household {household_id}"
    grant = await grants.for_household(session, household_id)
    if grant is not None:
        not_found_unless_covered(
            principal,
            what,
            province=grant.province_code,
            district=grant.district_code,
            subdistrict=grant.subdistrict_code,
        )
    loan_count, outstanding = await loans.household_loans(session, household_id, principal)
    if grant is None and loan_count == 0 and not principal.all_areas:
        raise does_not_exist(what)
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

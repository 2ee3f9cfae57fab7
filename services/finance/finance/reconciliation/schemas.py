"""What the reconciliation API returns."""

import uuid
from enum import StrEnum

from pydantic import BaseModel, Field

from finance.grants.models import GrantStatus


class HouseholdFinanceStatus(StrEnum):
    """Where the household stands with finance, in one word."""

    NO_GRANT = "no_grant"  # finance has no grant for it (not approved, or not heard of yet)
    APPROVED = "approved"  # grant reserved, nothing paid yet
    DISBURSING = "disbursing"  # some tranches paid
    DISBURSED = "disbursed"  # grant paid in full
    REJECTED = "rejected"  # no budget could cover the grant


class HouseholdReconciliation(BaseModel):
    """Everything finance owes or is owed by one household, traced to its grant.

    A household finance has no grant for answers with zeros and status
    ``no_grant`` (its loans, if any, still count): "nothing owed" is an answer,
    not a missing resource, for a national client. A client bound to areas gets
    404 for a household with neither a grant nor a loan in its areas, the same
    whether it lies elsewhere or nowhere.
    """

    household_id: uuid.UUID
    status: HouseholdFinanceStatus
    grant_id: uuid.UUID | None = Field(description="None when finance has no grant for it")
    grant_status: GrantStatus | None
    budget_id: uuid.UUID | None = Field(description="The budget the grant is reserved from")
    entitled_satang: int = Field(description="The grant committed to the household; 0 if rejected")
    reserved_satang: int = Field(description="Committed and not yet paid")
    disbursed_satang: int = Field(description="Paid in tranches so far")
    outstanding_loan_satang: int = Field(
        description="Principal still owed on its loans in the client's areas"
    )
    loans: int = Field(description="How many loans the household has had in the client's areas")
    rejection_reason: str | None

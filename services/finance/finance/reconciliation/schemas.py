"""What the reconciliation API returns."""

import uuid

from pydantic import BaseModel, Field

from finance.grants.models import GrantStatus


class HouseholdReconciliation(BaseModel):
    """Everything finance owes or is owed by one household, traced to its grant."""

    household_id: uuid.UUID
    grant_id: uuid.UUID
    grant_status: GrantStatus
    budget_id: uuid.UUID | None = Field(description="The budget the grant is reserved from")
    entitled_satang: int = Field(description="The grant committed to the household; 0 if rejected")
    reserved_satang: int = Field(description="Committed and not yet paid")
    disbursed_satang: int = Field(description="Paid in tranches so far")
    outstanding_loan_satang: int = Field(description="Principal still owed on its loans")
    rejection_reason: str | None

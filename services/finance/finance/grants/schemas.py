"""What the grants API returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from finance.grants.models import Grant, GrantDisbursement, GrantStatus


class DisbursementPublic(BaseModel):
    tranche: int = Field(description="1-based, in the order the schedule pays them")
    stage: str = Field(description="The stage of the house that made the tranche due")
    amount_satang: int
    payment_reference: str
    journal_entry_id: uuid.UUID
    paid_at: datetime

    @classmethod
    def of(cls, disbursement: GrantDisbursement) -> "DisbursementPublic":
        return cls.model_validate(disbursement, from_attributes=True)


class GrantPublic(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    house_id: uuid.UUID | None
    programme: str
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    fiscal_year: int
    community_id: uuid.UUID | None
    project_id: uuid.UUID | None
    status: GrantStatus
    budget_id: uuid.UUID | None = Field(description="The budget the grant is reserved from")
    rejection_reason: str | None = Field(description="Why no budget could cover it")
    amount_satang: int = Field(description="What the household is entitled to")
    disbursed_satang: int
    outstanding_satang: int
    opened_by: str = Field(description="The event that opened the grant")
    approved_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, grant: Grant) -> "GrantPublic":
        return cls.model_validate(grant, from_attributes=True)


class GrantDetail(GrantPublic):
    disbursements: list[DisbursementPublic]

    @classmethod
    def with_disbursements(
        cls, grant: Grant, disbursements: list[GrantDisbursement]
    ) -> "GrantDetail":
        return cls(
            **GrantPublic.of(grant).model_dump(),
            disbursements=[DisbursementPublic.of(d) for d in disbursements],
        )


class GrantsPublic(BaseModel):
    items: list[GrantPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class HouseholdGrant(BaseModel):
    """A household's grant from its own side: what it is owed and what it has received."""

    household_id: uuid.UUID
    grant_id: uuid.UUID
    programme: str
    status: GrantStatus
    entitled_satang: int
    disbursed_satang: int
    outstanding_satang: int
    budget_id: uuid.UUID | None = Field(description="The budget the grant is reserved from")
    project_id: uuid.UUID | None = Field(description="The construction project of its house")
    disbursements: list[DisbursementPublic]

    @classmethod
    def of(cls, grant: Grant, disbursements: list[GrantDisbursement]) -> "HouseholdGrant":
        return cls(
            household_id=grant.household_id,
            grant_id=grant.id,
            programme=grant.programme,
            status=grant.status,
            entitled_satang=grant.amount_satang,
            disbursed_satang=grant.disbursed_satang,
            outstanding_satang=grant.outstanding_satang,
            budget_id=grant.budget_id,
            project_id=grant.project_id,
            disbursements=[DisbursementPublic.of(d) for d in disbursements],
        )

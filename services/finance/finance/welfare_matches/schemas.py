"""What the welfare match payments API returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from finance.welfare_matches.models import MatchPaymentStatus, WelfareMatchPayment


class WelfareMatchPaymentPublic(BaseModel):
    id: uuid.UUID
    match_request_id: uuid.UUID = Field(description="Welfare's match request")
    welfare_fund_id: uuid.UUID
    province_code: str
    district_code: str
    subdistrict_code: str
    period_from: date
    period_to: date
    amount_satang: int
    status: MatchPaymentStatus = Field(description="paid, or waiting for a WELFARE_MATCH budget")
    fiscal_year: int | None = Field(description="The budget year that pays it (B.E.)")
    budget_id: uuid.UUID | None = Field(
        description="The budget it was paid from (null: waiting, or paid from cash before "
        "budgets paid matches)"
    )
    unpaid_reason: str | None = Field(description="Why it waits: no budget, or too little free")
    journal_entry_id: uuid.UUID | None
    paid_at: datetime | None

    @classmethod
    def of(cls, row: WelfareMatchPayment) -> "WelfareMatchPaymentPublic":
        return cls.model_validate(row, from_attributes=True)


class WelfareMatchPaymentsPublic(BaseModel):
    items: list[WelfareMatchPaymentPublic]
    next_cursor: str | None

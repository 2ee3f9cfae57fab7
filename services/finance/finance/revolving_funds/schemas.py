"""What the revolving funds API takes and returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from baan_shared.http.bounds import PositiveSatang
from finance.revolving_funds.models import FundMovement, FundMovementKind, FundScope, RevolvingFund


class FundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: FundScope
    code: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,32}$",
        description="The sub-district's 6-digit code, or the community's own code",
    )
    name: str = Field(min_length=1, max_length=200)
    province_code: str = Field(pattern=r"^\d{2}$")


class FundDeposit(BaseModel):
    """Seed money moved from the agency's cash into the fund."""

    model_config = ConfigDict(extra="forbid")

    amount_satang: PositiveSatang
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")


class MovementPublic(BaseModel):
    id: uuid.UUID
    kind: FundMovementKind
    amount_satang: int
    loan_id: uuid.UUID | None
    reference: str
    journal_entry_id: uuid.UUID
    recorded_at: datetime

    @classmethod
    def of(cls, row: FundMovement) -> "MovementPublic":
        return cls.model_validate(row, from_attributes=True)


class FundPublic(BaseModel):
    """A fund and its reconciliation: balance = in − out."""

    id: uuid.UUID
    scope: FundScope
    code: str
    name: str
    province_code: str
    district_code: str | None = Field(
        description="A sub-district's fund: the district it lies in (from its official code)"
    )
    subdistrict_code: str | None = Field(
        description="A sub-district's fund: its official code; a community's fund: none"
    )
    in_satang: int = Field(description="Repayments and deposits received")
    out_satang: int = Field(description="Loans financed")
    balance_satang: int
    ledger_account: str = Field(description="The fund's account in the trial balance")
    updated_at: datetime

    @classmethod
    def of(cls, fund: RevolvingFund) -> "FundPublic":
        from finance.ledger.chart import revolving_fund_account
        from finance.revolving_funds.service import area_of

        _, district, subdistrict = area_of(fund)
        return cls(
            id=fund.id,
            scope=fund.scope,
            code=fund.code,
            name=fund.name,
            province_code=fund.province_code,
            district_code=district,
            subdistrict_code=subdistrict,
            in_satang=fund.in_satang,
            out_satang=fund.out_satang,
            balance_satang=fund.balance_satang,
            ledger_account=revolving_fund_account(fund.id),
            updated_at=fund.updated_at,
        )


class FundDetail(FundPublic):
    movements: list[MovementPublic]


class FundsPublic(BaseModel):
    items: list[FundPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")

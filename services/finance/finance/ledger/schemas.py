"""What the ledger API returns."""

from pydantic import BaseModel, Field

from finance.ledger.models import AccountType


class AccountBalance(BaseModel):
    code: str
    name: str
    type: AccountType
    debit_satang: int = Field(description="Sum of the account's debit lines")
    credit_satang: int = Field(description="Sum of the account's credit lines")
    balance_satang: int = Field(
        description="On the account's normal side: debits − credits for assets and expenses, "
        "credits − debits for liabilities, equity and income"
    )


class TrialBalance(BaseModel):
    accounts: list[AccountBalance]
    debit_satang: int = Field(description="Total debits over every account")
    credit_satang: int = Field(description="Total credits over every account")
    balanced: bool = Field(description="Debits equal credits, as double entry guarantees")

"""The chart of accounts (ผังบัญชี) finance posts to.

Accounts are created on first use from this chart (and seeded by the first
migration), so adding an account for budgets or loans is one line here.
"""

import uuid
from dataclasses import dataclass

from finance.ledger.models import AccountType

CASH = "cash"
GRANTS_PAYABLE = "grants_payable"
GRANT_EXPENSE = "grant_expense"
BUDGET_APPROPRIATIONS = "budget_appropriations"
LOANS_RECEIVABLE = "loans_receivable"
INTEREST_INCOME = "interest_income"
WELFARE_MATCH_EXPENSE = "welfare_match_expense"


@dataclass(frozen=True)
class AccountSpec:
    name: str
    type: AccountType


CHART: dict[str, AccountSpec] = {
    CASH: AccountSpec("Cash at bank (เงินฝากธนาคาร)", AccountType.ASSET),
    GRANTS_PAYABLE: AccountSpec(
        "Housing grants committed, not yet paid (เงินอุดหนุนค้างจ่าย)", AccountType.LIABILITY
    ),
    GRANT_EXPENSE: AccountSpec("Housing grants (ค่าใช้จ่ายเงินอุดหนุนที่อยู่อาศัย)", AccountType.EXPENSE),
    BUDGET_APPROPRIATIONS: AccountSpec(
        "Budget allocated by the government (รายได้จากงบประมาณ)", AccountType.INCOME
    ),
    LOANS_RECEIVABLE: AccountSpec("Housing loans receivable (ลูกหนี้เงินกู้)", AccountType.ASSET),
    INTEREST_INCOME: AccountSpec("Interest on housing loans (รายได้ดอกเบี้ย)", AccountType.INCOME),
    WELFARE_MATCH_EXPENSE: AccountSpec(
        "Matches of community welfare funds (เงินสมทบกองทุนสวัสดิการชุมชน)", AccountType.EXPENSE
    ),
}


# Each revolving fund (กองทุนหมุนเวียน) has its own asset account: the money the
# community's fund holds. Rural repayments are debited to it, loans it finances
# are credited from it, so its balance is the fund's balance.
REVOLVING_FUND_PREFIX = "revolving_fund:"


def revolving_fund_account(fund_id: uuid.UUID) -> str:
    return f"{REVOLVING_FUND_PREFIX}{fund_id.hex}"


def spec_for(code: str) -> AccountSpec | None:
    """The chart's account for ``code``, including one per revolving fund; else ``None``."""
    if code in CHART:
        return CHART[code]
    if code.startswith(REVOLVING_FUND_PREFIX):
        return AccountSpec(
            f"Revolving fund {code[len(REVOLVING_FUND_PREFIX) :]} (กองทุนหมุนเวียน)", AccountType.ASSET
        )
    return None

"""The chart of accounts (ผังบัญชี) finance posts to.

Accounts are created on first use from this chart (and seeded by the first
migration), so adding an account for budgets or loans is one line here.
"""

from dataclasses import dataclass

from finance.ledger.models import AccountType

CASH = "cash"
GRANTS_PAYABLE = "grants_payable"
GRANT_EXPENSE = "grant_expense"
BUDGET_APPROPRIATIONS = "budget_appropriations"
LOANS_RECEIVABLE = "loans_receivable"
INTEREST_INCOME = "interest_income"


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
}

"""Every table in finance's database, imported in one place for Alembic."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from finance.budgets.models import Budget, BudgetAllocation
from finance.grants.models import Grant, GrantDisbursement, HouseStage
from finance.ledger.models import Account, JournalEntry, JournalLine
from finance.loans.models import (
    Loan,
    LoanInstalment,
    LoanRepayment,
    LoanRepaymentAllocation,
    LoanRescheduling,
)
from finance.revolving_funds.models import FundMovement, RevolvingFund
from finance.welfare_matches.models import WelfareMatchPayment

__all__ = [
    "Account",
    "AuditRecord",
    "Budget",
    "BudgetAllocation",
    "FundMovement",
    "Grant",
    "GrantDisbursement",
    "HouseStage",
    "IdempotencyKey",
    "JournalEntry",
    "JournalLine",
    "Loan",
    "LoanInstalment",
    "LoanRepayment",
    "LoanRepaymentAllocation",
    "LoanRescheduling",
    "OutboxMessage",
    "ProcessedEvent",
    "RateLimitCounter",
    "RevolvingFund",
    "WelfareMatchPayment",
]

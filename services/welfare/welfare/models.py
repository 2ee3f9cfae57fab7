"""Every table in welfare's database, imported in one place for Alembic: the
platform's (created by baan_shared's migration history, never by welfare's own
migrations) and welfare's domain tables."""

from baan_shared.auth.audit import AuditRecord
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.http.idempotency import IdempotencyKey
from baan_shared.inbox import ProcessedEvent
from baan_shared.outbox import OutboxMessage
from welfare.benefits.models import Claim
from welfare.books.models import FundMovement
from welfare.contributions.models import Contribution
from welfare.funds.models import Fund, FundRuleVersion
from welfare.matching.models import MatchRequest
from welfare.members.models import Member

__all__ = [
    "AuditRecord",
    "Claim",
    "Contribution",
    "Fund",
    "FundMovement",
    "FundRuleVersion",
    "IdempotencyKey",
    "MatchRequest",
    "Member",
    "OutboxMessage",
    "ProcessedEvent",
    "RateLimitCounter",
]

"""Welfare's own tables, imported in one place for Alembic. The platform's tables
(outbox, inbox, audit log, rate limits, idempotency keys) come from baan_shared's
migration branch, never from here."""

from welfare.benefits.models import Claim
from welfare.books.models import FundMovement
from welfare.contributions.models import Contribution
from welfare.funds.models import Fund, FundRuleVersion
from welfare.matching.models import MatchRequest
from welfare.members.models import Member

__all__ = [
    "Claim",
    "Contribution",
    "Fund",
    "FundMovement",
    "FundRuleVersion",
    "MatchRequest",
    "Member",
]

"""Loan arrears, without a database: how many days a loan is past due, and its bucket.

A loan is as late as its oldest instalment still unpaid (``days_past_due``); the
buckets are the ones a lender reports (current, 1-30, 31-60, 61-90, over 90 days).
"""

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from finance.loans.schedule import Owed


class ArrearsBucket(StrEnum):
    CURRENT = "current"
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "over-90"


def days_past_due(owed: Sequence[Owed], as_of: date) -> int:
    """Days since the oldest instalment still unpaid fell due (0 if none is overdue)."""
    overdue = [
        o.due_on for o in owed if o.due_on < as_of and o.interest_satang + o.principal_satang
    ]
    return (as_of - min(overdue)).days if overdue else 0


def bucket(days: int) -> ArrearsBucket:
    if days <= 0:
        return ArrearsBucket.CURRENT
    if days <= 30:
        return ArrearsBucket.DAYS_1_30
    if days <= 60:
        return ArrearsBucket.DAYS_31_60
    if days <= 90:
        return ArrearsBucket.DAYS_61_90
    return ArrearsBucket.OVER_90

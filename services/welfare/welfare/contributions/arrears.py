"""What a member owes (one baht a day, or the fund's own daily rate) and is behind by.

A member owes the daily contribution for every day from joining to the day the
account is taken (both counted), at the rate of the rule version in force on
each day; a membership that ended stops owing on its last day. Arrears
(เงินค้างส่ง) are what is owed and not paid; paying ahead is allowed and is
not arrears. Plain functions: no database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Rate:
    """From ``effective_from`` on, a member pays ``daily_satang`` a day."""

    effective_from: date
    daily_satang: int


def owed_satang(joined_on: date, until: date, rates: Sequence[Rate]) -> int:
    """What a member who joined on ``joined_on`` owes for the days up to ``until``.

    Days before the first rate's effective date are owed at the first rate (a fund's
    rules start when it is registered; its founding members may have joined earlier)."""
    if until < joined_on or not rates:
        return 0
    ordered = sorted(rates, key=lambda rate: rate.effective_from)
    total = 0
    for index, rate in enumerate(ordered):
        start = joined_on if index == 0 else max(joined_on, rate.effective_from)
        end = until
        if index + 1 < len(ordered):
            end = min(until, ordered[index + 1].effective_from - timedelta(days=1))
        if end >= start:
            total += ((end - start).days + 1) * rate.daily_satang
    return total


@dataclass(frozen=True)
class Account:
    owed_satang: int
    paid_satang: int

    @property
    def arrears_satang(self) -> int:
        return max(0, self.owed_satang - self.paid_satang)

    @property
    def ahead_satang(self) -> int:
        return max(0, self.paid_satang - self.owed_satang)


def days_behind(account: Account, daily_satang: int) -> int:
    """Whole days of contributions missing at ``daily_satang`` a day (rounded up)."""
    return -(-account.arrears_satang // daily_satang) if daily_satang > 0 else 0

"""Whether a match request fits the contributions it matches: no database.

The agency matches members' contributions one to one (1:1), and local
administrations match too. A matcher's requests for one fund never cover the same
day twice, and a request asks at most the contributions recorded for its period:
so one baht of contributions is matched at most once by each matcher.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def overlaps(self, other: "Period") -> bool:
        return self.first <= other.last and other.first <= self.last


def overlapping(period: Period, earlier: Iterable[Period]) -> Period | None:
    return next((p for p in earlier if p.overlaps(period)), None)


def over_contributions(amount_satang: int, contributions_satang: int) -> bool:
    """1:1: a match asks at most what members paid in the period."""
    return amount_satang > contributions_satang

"""A fund's books (บัญชีกองทุน), as arithmetic: no database.

balance = members' contributions + matches (the agency's and local
administrations') + other income − benefits paid. Every change of a total is one
movement, so the totals kept on the fund must always equal the sum of its
movements; ``reconcile`` says where they do not.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class MovementKind(StrEnum):
    CONTRIBUTION = "contribution"  # in: a member's payment
    AGENCY_MATCH = "agency_match"  # in: the agency's 1:1 match (สมทบจาก พอช./รัฐบาล)
    LOCAL_MATCH = "local_match"  # in: a local administration's match (สมทบจาก อปท.)
    OTHER_INCOME = "other_income"  # in: donations, interest
    BENEFIT = "benefit"  # out: a benefit paid to a member


OUTGOING = frozenset({MovementKind.BENEFIT})


@dataclass(frozen=True)
class Totals:
    contributions_satang: int = 0
    agency_match_satang: int = 0
    local_match_satang: int = 0
    other_income_satang: int = 0
    benefits_paid_satang: int = 0

    @property
    def matches_satang(self) -> int:
        return self.agency_match_satang + self.local_match_satang

    @property
    def balance_satang(self) -> int:
        return (
            self.contributions_satang
            + self.matches_satang
            + self.other_income_satang
            - self.benefits_paid_satang
        )


TOTAL_OF: dict[MovementKind, str] = {
    MovementKind.CONTRIBUTION: "contributions_satang",
    MovementKind.AGENCY_MATCH: "agency_match_satang",
    MovementKind.LOCAL_MATCH: "local_match_satang",
    MovementKind.OTHER_INCOME: "other_income_satang",
    MovementKind.BENEFIT: "benefits_paid_satang",
}
"""Which total each kind of movement adds to."""


def change_of(kind: MovementKind, amount_satang: int) -> int:
    """What a movement does to the balance: in positive, out negative."""
    return -amount_satang if kind in OUTGOING else amount_satang


def totals_of(movements: Iterable[tuple[MovementKind, int]]) -> Totals:
    sums = dict.fromkeys(TOTAL_OF.values(), 0)
    for kind, amount in movements:
        sums[TOTAL_OF[kind]] += amount
    return Totals(**sums)


def reconcile(kept: Totals, movements: Iterable[tuple[MovementKind, int]]) -> list[str]:
    """Each total kept on the fund that differs from the sum of its movements, named."""
    summed = totals_of(movements)
    return [
        f"{name}: kept {getattr(kept, name)}, movements sum to {getattr(summed, name)}"
        for name in TOTAL_OF.values()
        if getattr(kept, name) != getattr(summed, name)
    ]

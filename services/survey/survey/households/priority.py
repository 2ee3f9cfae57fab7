"""Priority ranking (ลำดับความจำเป็น) of approved households when the budget is short.

Each factor scores 0 (least need) to 1 (most need); the score is their weighted
mean, with weights the caller chooses. Plain functions: tests need no database.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from baan_shared.reference import Programme
from survey.households.models import HouseCondition, Household

# Income per person per month at or above which the income factor is 0: about twice
# the national poverty line (~3,000 THB per person per month). Below it, need rises
# linearly to 1 at no income.
INCOME_REFERENCE_PER_PERSON_SATANG = 600_000

CONDITION_NEED: dict[HouseCondition | None, float] = {
    HouseCondition.MUST_REBUILD: 1.0,
    HouseCondition.DILAPIDATED: 0.75,
    HouseCondition.NON_DURABLE: 0.75,
    HouseCondition.NEVER_REPAIRED: 0.5,
    HouseCondition.SOUND: 0.0,
    None: 0.5,  # not surveyed: neither pushed up nor down
}


@dataclass(frozen=True)
class Weights:
    income: float = 0.5
    condition: float = 0.3
    vulnerable: float = 0.2

    @property
    def total(self) -> float:
        return self.income + self.condition + self.vulnerable


@dataclass(frozen=True)
class WeightOverrides:
    """Weights a caller gives for one ranking; None keeps the programme's saved weight."""

    income: float | None = None
    condition: float | None = None
    vulnerable: float | None = None

    def over(self, saved: Weights) -> Weights:
        return Weights(
            saved.income if self.income is None else self.income,
            saved.condition if self.condition is None else self.condition,
            saved.vulnerable if self.vulnerable is None else self.vulnerable,
        )

    def applied_to(self, saved: Mapping[Programme, Weights]) -> dict[Programme, Weights]:
        """Every programme's weights with these overrides (defaults where none are saved)."""
        return {code: self.over(saved.get(code, Weights())) for code in Programme}


@dataclass(frozen=True)
class Factors:
    income: float
    condition: float
    vulnerable: float


def factors(household: Household, vulnerable_members: int) -> Factors:
    per_person = household.monthly_income_satang / max(household.household_size, 1)
    income = 1 - min(per_person / INCOME_REFERENCE_PER_PERSON_SATANG, 1.0)
    vulnerable = min(vulnerable_members / max(household.household_size, 1), 1.0)
    return Factors(
        income=round(income, 4),
        condition=CONDITION_NEED[household.house_condition],
        vulnerable=round(vulnerable, 4),
    )


def score(f: Factors, weights: Weights) -> float:
    weighted = (
        weights.income * f.income
        + weights.condition * f.condition
        + weights.vulnerable * f.vulnerable
    )
    return round(weighted / weights.total, 4)

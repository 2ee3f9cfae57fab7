"""Who qualifies for a programme, rule by rule, with reasons (เกณฑ์คุณสมบัติ).

Plain functions over a household and its programme's rules: tests need no
database. Each rule passes, fails, or is unknown when the survey did not record
what it needs; only a failure makes a household ineligible, so a missing answer
is shown to the committee rather than held against the household.
"""

from dataclasses import dataclass
from enum import StrEnum

from survey.households.models import Household
from survey.programmes.models import ProgrammeRules


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    rule: str
    outcome: Outcome
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "outcome": self.outcome.value, "reason": self.reason}


def _baht(satang: int) -> str:
    return f"{satang / 100:,.2f} THB"


def income_check(household: Household, rules: ProgrammeRules) -> Check:
    limit = rules.income_limit_satang
    if limit is None:
        return Check("income_limit", Outcome.PASS, f"{rules.code} sets no income limit")
    income = household.monthly_income_satang
    if income <= limit:
        return Check(
            "income_limit", Outcome.PASS, f"income {_baht(income)} a month is within {_baht(limit)}"
        )
    return Check(
        "income_limit", Outcome.FAIL, f"income {_baht(income)} a month is above {_baht(limit)}"
    )


def house_condition_check(household: Household, rules: ProgrammeRules) -> Check:
    allowed = rules.allowed_house_conditions
    if not allowed:
        return Check("house_condition", Outcome.PASS, f"{rules.code} accepts any house condition")
    if household.house_condition is None:
        return Check("house_condition", Outcome.UNKNOWN, "house condition was not surveyed")
    if household.house_condition in allowed:
        return Check(
            "house_condition",
            Outcome.PASS,
            f"house condition {household.house_condition} qualifies",
        )
    return Check(
        "house_condition",
        Outcome.FAIL,
        f"house condition {household.house_condition} is not one of {', '.join(allowed)}",
    )


def tenure_check(household: Household, rules: ProgrammeRules) -> Check:
    allowed = rules.allowed_tenures
    if not allowed:
        return Check("land_tenure", Outcome.PASS, f"{rules.code} accepts any land tenure")
    if household.land_tenure is None:
        return Check("land_tenure", Outcome.UNKNOWN, "land tenure was not surveyed")
    if household.land_tenure in allowed:
        return Check("land_tenure", Outcome.PASS, f"land tenure {household.land_tenure} qualifies")
    return Check(
        "land_tenure",
        Outcome.FAIL,
        f"land tenure {household.land_tenure} is not one of {', '.join(allowed)}",
    )


def not_assisted_check(already_assisted: Household | None) -> Check:
    if already_assisted is None:
        return Check("not_already_assisted", Outcome.PASS, "no approved case has this national ID")
    return Check(
        "not_already_assisted",
        Outcome.FAIL,
        f"already approved as household {already_assisted.id} ({already_assisted.programme})",
    )


def evaluate(
    household: Household, rules: ProgrammeRules, already_assisted: Household | None
) -> list[Check]:
    return [
        income_check(household, rules),
        house_condition_check(household, rules),
        tenure_check(household, rules),
        not_assisted_check(already_assisted),
    ]


def is_eligible(checks: list[Check]) -> bool:
    return all(c.outcome != Outcome.FAIL for c in checks)

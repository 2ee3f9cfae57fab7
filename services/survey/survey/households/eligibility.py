"""Who qualifies for a programme, rule by rule, with reasons (เกณฑ์คุณสมบัติ).

Plain functions over a household and its programme's rules: tests need no
database. Each rule passes, fails, or is unknown when the survey did not record
what it needs; only a failure makes a household ineligible, so a missing answer
is shown to the committee rather than held against the household.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from baan_shared.auth import RESOLVED_BY, Principal
from survey.households.models import Household
from survey.programmes.models import ProgrammeRules


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


NOT_ALREADY_ASSISTED = "not_already_assisted"

ASSISTED_ELSEWHERE = (
    f"already approved elsewhere: one household is helped once, and {RESOLVED_BY} can resolve this"
)
"""The reason an area-bound caller reads when the approved case lies outside its areas."""

# The other approved case, kept with the check for the callers allowed to see it.
_ASSISTED_KEYS = (
    "duplicate_of",
    "duplicate_programme",
    "duplicate_province_code",
    "duplicate_district_code",
    "duplicate_subdistrict_code",
)


@dataclass(frozen=True)
class Assisted:
    """The approved household that already holds this national ID."""

    household_id: str
    programme: str
    province_code: str
    district_code: str
    subdistrict_code: str

    @classmethod
    def of(cls, household: Household) -> "Assisted":
        return cls(
            str(household.id),
            str(household.programme),
            household.province_code,
            household.district_code,
            household.subdistrict_code,
        )

    @property
    def reason(self) -> str:
        return f"already approved as household {self.household_id} ({self.programme})"


@dataclass(frozen=True)
class Check:
    rule: str
    outcome: Outcome
    reason: str
    assisted: Assisted | None = None

    def as_dict(self) -> dict[str, str]:
        """What is stored: the reason any caller may read, and the other case apart.

        A check is stored once and read by national and area-bound callers alike, so
        its stored reason names nothing of another household; ``shown`` renders it.
        """
        stored = {"rule": self.rule, "outcome": self.outcome.value, "reason": self.reason}
        if self.assisted is not None:
            stored |= dict(zip(_ASSISTED_KEYS, _assisted_values(self.assisted), strict=True))
        return stored


def _assisted_values(assisted: Assisted) -> tuple[str, ...]:
    return (
        assisted.household_id,
        assisted.programme,
        assisted.province_code,
        assisted.district_code,
        assisted.subdistrict_code,
    )


def shown(check: Mapping[str, str], viewer: Principal | None) -> dict[str, str]:
    """A stored check (``Check.as_dict``) as ``viewer`` may read it.

    The other approved case is named only to a caller whose areas hold it (a
    national client, or ``viewer`` None: the service itself); anyone else reads
    that it is approved elsewhere and who resolves it. A check stored before the
    other case was kept apart names it in its reason: only national callers read it.
    """
    plain = {"rule": check["rule"], "outcome": check["outcome"], "reason": check["reason"]}
    if check["rule"] != NOT_ALREADY_ASSISTED or check["outcome"] != Outcome.FAIL:
        return plain
    if "duplicate_of" in check:
        assisted = Assisted(*(check[key] for key in _ASSISTED_KEYS))
        visible = viewer is None or viewer.covers(
            assisted.province_code, assisted.district_code, assisted.subdistrict_code
        )
        return plain | {"reason": assisted.reason if visible else ASSISTED_ELSEWHERE}
    if viewer is None or viewer.all_areas:
        return plain
    return plain | {"reason": ASSISTED_ELSEWHERE}


def shown_all(
    checks: list[dict[str, str]] | None, viewer: Principal | None
) -> list[dict[str, str]] | None:
    return None if checks is None else [shown(c, viewer) for c in checks]


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
        return Check(NOT_ALREADY_ASSISTED, Outcome.PASS, "no approved case has this national ID")
    # Stored neutral; the other case rides apart and is named only to those who may see it.
    return Check(
        NOT_ALREADY_ASSISTED,
        Outcome.FAIL,
        ASSISTED_ELSEWHERE,
        assisted=Assisted.of(already_assisted),
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

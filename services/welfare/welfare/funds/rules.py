"""A fund's rules (ระเบียบกองทุน), as its members agreed them, and which version is in force.

Each fund sets its own benefits: for example childbirth 500-1,000 THB, hospital
100-200 THB a night at most 10 nights a year, fire, flood or disaster up to
2,000 THB, death 3,000-20,000 THB by years of membership (seed 003). Members
change the rules at their yearly meeting, so a fund keeps every version with
the date it takes effect; a claim is judged by the version in force on the day
of its event, not the day it is filed. Plain models and functions: no database.
"""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_SATANG = 10**15
"""The same bound as request amounts everywhere (``baan_shared.http.bounds``): a rule's
amount beyond it is refused by validation, never overflows the database."""

PositiveSatang = Annotated[int, Field(strict=True, gt=0, le=MAX_SATANG)]

DAILY_CONTRIBUTION_SATANG = 100
"""One baht a day (วันละ 1 บาท), 365 THB a year: the contribution most funds ask."""


class BenefitKind(StrEnum):
    CHILDBIRTH = "childbirth"  # คลอดบุตร
    HOSPITAL = "hospital"  # นอนโรงพยาบาล (per night)
    DISASTER = "disaster"  # ไฟไหม้ น้ำท่วม ภัยพิบัติ
    DEATH = "death"  # เสียชีวิต
    ELDERLY = "elderly"  # ผู้สูงอายุ
    DISABILITY = "disability"  # ผู้พิการ
    EDUCATION = "education"  # ทุนการศึกษา
    ILLNESS = "illness"  # เจ็บป่วย (not admitted)


class Payment(StrEnum):
    """How a benefit's amount is set."""

    FIXED = "fixed"  # always amount_satang
    PER_NIGHT = "per_night"  # amount_satang for each night (hospital)
    UP_TO = "up_to"  # what the claim asks, at most amount_satang
    BY_YEARS = "by_years"  # from amounts_by_years, by completed years of membership


class YearsStep(BaseModel):
    """From ``min_years`` completed years of membership on, the benefit is ``amount_satang``."""

    model_config = ConfigDict(extra="forbid")

    min_years: Annotated[int, Field(ge=0, le=100)]
    amount_satang: PositiveSatang


class BenefitRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: BenefitKind
    payment: Payment
    amount_satang: PositiveSatang | None = Field(
        default=None,
        description="fixed: the amount; per_night: each night; up_to: the most one claim gets",
    )
    amounts_by_years: list[YearsStep] = Field(
        default_factory=list, max_length=50, description="by_years: the amount by membership"
    )
    waiting_days: Annotated[int, Field(ge=0, le=3650)] = Field(
        default=0, description="Days a member must have belonged before an event counts"
    )
    max_nights_per_year: Annotated[int, Field(ge=1, le=366)] | None = Field(
        default=None, description="per_night: the most nights paid in a calendar year"
    )
    yearly_cap_satang: PositiveSatang | None = Field(
        default=None, description="The most one member gets of this benefit in a calendar year"
    )
    claims_per_year: Annotated[int, Field(ge=1, le=366)] | None = Field(
        default=None, description="The most claims of this benefit per member in a calendar year"
    )

    @model_validator(mode="after")
    def _amount_matches_payment(self) -> Self:
        if self.payment is Payment.BY_YEARS:
            if not self.amounts_by_years:
                raise ValueError("a by_years benefit lists amounts_by_years")
            if self.amount_satang is not None:
                raise ValueError("a by_years benefit takes its amounts from amounts_by_years")
            years = [step.min_years for step in self.amounts_by_years]
            if years != sorted(set(years)):
                raise ValueError("amounts_by_years: min_years must rise step by step")
        else:
            if self.amount_satang is None:
                raise ValueError(f"a {self.payment.value} benefit needs amount_satang")
            if self.amounts_by_years:
                raise ValueError("amounts_by_years is for by_years benefits only")
        if self.max_nights_per_year is not None and self.payment is not Payment.PER_NIGHT:
            raise ValueError("max_nights_per_year is for per_night benefits only")
        return self


class FundRules(BaseModel):
    """One version of a fund's rules."""

    model_config = ConfigDict(extra="forbid")

    daily_contribution_satang: Annotated[int, Field(strict=True, gt=0, le=MAX_SATANG)] = Field(
        default=DAILY_CONTRIBUTION_SATANG, description="What a member pays a day (1 THB = 100)"
    )
    benefits: list[BenefitRule] = Field(min_length=1, max_length=len(BenefitKind))

    @model_validator(mode="after")
    def _one_rule_per_kind(self) -> Self:
        kinds = [rule.kind for rule in self.benefits]
        if len(kinds) != len(set(kinds)):
            raise ValueError("one rule per benefit kind")
        return self

    def benefit(self, kind: BenefitKind) -> BenefitRule | None:
        return next((rule for rule in self.benefits if rule.kind is kind), None)


class Versioned(Protocol):
    @property
    def effective_from(self) -> date: ...


V = TypeVar("V", bound=Versioned)


def in_force(versions: Iterable[V], on: date) -> V | None:
    """The version in force on ``on``: the latest one effective on or before that day."""
    found: V | None = None
    for version in versions:
        if version.effective_from <= on and (
            found is None or version.effective_from > found.effective_from
        ):
            found = version
    return found

"""Whether a claim is due under a fund's rules, and how much: no database.

A claim is judged by the rule version in force on the day of its event (the
birth, the night in hospital, the fire, the death), never by the day it was
filed. The checks, in order, each with the rule it names when it refuses:

- ``no-rules-in-force``: the fund had no rules yet on that day;
- ``benefit-not-offered``: the fund's rules then offered no such benefit;
- ``not-a-member-then``: the event came before the member joined, or after the
  membership ended (left; deceased, except what happened up to the death);
- ``membership-lapsed``: a lapsed member (stopped paying) may not claim;
- ``waiting-period``: the member had not belonged ``waiting_days`` yet;
- ``years-of-membership``: no amount for so few years (by_years benefits);
- ``nights``/``amount``: a per-night claim names its nights, an up-to claim its amount;
- ``amount-over-limit``: an up-to claim asks more than the rule's limit;
- ``nights-per-year``, ``claims-per-year``, ``yearly-cap``: what the member
  already used of this benefit in the event's calendar year, with this claim,
  would exceed the rule.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from welfare.funds.rules import BenefitKind, FundRules, Payment
from welfare.members.membership import MemberStatus, years_of_membership


@dataclass(frozen=True)
class Claimant:
    joined_on: date
    status: MemberStatus
    ended_on: date | None = None  # the day a left or deceased membership ended


@dataclass(frozen=True)
class Ask:
    kind: BenefitKind
    event_date: date
    nights: int | None = None
    amount_satang: int | None = None


@dataclass(frozen=True)
class Used:
    """What the member already has of this benefit in the event's calendar year
    (claims submitted, approved or paid; not refused ones)."""

    claims: int = 0
    nights: int = 0
    amount_satang: int = 0


Year = tuple[uuid.UUID, BenefitKind, int]
"""A member's benefit in a calendar year: what the yearly limits count."""


@dataclass
class Tally:
    """What members used of each benefit per calendar year, kept up to date while many
    claims are judged one after another (a committee's sheet or meeting): a claim due
    counts toward the claims after it, exactly as if each had been filed or decided
    alone in that order."""

    used: dict[Year, Used] = field(default_factory=dict)

    def of(self, member_id: uuid.UUID, ask: Ask) -> Used:
        return self.used.get((member_id, ask.kind, ask.event_date.year), Used())

    def add(
        self, member_id: uuid.UUID, ask: Ask, *, claims: int, nights: int, amount_satang: int
    ) -> None:
        """Count ``claims`` more claims of ``ask``'s benefit and year (negative: fewer)."""
        key = (member_id, ask.kind, ask.event_date.year)
        was = self.used.get(key, Used())
        self.used[key] = Used(
            was.claims + claims, was.nights + nights, was.amount_satang + amount_satang
        )

    def besides(self, member_id: uuid.UUID, ask: Ask) -> Used:
        """What the member used, less ``ask`` itself (a stored claim judged again)."""
        was = self.of(member_id, ask)
        nights, amount = ask.nights or 0, ask.amount_satang or 0
        return Used(was.claims - 1, was.nights - nights, was.amount_satang - amount)


@dataclass(frozen=True)
class Refusal:
    field: str  # the request field the rule is about, e.g. "body.event_date"
    rule: str  # machine-readable, e.g. "waiting-period"
    reason: str  # in plain words, with the figures


@dataclass(frozen=True)
class Due:
    amount_satang: int
    rules_effective_from: date
    years_of_membership: int


def assess(
    rules: FundRules | None,
    rules_effective_from: date | None,
    member: Claimant,
    ask: Ask,
    used: Used,
) -> Due | Refusal:
    """The amount due for ``ask``, or the first rule that refuses it."""
    if rules is None or rules_effective_from is None:
        return Refusal(
            "body.event_date",
            "no-rules-in-force",
            f"the fund had no rules in force on {ask.event_date}",
        )
    rule = rules.benefit(ask.kind)
    if rule is None:
        return Refusal(
            "body.kind",
            "benefit-not-offered",
            f"the fund's rules in force on {ask.event_date} (from {rules_effective_from}) "
            f"offer no {ask.kind.value} benefit",
        )
    refusal = _membership(member, ask)
    if refusal is not None:
        return refusal
    eligible_from = member.joined_on + timedelta(days=rule.waiting_days)
    if ask.event_date < eligible_from:
        return Refusal(
            "body.event_date",
            "waiting-period",
            f"the {ask.kind.value} benefit has a waiting period of {rule.waiting_days} days "
            f"from joining ({member.joined_on}): events from {eligible_from} on count",
        )
    years = years_of_membership(member.joined_on, ask.event_date)
    amount: int
    nights = 0
    if rule.payment is Payment.BY_YEARS:
        steps = [step for step in rule.amounts_by_years if step.min_years <= years]
        if not steps:
            first = rule.amounts_by_years[0].min_years
            return Refusal(
                "body.event_date",
                "years-of-membership",
                f"the {ask.kind.value} benefit needs {first} completed years of membership; "
                f"the member had {years} on {ask.event_date}",
            )
        amount = steps[-1].amount_satang
    elif rule.payment is Payment.PER_NIGHT:
        assert rule.amount_satang is not None
        if ask.nights is None:
            return Refusal(
                "body.nights", "nights", f"a {ask.kind.value} claim names its nights (1 or more)"
            )
        nights = ask.nights
        if rule.max_nights_per_year is not None and used.nights + nights > rule.max_nights_per_year:
            return Refusal(
                "body.nights",
                "nights-per-year",
                f"at most {rule.max_nights_per_year} nights a year are paid; the member already "
                f"has {used.nights} in {ask.event_date.year}, and this claim asks {nights}",
            )
        amount = rule.amount_satang * nights
    elif rule.payment is Payment.UP_TO:
        assert rule.amount_satang is not None
        if ask.amount_satang is None:
            return Refusal(
                "body.amount_satang",
                "amount",
                f"a {ask.kind.value} claim names the amount asked (at most {rule.amount_satang})",
            )
        if ask.amount_satang > rule.amount_satang:
            return Refusal(
                "body.amount_satang",
                "amount-over-limit",
                f"the {ask.kind.value} benefit pays at most {rule.amount_satang} satang a claim; "
                f"{ask.amount_satang} asked",
            )
        amount = ask.amount_satang
    else:
        assert rule.amount_satang is not None
        amount = rule.amount_satang
    if rule.claims_per_year is not None and used.claims + 1 > rule.claims_per_year:
        return Refusal(
            "body.kind",
            "claims-per-year",
            f"at most {rule.claims_per_year} {ask.kind.value} claims a year; the member already "
            f"has {used.claims} in {ask.event_date.year}",
        )
    if rule.yearly_cap_satang is not None and used.amount_satang + amount > rule.yearly_cap_satang:
        return Refusal(
            "body.kind",
            "yearly-cap",
            f"the {ask.kind.value} benefit pays at most {rule.yearly_cap_satang} satang a year; "
            f"the member already has {used.amount_satang} in {ask.event_date.year} and this "
            f"claim would add {amount}",
        )
    return Due(amount, rules_effective_from, years)


def _membership(member: Claimant, ask: Ask) -> Refusal | None:
    if ask.event_date < member.joined_on:
        return Refusal(
            "body.event_date",
            "not-a-member-then",
            f"the event ({ask.event_date}) came before the member joined ({member.joined_on})",
        )
    if member.status is MemberStatus.LAPSED:
        return Refusal(
            "body.member_id",
            "membership-lapsed",
            "the member stopped paying (lapsed): contributions must be caught up first",
        )
    if member.status in (MemberStatus.LEFT, MemberStatus.DECEASED) and (
        member.ended_on is None or ask.event_date > member.ended_on
    ):
        return Refusal(
            "body.event_date",
            "not-a-member-then",
            f"the membership ended ({member.status.value}) on {member.ended_on}, "
            f"before the event ({ask.event_date})",
        )
    return None

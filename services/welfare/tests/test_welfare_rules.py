"""The pure welfare rules, without a database: rule versions, membership years,
arrears, benefit eligibility and the fund's books, checked against hand-worked
figures from seed 003's example fund (1 THB a day; childbirth 1,000 THB; hospital
200 THB a night, 10 nights a year; disaster up to 2,000 THB; death 3,000-20,000
THB by years of membership)."""

from dataclasses import dataclass
from datetime import date

import pytest
from pydantic import ValidationError

from welfare.benefits.eligibility import Ask, Claimant, Due, Refusal, Used, assess
from welfare.books.ledger import MovementKind, Totals, reconcile, totals_of
from welfare.contributions.arrears import Account, Rate, days_behind, owed_satang
from welfare.funds.rules import BenefitKind, FundRules, in_force
from welfare.members.membership import (
    MemberStatus,
    can_move,
    national_id_reason,
    years_of_membership,
)

SEED_003_RULES = FundRules.model_validate(
    {
        "benefits": [
            {
                "kind": "childbirth",
                "payment": "fixed",
                "amount_satang": 100_000,
                "waiting_days": 180,
            },
            {
                "kind": "hospital",
                "payment": "per_night",
                "amount_satang": 20_000,
                "max_nights_per_year": 10,
                "waiting_days": 90,
            },
            {
                "kind": "disaster",
                "payment": "up_to",
                "amount_satang": 200_000,
                "claims_per_year": 1,
            },
            {
                "kind": "death",
                "payment": "by_years",
                "amounts_by_years": [
                    {"min_years": 1, "amount_satang": 300_000},
                    {"min_years": 5, "amount_satang": 1_000_000},
                    {"min_years": 10, "amount_satang": 2_000_000},
                ],
            },
        ]
    }
)
FROM = date(2024, 1, 1)
MEMBER = Claimant(joined_on=date(2024, 3, 1), status=MemberStatus.ACTIVE)


def _assess(ask: Ask, used: Used = Used(), member: Claimant = MEMBER) -> Due | Refusal:
    return assess(SEED_003_RULES, FROM, member, ask, used)


def _refused(result: Due | Refusal) -> str:
    assert isinstance(result, Refusal), result
    return result.rule


class TestRuleVersions:
    @dataclass
    class V:
        effective_from: date
        name: str

    def test_the_version_in_force_is_the_latest_effective_on_or_before_the_day(self) -> None:
        versions = [self.V(date(2025, 1, 1), "b"), self.V(date(2024, 1, 1), "a")]
        assert in_force(versions, date(2023, 12, 31)) is None
        assert in_force(versions, date(2024, 1, 1)).name == "a"
        assert in_force(versions, date(2024, 12, 31)).name == "a"
        assert in_force(versions, date(2025, 1, 1)).name == "b"

    def test_a_benefit_without_its_amount_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="needs amount_satang"):
            FundRules.model_validate({"benefits": [{"kind": "childbirth", "payment": "fixed"}]})

    def test_years_steps_must_rise(self) -> None:
        with pytest.raises(ValidationError, match="rise"):
            FundRules.model_validate(
                {
                    "benefits": [
                        {
                            "kind": "death",
                            "payment": "by_years",
                            "amounts_by_years": [
                                {"min_years": 5, "amount_satang": 1},
                                {"min_years": 1, "amount_satang": 2},
                            ],
                        }
                    ]
                }
            )

    def test_two_rules_for_one_kind_are_refused(self) -> None:
        rule = {"kind": "childbirth", "payment": "fixed", "amount_satang": 50_000}
        with pytest.raises(ValidationError, match="one rule per benefit kind"):
            FundRules.model_validate({"benefits": [rule, rule]})


class TestMembership:
    def test_national_id_check_digit(self) -> None:
        # 1-1017-00230-70-8: the check digit is (11 - sum(d_i * (13 - i)) mod 11) mod 10.
        assert national_id_reason("1101700230708") is None
        assert national_id_reason("1-1017-00230-70-8") is None
        assert "check digit" in (national_id_reason("1101700230709") or "")
        assert "13 digits" in (national_id_reason("110170023070") or "")

    def test_years_are_completed_anniversaries(self) -> None:
        assert years_of_membership(date(2020, 3, 1), date(2021, 2, 28)) == 0
        assert years_of_membership(date(2020, 3, 1), date(2021, 3, 1)) == 1
        assert years_of_membership(date(2020, 2, 29), date(2021, 2, 28)) == 1
        assert years_of_membership(date(2020, 2, 29), date(2024, 2, 28)) == 3
        assert years_of_membership(date(2020, 2, 29), date(2024, 2, 29)) == 4
        assert years_of_membership(date(2020, 3, 1), date(2019, 1, 1)) == 0

    def test_an_ended_membership_stays_ended(self) -> None:
        assert can_move(MemberStatus.ACTIVE, MemberStatus.LAPSED)
        assert can_move(MemberStatus.LAPSED, MemberStatus.ACTIVE)
        assert can_move(MemberStatus.LAPSED, MemberStatus.DECEASED)
        assert not can_move(MemberStatus.LEFT, MemberStatus.ACTIVE)
        assert not can_move(MemberStatus.DECEASED, MemberStatus.LEFT)
        assert not can_move(MemberStatus.ACTIVE, MemberStatus.ACTIVE)


class TestArrears:
    def test_a_year_at_one_baht_a_day_is_365_baht(self) -> None:
        rates = [Rate(date(2020, 1, 1), 100)]
        assert owed_satang(date(2025, 1, 1), date(2025, 12, 31), rates) == 36_500
        assert owed_satang(date(2024, 1, 1), date(2024, 12, 31), rates) == 36_600  # leap year
        assert owed_satang(date(2025, 1, 2), date(2025, 1, 1), rates) == 0

    def test_a_new_rate_counts_from_its_effective_date(self) -> None:
        rates = [Rate(date(2020, 1, 1), 100), Rate(date(2025, 1, 11), 200)]
        # 1-10 January at 1 THB, 11-20 January at 2 THB: 10 + 20 THB.
        assert owed_satang(date(2025, 1, 1), date(2025, 1, 20), rates) == 3_000

    def test_arrears_are_what_is_owed_and_unpaid(self) -> None:
        account = Account(owed_satang=36_500, paid_satang=30_000)
        assert account.arrears_satang == 6_500
        assert days_behind(account, 100) == 65
        assert Account(owed_satang=100, paid_satang=500).arrears_satang == 0
        assert Account(owed_satang=100, paid_satang=500).ahead_satang == 400


class TestEligibility:
    def test_childbirth_after_the_waiting_period_pays_the_fixed_amount(self) -> None:
        result = _assess(Ask(BenefitKind.CHILDBIRTH, date(2024, 8, 28)))
        assert result == Due(100_000, FROM, 0)

    def test_childbirth_inside_the_waiting_period_names_the_rule_and_first_day(self) -> None:
        result = _assess(Ask(BenefitKind.CHILDBIRTH, date(2024, 8, 27)))
        assert _refused(result) == "waiting-period"
        assert isinstance(result, Refusal) and "2024-08-28" in result.reason

    def test_hospital_pays_per_night_up_to_ten_nights_a_year(self) -> None:
        assert _assess(Ask(BenefitKind.HOSPITAL, date(2024, 7, 1), nights=3)) == Due(
            60_000, FROM, 0
        )
        used = Used(claims=2, nights=8, amount_satang=160_000)
        assert _assess(Ask(BenefitKind.HOSPITAL, date(2024, 7, 1), nights=2), used) == Due(
            40_000, FROM, 0
        )
        assert _refused(_assess(Ask(BenefitKind.HOSPITAL, date(2024, 7, 1), nights=3), used)) == (
            "nights-per-year"
        )
        assert _refused(_assess(Ask(BenefitKind.HOSPITAL, date(2024, 7, 1)))) == "nights"

    def test_disaster_pays_what_is_asked_up_to_the_limit_once_a_year(self) -> None:
        assert _assess(Ask(BenefitKind.DISASTER, date(2024, 3, 1), amount_satang=150_000)) == Due(
            150_000, FROM, 0
        )
        assert (
            _refused(_assess(Ask(BenefitKind.DISASTER, date(2024, 3, 1), amount_satang=200_001)))
            == "amount-over-limit"
        )
        assert (
            _refused(
                _assess(
                    Ask(BenefitKind.DISASTER, date(2024, 9, 1), amount_satang=1), Used(claims=1)
                )
            )
            == "claims-per-year"
        )

    def test_death_pays_by_completed_years_of_membership(self) -> None:
        member = Claimant(date(2010, 6, 15), MemberStatus.DECEASED, ended_on=date(2024, 6, 15))
        assert _assess(Ask(BenefitKind.DEATH, date(2024, 6, 15)), member=member) == Due(
            2_000_000, FROM, 14
        )
        member = Claimant(date(2019, 6, 15), MemberStatus.DECEASED, ended_on=date(2024, 6, 14))
        assert _assess(Ask(BenefitKind.DEATH, date(2024, 6, 14)), member=member) == Due(
            300_000, FROM, 4
        )
        young = Claimant(date(2024, 3, 1), MemberStatus.DECEASED, ended_on=date(2024, 12, 1))
        assert _refused(_assess(Ask(BenefitKind.DEATH, date(2024, 12, 1)), member=young)) == (
            "years-of-membership"
        )

    def test_a_yearly_cap_counts_what_was_used_this_year(self) -> None:
        rules = SEED_003_RULES.model_copy(deep=True)
        rule = rules.benefit(BenefitKind.HOSPITAL)
        assert rule is not None
        rule.yearly_cap_satang = 150_000
        used = Used(claims=1, nights=5, amount_satang=100_000)
        ask = Ask(BenefitKind.HOSPITAL, date(2024, 7, 1), nights=3)
        assert _refused(assess(rules, FROM, MEMBER, ask, used)) == "yearly-cap"
        ask = Ask(BenefitKind.HOSPITAL, date(2024, 7, 1), nights=2)
        assert assess(rules, FROM, MEMBER, ask, used) == Due(40_000, FROM, 0)

    def test_members_who_cannot_claim(self) -> None:
        ask = Ask(BenefitKind.CHILDBIRTH, date(2024, 12, 1))
        lapsed = Claimant(date(2024, 3, 1), MemberStatus.LAPSED)
        left = Claimant(date(2024, 3, 1), MemberStatus.LEFT, ended_on=date(2024, 11, 30))
        assert _refused(_assess(ask, member=lapsed)) == "membership-lapsed"
        assert _refused(_assess(ask, member=left)) == "not-a-member-then"
        assert _refused(_assess(Ask(BenefitKind.CHILDBIRTH, date(2024, 2, 29)))) == (
            "not-a-member-then"
        )

    def test_benefits_the_rules_do_not_offer_or_days_without_rules(self) -> None:
        assert _refused(_assess(Ask(BenefitKind.EDUCATION, date(2024, 12, 1)))) == (
            "benefit-not-offered"
        )
        no_rules = assess(
            None, None, MEMBER, Ask(BenefitKind.CHILDBIRTH, date(2024, 12, 1)), Used()
        )
        assert _refused(no_rules) == "no-rules-in-force"


class TestBooks:
    def test_balance_is_income_less_benefits(self) -> None:
        totals = Totals(36_500, 36_500, 10_000, 500, 60_000)
        assert totals.matches_satang == 46_500
        assert totals.balance_satang == 36_500 + 46_500 + 500 - 60_000

    def test_reconcile_names_each_total_that_differs_from_its_movements(self) -> None:
        movements = [
            (MovementKind.CONTRIBUTION, 36_500),
            (MovementKind.AGENCY_MATCH, 36_500),
            (MovementKind.BENEFIT, 60_000),
        ]
        assert totals_of(movements).balance_satang == 13_000
        assert reconcile(Totals(36_500, 36_500, 0, 0, 60_000), movements) == []
        assert reconcile(Totals(36_500, 36_500, 0, 0, 50_000), movements) == [
            "benefits_paid_satang: kept 50000, movements sum to 60000"
        ]

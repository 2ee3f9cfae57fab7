"""Loan arithmetic checked against figures computed independently of this code:
the spreadsheet PMT formula, and hand-worked equal-principal tables."""

from datetime import date

import pytest

from finance.loans.arrears import ArrearsBucket, bucket, days_past_due
from finance.loans.schedule import (
    Overpayment,
    Owed,
    RepaymentMethod,
    add_months,
    allocate_payment,
    annuity_payment,
    build_schedule,
    monthly_interest,
)

ANNUITY = RepaymentMethod.EQUAL_INSTALMENTS
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL


class TestEqualInstalments:
    def test_100000_baht_at_12_percent_over_a_year_matches_pmt(self) -> None:
        # PMT(1%, 12, 100000) = 8,884.8788 THB: 8,884.88 rounded up to the satang.
        assert annuity_payment(10_000_000, 1_200, 12) == 888_488
        schedule = build_schedule(10_000_000, 1_200, 12, 0, ANNUITY, date(2026, 1, 31))
        first, second = schedule[0], schedule[1]
        assert (first.interest_satang, first.principal_satang) == (100_000, 788_488)
        # Month 2: 1% of 92,115.12 THB = 921.15 THB.
        assert (second.interest_satang, second.principal_satang) == (92_115, 796_373)
        assert all(i.total_satang == 888_488 for i in schedule[:-1])
        assert schedule[-1].total_satang <= 888_488
        assert sum(i.principal_satang for i in schedule) == 10_000_000
        # Unrounded, the year's interest is 12 × 8,884.8788 − 100,000 = 6,618.546 THB.
        assert abs(sum(i.interest_satang for i in schedule) - 661_854.6) < 12

    def test_a_canal_loan_with_six_months_grace_pays_interest_only_then_pmt(self) -> None:
        # 360,000 THB at 3% over 15 years, 6 months' grace: 0.25% a month.
        schedule = build_schedule(36_000_000, 300, 180, 6, ANNUITY, date(2026, 6, 1))
        grace = schedule[:6]
        assert all((i.principal_satang, i.interest_satang) == (0, 90_000) for i in grace)
        # PMT(0.25%, 174, 360000) = 2,554.0329 THB.
        assert schedule[6].total_satang == 255_404
        assert schedule[6].due_on == date(2026, 12, 1)
        assert schedule[-1].due_on == date(2041, 5, 1)
        assert sum(i.principal_satang for i in schedule) == 36_000_000

    def test_no_interest_splits_the_principal_evenly(self) -> None:
        schedule = build_schedule(36_000_000, 0, 120, 0, ANNUITY, date(2026, 1, 1))
        assert {i.total_satang for i in schedule} == {300_000}


class TestEqualPrincipal:
    def test_120000_baht_at_6_percent_over_a_year(self) -> None:
        # 10,000 THB principal a month; interest 0.5% of what is left: 600, 550, … 50.
        schedule = build_schedule(12_000_000, 600, 12, 0, EQUAL_PRINCIPAL, date(2026, 1, 15))
        assert [i.principal_satang for i in schedule] == [1_000_000] * 12
        assert [i.interest_satang for i in schedule] == [60_000 - 5_000 * k for k in range(12)]
        assert sum(i.interest_satang for i in schedule) == 390_000

    def test_the_last_instalment_takes_the_remainder(self) -> None:
        schedule = build_schedule(1_000_001, 0, 3, 0, EQUAL_PRINCIPAL, date(2026, 1, 15))
        assert [i.principal_satang for i in schedule] == [333_333, 333_333, 333_335]


class TestRules:
    def test_interest_rounds_half_up_to_the_satang(self) -> None:
        # 1,000 satang at 6% for a month is 5 satang exactly; 1,010 is 5.05 → 5; 1,100 → 5.5 → 6.
        assert monthly_interest(1_000, 600) == 5
        assert monthly_interest(1_010, 600) == 5
        assert monthly_interest(1_100, 600) == 6

    def test_a_due_date_on_the_31st_falls_on_each_months_last_day(self) -> None:
        assert [add_months(date(2026, 1, 31), k) for k in range(4)] == [
            date(2026, 1, 31),
            date(2026, 2, 28),
            date(2026, 3, 31),
            date(2026, 4, 30),
        ]

    @pytest.mark.parametrize(
        ("principal", "rate", "term", "grace"),
        [(0, 100, 12, 0), (100, -1, 12, 0), (100, 100, 12, 12), (100, 100, 12, -1)],
    )
    def test_impossible_terms_are_refused(
        self, principal: int, rate: int, term: int, grace: int
    ) -> None:
        with pytest.raises(ValueError):
            build_schedule(principal, rate, term, grace, ANNUITY, date(2026, 1, 1))


OWED = [
    Owed(1, date(2026, 1, 31), interest_satang=1_000, principal_satang=9_000),
    Owed(2, date(2026, 2, 28), interest_satang=910, principal_satang=9_090),
]


class TestRepayments:
    def test_a_payment_goes_to_interest_then_principal_oldest_first(self) -> None:
        allocations = allocate_payment(12_000, OWED)
        assert [(a.number, a.interest_satang, a.principal_satang) for a in allocations] == [
            (1, 1_000, 9_000),
            (2, 910, 1_090),
        ]

    def test_a_partial_payment_covers_interest_first(self) -> None:
        [only] = allocate_payment(600, OWED)
        assert (only.number, only.interest_satang, only.principal_satang) == (1, 600, 0)

    def test_paying_everything_owed_is_allowed_but_a_satang_more_is_refused(self) -> None:
        assert sum(a.interest_satang + a.principal_satang for a in allocate_payment(20_000, OWED))
        with pytest.raises(Overpayment, match="20000 satang still owed") as refused:
            allocate_payment(20_001, OWED)
        assert refused.value.payoff_satang == 20_000


class TestArrears:
    def test_days_past_due_count_from_the_oldest_unpaid_instalment(self) -> None:
        assert days_past_due(OWED, date(2026, 1, 31)) == 0
        assert days_past_due(OWED, date(2026, 2, 1)) == 1
        assert days_past_due(OWED, date(2026, 3, 2)) == 30
        paid_first = [Owed(1, date(2026, 1, 31), 0, 0), OWED[1]]
        assert days_past_due(paid_first, date(2026, 3, 2)) == 2

    @pytest.mark.parametrize(
        ("days", "expected"),
        [
            (0, ArrearsBucket.CURRENT),
            (1, ArrearsBucket.DAYS_1_30),
            (30, ArrearsBucket.DAYS_1_30),
            (31, ArrearsBucket.DAYS_31_60),
            (60, ArrearsBucket.DAYS_31_60),
            (61, ArrearsBucket.DAYS_61_90),
            (90, ArrearsBucket.DAYS_61_90),
            (91, ArrearsBucket.OVER_90),
        ],
    )
    def test_buckets(self, days: int, expected: ArrearsBucket) -> None:
        assert bucket(days) is expected

"""The tranche schedule, without a database: who gets how much, and when."""

import pytest
from pydantic import ValidationError

from finance.grants.policy import GrantPolicy
from finance.grants.tranches import (
    COMPLETED,
    CONSTRUCTION_STARTED,
    DEFAULT_SCHEDULE,
    MILESTONE_REACHED,
    ScheduleError,
    TrancheRule,
    check_schedule,
    payments_due,
    planned_amounts,
    stage_key,
)
from finance.settings import FinanceSettings

EVERYTHING = {CONSTRUCTION_STARTED, COMPLETED}


class TestDefaultSchedule:
    def test_canal_grant_is_paid_40_then_60_percent(self) -> None:
        assert planned_amounts(14_700_000, DEFAULT_SCHEDULE) == [5_880_000, 8_820_000]

    @pytest.mark.parametrize("amount", [1, 2, 3, 7, 99, 101, 14_700_001, 12_345_679, 999_999_999])
    def test_tranches_add_up_to_the_grant_to_the_satang(self, amount: int) -> None:
        amounts = planned_amounts(amount, DEFAULT_SCHEDULE)
        assert sum(amounts) == amount
        assert amounts[0] == amount * 40 // 100

    def test_construction_started_makes_only_the_first_tranche_due(self) -> None:
        due = payments_due(10_000_001, DEFAULT_SCHEDULE, {CONSTRUCTION_STARTED}, {})
        assert [(p.tranche, p.amount_satang) for p in due] == [(1, 4_000_000)]

    def test_completion_before_start_pays_both_tranches_in_order(self) -> None:
        due = payments_due(10_000_001, DEFAULT_SCHEDULE, {COMPLETED}, {})
        assert [(p.tranche, p.amount_satang) for p in due] == [(1, 4_000_000), (2, 6_000_001)]

    def test_the_last_tranche_pays_what_is_left_after_what_was_paid(self) -> None:
        due = payments_due(10_000_001, DEFAULT_SCHEDULE, EVERYTHING, {1: 4_000_000})
        assert [(p.tranche, p.amount_satang) for p in due] == [(2, 6_000_001)]

    def test_nothing_is_due_twice(self) -> None:
        paid = {1: 4_000_000, 2: 6_000_001}
        assert payments_due(10_000_001, DEFAULT_SCHEDULE, EVERYTHING, paid) == []

    def test_nothing_is_due_before_construction(self) -> None:
        assert payments_due(10_000_001, DEFAULT_SCHEDULE, set(), {}) == []

    def test_a_tranche_that_comes_to_nothing_is_skipped_and_the_last_pays_all(self) -> None:
        due = payments_due(2, DEFAULT_SCHEDULE, EVERYTHING, {})
        assert [(p.tranche, p.amount_satang) for p in due] == [(2, 2)]


class TestMilestoneSchedule:
    SCHEDULE = (
        TrancheRule(percent=30, trigger=CONSTRUCTION_STARTED),
        TrancheRule(percent=30, trigger=MILESTONE_REACHED, milestone="Roof on"),
        TrancheRule(percent=40, trigger=COMPLETED),
    )

    def test_a_named_milestone_pays_its_tranche_matching_loosely(self) -> None:
        reached = {CONSTRUCTION_STARTED, stage_key(MILESTONE_REACHED, "  roof   ON ")}
        due = payments_due(1_000_000, self.SCHEDULE, reached, {})
        assert [(p.tranche, p.amount_satang) for p in due] == [(1, 300_000), (2, 300_000)]

    def test_another_milestone_pays_nothing(self) -> None:
        reached = {CONSTRUCTION_STARTED, stage_key(MILESTONE_REACHED, "walls up")}
        due = payments_due(1_000_000, self.SCHEDULE, reached, {1: 300_000})
        assert due == []

    def test_completion_pays_a_missed_milestone_too(self) -> None:
        due = payments_due(1_000_003, self.SCHEDULE, {COMPLETED}, {1: 300_000})
        assert [(p.tranche, p.amount_satang) for p in due] == [(2, 300_000), (3, 400_003)]


class TestScheduleChecks:
    def test_percentages_must_add_up_to_100(self) -> None:
        with pytest.raises(ScheduleError, match="add up to 90"):
            check_schedule([TrancheRule(percent=90, trigger=COMPLETED)])

    def test_two_tranches_cannot_share_a_stage(self) -> None:
        with pytest.raises(ScheduleError, match="same stage"):
            check_schedule(
                [
                    TrancheRule(percent=50, trigger=COMPLETED),
                    TrancheRule(percent=50, trigger=COMPLETED),
                ]
            )

    def test_a_milestone_tranche_names_its_milestone(self) -> None:
        with pytest.raises(ValidationError):
            TrancheRule(percent=50, trigger=MILESTONE_REACHED)
        with pytest.raises(ValidationError):
            TrancheRule(percent=50, trigger=COMPLETED, milestone="roof")

    def test_settings_read_the_schedule_and_amounts_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "FINANCE_GRANT_TRANCHES",
            '[{"percent": 25, "trigger": "house.construction_started"},'
            ' {"percent": 25, "trigger": "house.milestone_reached", "milestone": "roof"},'
            ' {"percent": 50, "trigger": "house.completed"}]',
        )
        monkeypatch.setenv("FINANCE_GRANT_AMOUNTS_SATANG", '{"CANAL": 14700000, "EMERGENCY": 50}')
        settings = FinanceSettings()
        assert [rule.percent for rule in settings.grant_tranches] == [25, 25, 50]
        assert settings.grant_amounts_satang["EMERGENCY"] == 50

    def test_settings_refuse_a_schedule_that_loses_money(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "FINANCE_GRANT_TRANCHES", '[{"percent": 40, "trigger": "house.completed"}]'
        )
        with pytest.raises(ValidationError, match="add up to 40"):
            FinanceSettings()


class TestGrantAmount:
    def test_canal_households_get_the_fixed_147000_baht_by_default(self) -> None:
        policy = GrantPolicy.from_settings(FinanceSettings())
        assert policy.amount_for("CANAL", 25_000_000) == 14_700_000

    def test_other_programmes_get_their_estimated_cost(self) -> None:
        policy = GrantPolicy.from_settings(FinanceSettings())
        assert policy.amount_for("BAAN_PHO_PHIANG", 2_000_001) == 2_000_001

    def test_no_amount_without_a_fixed_grant_or_an_estimate(self) -> None:
        policy = GrantPolicy.from_settings(FinanceSettings())
        assert policy.amount_for("BAAN_PHO_PHIANG", None) is None
        assert policy.amount_for("BAAN_PHO_PHIANG", 0) is None

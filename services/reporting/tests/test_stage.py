"""The stage rule, as a plain function of a household's milestone times."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from reporting.projections.models import HouseholdProgress, Stage
from reporting.projections.stage import stage_of

T0 = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def household(**milestones: datetime) -> HouseholdProgress:
    return HouseholdProgress(
        household_id=uuid.uuid4(),
        programme="CANAL",
        province_code="10",
        last_event_time=T0,
        **milestones,
    )


class TestMainPath:
    @pytest.mark.parametrize(
        ("milestones", "stage"),
        [
            ({"surveyed_at": at(0)}, Stage.SURVEYED),
            ({"surveyed_at": at(0), "approved_at": at(1)}, Stage.APPROVED),
            ({"approved_at": at(1), "ready_at": at(2)}, Stage.READY_TO_BUILD),
            ({"ready_at": at(2), "started_at": at(3)}, Stage.UNDER_CONSTRUCTION),
            ({"started_at": at(3), "completed_at": at(4)}, Stage.COMPLETED),
        ],
    )
    def test_the_furthest_milestone_decides(
        self, milestones: dict[str, datetime], stage: Stage
    ) -> None:
        assert stage_of(household(**milestones)) == stage

    def test_a_house_event_counts_before_the_approval_is_heard_of(self) -> None:
        # Construction's stream may run ahead of survey's.
        assert stage_of(household(started_at=at(3))) == Stage.UNDER_CONSTRUCTION

    def test_completed_wins_even_over_a_later_grant_refusal(self) -> None:
        row = household(approved_at=at(1), completed_at=at(4), grant_rejected_at=at(5))
        assert stage_of(row) == Stage.COMPLETED


class TestSetAside:
    def test_waitlisted_after_approval_is_waitlisted(self) -> None:
        row = household(approved_at=at(1), waitlisted_at=at(2))
        assert stage_of(row) == Stage.WAITLISTED

    def test_a_refused_grant_puts_an_approved_household_on_the_waitlist(self) -> None:
        row = household(approved_at=at(1), grant_rejected_at=at(2))
        assert stage_of(row) == Stage.WAITLISTED

    def test_approved_again_after_the_waitlist_is_approved(self) -> None:
        row = household(approved_at=at(3), waitlisted_at=at(2), grant_rejected_at=at(2))
        assert stage_of(row) == Stage.APPROVED

    def test_rejected_from_the_waitlist_is_rejected(self) -> None:
        row = household(approved_at=at(1), waitlisted_at=at(2), rejected_at=at(3))
        assert stage_of(row) == Stage.REJECTED

    def test_rejected_without_approval_is_rejected(self) -> None:
        assert stage_of(household(surveyed_at=at(0), rejected_at=at(1))) == Stage.REJECTED


class TestCancelled:
    def test_a_cancelled_house_is_cancelled(self) -> None:
        row = household(approved_at=at(1), planned_at=at(2), ready_at=at(3), cancelled_at=at(4))
        assert stage_of(row) == Stage.CANCELLED

    def test_a_house_planned_again_after_a_cancellation_moves_on(self) -> None:
        row = household(approved_at=at(1), started_at=at(3), cancelled_at=at(4), planned_at=at(5))
        assert stage_of(row) == Stage.APPROVED
        row.ready_at = at(6)
        assert stage_of(row) == Stage.READY_TO_BUILD


def test_times_read_back_without_a_zone_compare_as_utc() -> None:
    # SQLite returns stored timestamps naive; the rule must still compare them.
    row = household(approved_at=at(1).replace(tzinfo=None), waitlisted_at=at(2))
    assert stage_of(row) == Stage.WAITLISTED

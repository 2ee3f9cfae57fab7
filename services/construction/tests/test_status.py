"""The house work state machine, without a database."""

import pytest

from baan_shared.errors import Conflict
from construction.house_works.models import HouseWorkStatus as S
from construction.house_works.status import check_progress, check_transition

LEGAL = [
    (S.PLANNED, S.READY_TO_BUILD),
    (S.READY_TO_BUILD, S.UNDER_CONSTRUCTION),
    (S.UNDER_CONSTRUCTION, S.COMPLETED),
    (S.PLANNED, S.CANCELLED),
    (S.READY_TO_BUILD, S.CANCELLED),
    (S.UNDER_CONSTRUCTION, S.CANCELLED),
    # finance could not reserve the grant before building began
    (S.PLANNED, S.ON_HOLD),
    (S.READY_TO_BUILD, S.ON_HOLD),
    (S.ON_HOLD, S.CANCELLED),
]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_the_canal_stages_and_cancellation_are_allowed(current: S, target: S) -> None:
    check_transition(current, target, reason="household moved away")


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in S for t in S if (c, t) not in LEGAL],
)
def test_every_other_move_is_a_conflict_naming_both_statuses(current: S, target: S) -> None:
    with pytest.raises(Conflict) as raised:
        check_transition(current, target, reason="any")
    assert raised.value.extra == {"current_status": current, "requested_status": target}


def test_cancelling_needs_a_reason() -> None:
    with pytest.raises(Conflict, match="reason"):
        check_transition(S.PLANNED, S.CANCELLED, reason="  ")


def test_progress_is_reported_while_under_construction() -> None:
    check_progress(S.UNDER_CONSTRUCTION)


@pytest.mark.parametrize("current", [s for s in S if s != S.UNDER_CONSTRUCTION])
def test_progress_outside_construction_is_a_conflict(current: S) -> None:
    with pytest.raises(Conflict) as raised:
        check_progress(current)
    assert raised.value.extra == {"current_status": current}

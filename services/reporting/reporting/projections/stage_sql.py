"""A household's stage at any past moment, in SQL: ``stage.stage_of`` as a CASE.

The stored ``stage`` column is where a household stands now. Where it stood at
the end of some day follows from the same timestamps with every milestone after
that moment forgotten, and the same rules applied in the same order (see
``projections/stage.py``; ``tests/test_drilldown.py`` checks the two agree on a
generated data set).
A household is heard of by a moment when any of its milestones came by then.
"""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, case, false, literal, null, or_
from sqlmodel import col

from reporting.projections.models import HouseholdProgress, Stage

MILESTONES = (
    "surveyed_at",
    "approved_at",
    "rejected_at",
    "waitlisted_at",
    "planned_at",
    "ready_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "grant_rejected_at",
)


def _known(name: str, cutoff: datetime | None) -> ColumnElement[Any]:
    column = cast(ColumnElement[Any], col(getattr(HouseholdProgress, name)))
    if cutoff is None:
        return column
    return case((column <= cutoff, column), else_=null())


def _after(moment: ColumnElement[Any], other: ColumnElement[Any]) -> ColumnElement[bool]:
    """``moment`` happened, and strictly after ``other`` (or ``other`` never happened)."""
    return moment.is_not(None) & (other.is_(None) | (moment > other))


def _latest(one: ColumnElement[Any], other: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((one.is_(None), other), (other.is_(None), one), (one > other, one), else_=other)


def stage_at(cutoff: datetime | None) -> ColumnElement[str]:
    """The household's stage at ``cutoff`` (None: now, the same as the stored stage)."""
    t = {name: _known(name, cutoff) for name in MILESTONES}
    waitlisted = _latest(t["waitlisted_at"], t["grant_rejected_at"])
    set_aside = _latest(waitlisted, t["rejected_at"])
    cancelled = t["cancelled_at"]
    return case(
        (t["completed_at"].is_not(None), literal(Stage.COMPLETED.value)),
        (_after(t["started_at"], cancelled), literal(Stage.UNDER_CONSTRUCTION.value)),
        (_after(t["ready_at"], cancelled), literal(Stage.READY_TO_BUILD.value)),
        (
            cancelled.is_not(None) & ~_after(t["planned_at"], cancelled),
            literal(Stage.CANCELLED.value),
        ),
        (_after(t["approved_at"], set_aside), literal(Stage.APPROVED.value)),
        (
            set_aside.is_not(None) & _after(t["rejected_at"], waitlisted),
            literal(Stage.REJECTED.value),
        ),
        (set_aside.is_not(None), literal(Stage.WAITLISTED.value)),
        else_=literal(Stage.SURVEYED.value),
    )


def heard_of_by(cutoff: datetime) -> ColumnElement[bool]:
    """Some milestone of the household came at or before ``cutoff``."""
    conditions = [col(getattr(HouseholdProgress, name)) <= cutoff for name in MILESTONES]
    return or_(false(), *conditions)

"""A house work's status as an explicit state machine.

planned → ready_to_build → under_construction → completed, and any of the
first three → cancelled (with a reason). Completed and cancelled are final.
Before construction starts, a work whose grant finance could not reserve goes
on_hold (reason "budget") and resumes to where it was when the household is
approved again; once building, it is never held (the flag is recorded instead).
Progress is reported only while under construction; milestone order is
``construction.milestones.templates``' rule.
Plain functions: tests need no database.
"""

from baan_shared.errors import Conflict
from construction.house_works.models import HouseWorkStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.PLANNED: frozenset({S.READY_TO_BUILD, S.ON_HOLD, S.CANCELLED}),
    S.READY_TO_BUILD: frozenset({S.UNDER_CONSTRUCTION, S.ON_HOLD, S.CANCELLED}),
    S.UNDER_CONSTRUCTION: frozenset({S.COMPLETED, S.CANCELLED}),
    # Only the household's re-approval resumes it (to the status it was held from),
    # never a build team's report: see ``RESUMES``.
    S.ON_HOLD: frozenset({S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

# What a re-approval may resume a held work to: where it was when it was held.
RESUMES: frozenset[S] = frozenset({S.PLANNED, S.READY_TO_BUILD})

NEEDS_REASON = frozenset({S.CANCELLED})


def check_transition(current: S, target: S, *, reason: str | None = None) -> None:
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none"
        raise Conflict(
            f"a {current} house work cannot become {target} (allowed next: {allowed})",
            current_status=str(current),
            requested_status=str(target),
        )
    if target in NEEDS_REASON and not (reason and reason.strip()):
        raise Conflict(f"a reason is required to make a house work {target}")


def check_progress(current: S) -> None:
    """Progress is reported only while under construction (order is the template's rule)."""
    if current != S.UNDER_CONSTRUCTION:
        raise Conflict(
            f"progress is reported only while {S.UNDER_CONSTRUCTION}; this house work is {current}",
            current_status=str(current),
        )

"""A house work's status as an explicit state machine.

planned → ready_to_build → under_construction → completed, and any of the
first three → cancelled (with a reason). Completed and cancelled are final.
Progress is reported only while under construction; milestone order is
``construction.milestones.templates``' rule.
Plain functions: tests need no database.
"""

from baan_shared.http.errors import Conflict
from construction.house_works.models import HouseWorkStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.PLANNED: frozenset({S.READY_TO_BUILD, S.CANCELLED}),
    S.READY_TO_BUILD: frozenset({S.UNDER_CONSTRUCTION, S.CANCELLED}),
    S.UNDER_CONSTRUCTION: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

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

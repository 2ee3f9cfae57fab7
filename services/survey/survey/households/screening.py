"""Screening as an explicit state machine (กลั่นกรองและคัดเลือก).

surveyed → screened → approved | rejected | waitlisted, and waitlisted → approved.
An approved household can still be waitlisted when its grant is refused for
want of budget (``grant.rejected``). Plain functions: tests need no database.
"""

from baan_shared.errors import Conflict
from survey.households.models import HouseholdStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.SURVEYED: frozenset({S.SCREENED}),
    S.SCREENED: frozenset({S.APPROVED, S.REJECTED, S.WAITLISTED}),
    S.WAITLISTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.WAITLISTED}),
    S.REJECTED: frozenset(),
}

NEEDS_REASON = frozenset({S.REJECTED, S.WAITLISTED})


def check_transition(current: S, target: S) -> None:
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none"
        raise Conflict(
            f"a {current} household cannot become {target} (allowed next: {allowed})",
            current_status=str(current),
            requested_status=str(target),
        )

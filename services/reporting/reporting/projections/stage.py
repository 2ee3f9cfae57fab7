"""Which stage a household is at, from the milestones it has passed.

A plain function of the row's timestamps, so the answer does not depend on the
order in which the three streams (survey, construction, finance) delivered
their events. Rules, first match wins:

1. completed: the house is completed;
2. under construction: construction started and no cancellation since;
3. ready to build: the house is ready and no cancellation since;
4. cancelled: the house work was cancelled and nothing was planned again;
5. approved: approved, and neither waitlisted, rejected nor refused a grant since
   (a grant refused for want of budget puts the household back on the waitlist);
6. waitlisted or rejected: whichever decision came last;
7. surveyed: anything else we have heard of.
"""

from datetime import datetime

from reporting.projections.models import Stage, as_utc
from reporting.projections.rows import Household


def latest(*moments: datetime | None) -> datetime | None:
    found = None
    for moment in moments:  # a plain loop: every event of a replay calls this a few times
        if moment is not None:
            moment = as_utc(moment)
            if found is None or moment > found:
                found = moment
    return found


def after(moment: datetime | None, other: datetime | None) -> bool:
    """``moment`` happened, and strictly after ``other`` (or ``other`` never happened)."""
    moment, other = as_utc(moment), as_utc(other)
    return moment is not None and (other is None or moment > other)


def stage_of(row: Household) -> Stage:
    if row.completed_at is not None:
        return Stage.COMPLETED
    if after(row.started_at, row.cancelled_at):
        return Stage.UNDER_CONSTRUCTION
    if after(row.ready_at, row.cancelled_at):
        return Stage.READY_TO_BUILD
    if row.cancelled_at is not None and not after(row.planned_at, row.cancelled_at):
        return Stage.CANCELLED
    waitlisted = latest(row.waitlisted_at, row.grant_rejected_at)
    set_aside = latest(waitlisted, row.rejected_at)
    if after(row.approved_at, set_aside):
        return Stage.APPROVED
    if set_aside is not None:
        return Stage.REJECTED if after(row.rejected_at, waitlisted) else Stage.WAITLISTED
    return Stage.SURVEYED

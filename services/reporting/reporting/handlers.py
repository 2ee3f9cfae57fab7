"""What reporting listens to, in one place: event type → projector.

Every household, house and grant event feeds ``household_progress``; the
consumer commits each projector's changes together with its inbox row.
"""

from baan_shared.bus.consumer import Subscriptions
from reporting.projections import household_progress as progress

SUBSCRIPTIONS = Subscriptions(
    {
        # survey.households
        "household.surveyed": progress.on_household_surveyed,
        "household.approved": progress.on_household_approved,
        "household.rejected": progress.on_household_rejected,
        "household.waitlisted": progress.on_household_waitlisted,
        # construction.houses
        "house.planned": progress.on_house_planned,
        "house.ready_to_build": progress.on_house_ready_to_build,
        "house.construction_started": progress.on_house_construction_started,
        "house.milestone_reached": progress.on_house_milestone_reached,
        "house.completed": progress.on_house_completed,
        "house.cancelled": progress.on_house_cancelled,
        # finance.grants
        "grant.approved": progress.on_grant_approved,
        "grant.disbursed": progress.on_grant_disbursed,
        "grant.rejected": progress.on_grant_rejected,
    }
)

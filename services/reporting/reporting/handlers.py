"""What reporting listens to, in one place: event type → projector.

Every household, house and grant event feeds ``household_progress`` (grants
also ``grant_progress``); budget, loan and revolving fund events feed the money projections.
The consumer commits each projector's changes together with its inbox row.
A partition's batch of events goes to ``batch.apply_batch``, which does what
these handlers would do one event at a time, in a few statements.
"""

from baan_shared.bus.consumer import Subscriptions
from reporting.projections import household_progress as progress
from reporting.projections.batch import MONEY_HANDLERS, apply_batch

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
        # finance.budgets, finance.loans, finance.revolving_funds: applied one by one
        # even inside a batch (few per aggregate), by the handlers listed in batch.py.
        **MONEY_HANDLERS,
    },
    batch_handler=apply_batch,
)

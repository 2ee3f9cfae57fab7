"""What reporting listens to, in one place: event type → projector.

Every household, house and grant event feeds ``household_progress`` (grants
also ``grant_progress``); budget, loan and revolving fund events feed the money projections.
The consumer commits each projector's changes together with its inbox row.
A partition's batch of events goes to ``batch.apply_batch``, which does what
these handlers would do one event at a time, in a few statements.
"""

from baan_shared.bus.consumer import Subscriptions
from reporting.projections import household_progress as progress
from reporting.projections import money
from reporting.projections.batch import apply_batch

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
        # finance.budgets
        "budget.allocated": money.on_budget_allocated,
        # finance.loans
        "loan.approved": money.on_loan_approved,
        "loan.disbursed": money.on_loan_disbursed,
        "loan.repayment_received": money.on_loan_repayment_received,
        "loan.in_arrears": money.on_loan_in_arrears,
        # finance.revolving_funds
        "revolving_fund.opened": money.on_revolving_fund_event,
        "revolving_fund.balance_changed": money.on_revolving_fund_event,
    },
    batch_handler=apply_batch,
)

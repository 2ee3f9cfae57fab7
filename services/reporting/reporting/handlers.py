"""What reporting listens to, in one place: event type → projector.

Every household, house and grant event feeds ``household_progress`` (grants
also ``grant_progress``); budget, loan and revolving fund events feed the money
projections, welfare's fund, member and benefit events the welfare
projections (each moving the welfare projection's freshness mark on its
stream). The consumer commits each projector's changes together with its
inbox row. A partition's batch of events goes to ``batch.apply_batch``, which
does what these handlers would do one event at a time, in a few statements
(and hands the money events, few per aggregate, to their handlers here); welfare's
member joins go first to ``reporting.welfare.batch``, set-based too.
"""

from functools import partial

from baan_shared.events.catalog import (
    BudgetAllocated,
    GrantApproved,
    GrantDisbursed,
    GrantRejected,
    HouseCancelled,
    HouseCompleted,
    HouseConstructionStarted,
    HouseholdApproved,
    HouseholdRejected,
    HouseholdSurveyed,
    HouseholdWaitlisted,
    HouseMilestoneReached,
    HousePlanned,
    HouseReadyToBuild,
    LoanApproved,
    LoanDisbursed,
    LoanInArrears,
    LoanRepaymentReceived,
    RevolvingFundBalanceChanged,
    RevolvingFundOpened,
    TambonCoverageChanged,
    TambonPlanAdopted,
    TambonPlanSuperseded,
    WelfareBenefitPaid,
    WelfareFundBalanceChanged,
    WelfareFundRegistered,
    WelfareMemberJoined,
    WelfareMemberStatusChanged,
)
from baan_shared.events.subscriptions import Subscriptions
from reporting.plans import service as plans
from reporting.projections import batch, money
from reporting.projections import household_progress as progress
from reporting.survey_coverage import service as survey_coverage
from reporting.welfare import batch as welfare_batch
from reporting.welfare import service as welfare

SUBSCRIPTIONS = (
    Subscriptions()
    # survey.households
    .on(HouseholdSurveyed, progress.on_household_surveyed)
    .on(HouseholdApproved, progress.on_household_approved)
    .on(HouseholdRejected, progress.on_household_rejected)
    .on(HouseholdWaitlisted, progress.on_household_waitlisted)
    # construction.houses
    .on(HousePlanned, progress.on_house_planned)
    .on(HouseReadyToBuild, progress.on_house_ready_to_build)
    .on(HouseConstructionStarted, progress.on_house_construction_started)
    .on(HouseMilestoneReached, progress.on_house_milestone_reached)
    .on(HouseCompleted, progress.on_house_completed)
    .on(HouseCancelled, progress.on_house_cancelled)
    # finance.grants
    .on(GrantApproved, progress.on_grant_approved)
    .on(GrantDisbursed, progress.on_grant_disbursed)
    .on(GrantRejected, progress.on_grant_rejected)
    # finance.budgets
    .on(BudgetAllocated, money.on_budget_allocated)
    # finance.loans
    .on(LoanApproved, money.on_loan_approved)
    .on(LoanDisbursed, money.on_loan_disbursed)
    .on(LoanRepaymentReceived, money.on_loan_repayment_received)
    .on(LoanInArrears, money.on_loan_in_arrears)
    # finance.revolving_funds
    .on(RevolvingFundOpened, money.on_revolving_fund_event)
    .on(RevolvingFundBalanceChanged, money.on_revolving_fund_event)
    # survey.tambon_plans
    .on(TambonPlanAdopted, plans.on_tambon_plan_adopted)
    .on(TambonPlanSuperseded, plans.on_tambon_plan_superseded)
    # survey.tambon_coverage
    .on(TambonCoverageChanged, survey_coverage.on_tambon_coverage_changed)
    # welfare.funds
    .on(WelfareFundRegistered, welfare.marked(welfare.on_fund_registered))
    .on(WelfareFundBalanceChanged, welfare.marked(welfare.on_fund_balance_changed))
    # welfare.members
    .on(WelfareMemberJoined, welfare.marked(welfare.on_member_joined))
    .on(WelfareMemberStatusChanged, welfare.marked(welfare.on_member_status_changed))
    # welfare.benefits
    .on(WelfareBenefitPaid, welfare.marked(welfare.on_benefit_paid))
)
SUBSCRIPTIONS.in_batches(
    partial(
        welfare_batch.apply_batch,
        then=partial(batch.apply_batch, one_by_one=SUBSCRIPTIONS.handlers),
    )
)

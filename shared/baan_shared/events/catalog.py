"""The catalogue of events: one pydantic model per CloudEvents ``type``.

Events carry the state a consumer needs (event-carried state transfer): every
household and house event names its programme and area, so reporting never
has to ask. Schemas evolve by adding optional fields; a breaking change is a
new type (``household.approved.v2``) published beside the old one.
"""

import uuid
from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from baan_shared.events import topics
from baan_shared.reference.areas import current_level


class EventData(BaseModel):
    """Base of every event's ``data``. Subclasses name their type and stream."""

    model_config = ConfigDict(extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]
    aggregate_type: ClassVar[str]
    version: ClassVar[int] = 1

    def aggregate_id(self) -> str:
        raise NotImplementedError

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:baan:events:{cls.event_type}:v{cls.version}"


class AreaMixin(BaseModel):
    """Where the household lives: official Thai codes (province 2, district 4, sub-district 6)."""

    programme: str
    province_code: str
    district_code: str | None = None
    subdistrict_code: str | None = None


# --- survey: topic survey.households, aggregate = household ---------------------------


class HouseholdEvent(AreaMixin, EventData):
    topic = topics.SURVEY_HOUSEHOLDS
    aggregate_type = "household"
    household_id: uuid.UUID
    fiscal_year: int | None = None
    # The community (ชุมชน) the household was surveyed in, when it belongs to
    # one: reporting counts communities reached from it.
    community_id: uuid.UUID | None = None

    def aggregate_id(self) -> str:
        return str(self.household_id)


class HouseholdSurveyed(HouseholdEvent):
    event_type = "household.surveyed"
    household_size: int
    surveyed_at: datetime


class HouseholdApproved(HouseholdEvent):
    event_type = "household.approved"
    household_size: int
    need: str
    estimated_cost_satang: int
    approved_at: datetime
    approved_by: str


class HouseholdRejected(HouseholdEvent):
    event_type = "household.rejected"
    reason: str
    decided_at: datetime


class HouseholdWaitlisted(HouseholdEvent):
    event_type = "household.waitlisted"
    reason: str
    decided_at: datetime


# --- construction: topic construction.houses, aggregate = house work ------------------


class HouseEvent(AreaMixin, EventData):
    topic = topics.CONSTRUCTION_HOUSES
    aggregate_type = "house"
    house_id: uuid.UUID
    household_id: uuid.UUID
    fiscal_year: int | None = None
    # Carried on every house event so finance can open the grant from whichever
    # event reaches it first (topics are not ordered against each other).
    estimated_cost_satang: int | None = None
    community_id: uuid.UUID | None = None
    # The construction project (the unit that buys and builds together), once
    # the house is grouped into one.
    project_id: uuid.UUID | None = None

    def aggregate_id(self) -> str:
        return str(self.house_id)


class HousePlanned(HouseEvent):
    event_type = "house.planned"
    work_type: str


class HouseReadyToBuild(HouseEvent):
    event_type = "house.ready_to_build"
    ready_on: date


class HouseConstructionStarted(HouseEvent):
    event_type = "house.construction_started"
    started_on: date


class HouseMilestoneReached(HouseEvent):
    event_type = "house.milestone_reached"
    milestone: str
    percent: int
    reached_on: date


class HouseCompleted(HouseEvent):
    event_type = "house.completed"
    completed_on: date
    actual_cost_satang: int
    labour_days: int


class HouseCancelled(HouseEvent):
    event_type = "house.cancelled"
    reason: str


# --- finance: topic finance.grants, aggregate = grant ---------------------------------


class GrantEvent(AreaMixin, EventData):
    topic = topics.FINANCE_GRANTS
    aggregate_type = "grant"
    grant_id: uuid.UUID
    household_id: uuid.UUID
    fiscal_year: int | None = None
    # Added later, optional: where the household's house is built and which budget
    # the grant is reserved from (none when rejected), for money by area and budget.
    community_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    budget_id: uuid.UUID | None = None
    region_code: str | None = None  # the regional office (BVE, N, CW, NE, S)

    def aggregate_id(self) -> str:
        return str(self.grant_id)


class GrantApproved(GrantEvent):
    event_type = "grant.approved"
    amount_satang: int


class GrantRejected(GrantEvent):
    event_type = "grant.rejected"
    reason: str
    # Added later, optional: the grant no budget could cover (demand left unmet).
    amount_satang: int | None = None


class GrantDisbursed(GrantEvent):
    event_type = "grant.disbursed"
    tranche: int
    amount_satang: int
    payment_reference: str
    disbursed_total_satang: int


# --- finance: topic finance.budgets, aggregate = budget -------------------------------


class BudgetAllocated(EventData):
    """Money allocated to a programme for a fiscal year and an area (จัดสรรงบประมาณ)."""

    event_type = "budget.allocated"
    topic = topics.FINANCE_BUDGETS
    aggregate_type = "budget"
    budget_id: uuid.UUID
    allocation_id: uuid.UUID
    programme: str
    fiscal_year: int
    # The area levels' one vocabulary (baan_shared.reference.AreaLevel) plus project;
    # the code is the official Thai code at that level ("TH" for the country, a
    # regional office's code for a region, a project's id for a project). Events
    # published before the vocabulary was settled say "national" for the country:
    # reading one gives "country" (events are never rewritten).
    area_level: Annotated[
        str,
        BeforeValidator(current_level),
        Field(
            description="country, region, province, district, subdistrict or project; "
            "events published before 2026-12 may say national, the old word for country"
        ),
    ]
    area_code: str
    # Negative when a mis-keyed allocation is reversed (reverses_allocation is then
    # true and allocation_id names the allocation reversed).
    amount_satang: int
    allocated_total_satang: int
    reverses_allocation: bool = False
    # Added later, optional: the province and regional office the budget's area lies
    # in (none for a national or a project budget), for roll-ups without a code table.
    province_code: str | None = None
    region_code: str | None = None

    def aggregate_id(self) -> str:
        return str(self.budget_id)


# --- finance: topic finance.loans, aggregate = loan -----------------------------------


class LoanEvent(EventData):
    topic = topics.FINANCE_LOANS
    aggregate_type = "loan"
    loan_id: uuid.UUID
    # "household" or "organisation" (a community organisation or housing cooperative)
    borrower_type: str
    borrower_id: uuid.UUID
    programme: str
    province_code: str
    district_code: str | None = None
    subdistrict_code: str | None = None
    # Added later, optional: the Buddhist-Era fiscal year the event falls in (of the
    # disbursement, the payment, the review), the regional office, and the revolving
    # fund the loan repays into (rural programmes).
    fiscal_year: int | None = None
    region_code: str | None = None
    revolving_fund_id: uuid.UUID | None = None

    def aggregate_id(self) -> str:
        return str(self.loan_id)


class LoanApproved(LoanEvent):
    event_type = "loan.approved"
    principal_satang: int
    annual_interest_rate_bp: int
    term_months: int
    grace_months: int
    repayment_method: str


class LoanDisbursed(LoanEvent):
    event_type = "loan.disbursed"
    amount_satang: int
    payment_reference: str
    disbursed_on: date
    # Added later, optional: the principal owed after the event (= amount) and
    # whether the fund rather than the agency's cash paid it out.
    outstanding_principal_satang: int | None = None
    financed_by_fund: bool | None = None
    days_past_due: int | None = None  # always 0: nothing is due yet
    # The revolving fund's balance after the event, when the fund paid it out.
    revolving_fund_balance_satang: int | None = None


class LoanRepaymentReceived(LoanEvent):
    event_type = "loan.repayment_received"
    payment_reference: str
    amount_satang: int
    interest_satang: int
    principal_satang: int
    paid_on: date
    outstanding_principal_satang: int
    # Added later, optional. A reversed payment (bounced, mistaken) is published
    # as this type again with negative amounts and reverses_payment true, so
    # consumers that add amounts or read outstanding_principal_satang stay right.
    reverses_payment: bool = False
    days_past_due: int | None = None  # after the event, as of paid_on (reversal: its day)
    arrears_bucket: str | None = None  # current, 1-30, 31-60, 61-90, over-90
    # The revolving fund's balance after the event, for a loan that repays into one.
    revolving_fund_balance_satang: int | None = None


class LoanInArrears(LoanEvent):
    event_type = "loan.in_arrears"
    as_of: date
    days_past_due: int
    bucket: str  # 1-30, 31-60, 61-90, over-90
    overdue_satang: int
    # Added later, optional: the principal still owed on the loan.
    outstanding_principal_satang: int | None = None


# --- finance: topic finance.revolving_funds, aggregate = revolving fund ---------------


class RevolvingFundEvent(EventData):
    """A community's or sub-district's revolving fund (กองทุนหมุนเวียน) and its balance.

    Every event carries the fund's balance after it and ``sequence``, the number of
    movements the fund has had (0 when opened), so a consumer keeps the balance of the
    highest sequence it has seen and never adds amounts: redelivered or late events
    cannot double-count.
    """

    topic = topics.FINANCE_REVOLVING_FUNDS
    aggregate_type = "revolving_fund"
    revolving_fund_id: uuid.UUID
    # "subdistrict" (code is the official 6-digit code) or "community" (its own code)
    scope: str
    code: str
    name: str
    province_code: str
    # Known for a sub-district's fund (from its official code); none for a community's.
    district_code: str | None = None
    subdistrict_code: str | None = None
    region_code: str | None = None  # the regional office (BVE, N, CW, NE, S)
    # The programme the fund serves, when it serves one only.
    programme: str | None = None
    sequence: int
    balance_satang: int
    in_satang: int  # repayments and deposits received so far
    out_satang: int  # loans paid out and reversed repayments so far

    def aggregate_id(self) -> str:
        return str(self.revolving_fund_id)


class RevolvingFundOpened(RevolvingFundEvent):
    event_type = "revolving_fund.opened"
    opened_at: datetime


class RevolvingFundBalanceChanged(RevolvingFundEvent):
    event_type = "revolving_fund.balance_changed"
    movement_id: uuid.UUID
    # deposit (seed money in), repayment (in), loan (paid out), repayment_reversal (out)
    kind: str
    amount_satang: int  # always positive; ``change_satang`` has the sign
    change_satang: int  # what the balance moved by: positive in, negative out
    loan_id: uuid.UUID | None = None
    reference: str
    recorded_at: datetime


# --- survey: topic survey.tambon_plans, aggregate = tambon plan ------------------------


class TambonPlanLine(BaseModel):
    """One line of a tambon's plan: a programme's households by need in one fiscal year."""

    programme: str
    fiscal_year: int  # B.E.
    need: str  # repair, rebuild, new_build, relocation
    households: int
    budget_satang: int
    communities: int


class TambonPlanEvent(EventData):
    topic = topics.SURVEY_TAMBON_PLANS
    aggregate_type = "tambon_plan"
    plan_id: uuid.UUID
    province_code: str
    district_code: str
    subdistrict_code: str
    region_code: str | None = None  # the regional office (BVE, N, CW, NE, S)

    def aggregate_id(self) -> str:
        return str(self.plan_id)


class TambonPlanAdopted(TambonPlanEvent):
    """A tambon's 3- or 5-year plan adopted (แผนตำบล): what reporting rolls up."""

    event_type = "tambon_plan.adopted"
    local_administration_code: str
    first_fiscal_year: int
    years: int
    plan_version: int  # 1 for the tambon's first plan, one more per new version
    adopted_by: str
    adopted_on: date
    supersedes_plan_id: uuid.UUID | None = None
    lines: list[TambonPlanLine]


class TambonPlanSuperseded(TambonPlanEvent):
    """An adopted plan replaced by a newer version: it no longer counts, history kept."""

    event_type = "tambon_plan.superseded"
    superseded_by_plan_id: uuid.UUID
    superseded_on: date


# --- survey: topic survey.tambon_coverage, aggregate = tambon ---------------------------


class TambonCoverageChanged(EventData):
    """How much of a tambon has been surveyed, when a finished survey round was recorded."""

    event_type = "tambon.coverage_changed"
    topic = topics.SURVEY_TAMBON_COVERAGE
    aggregate_type = "tambon"
    province_code: str
    district_code: str
    subdistrict_code: str
    region_code: str | None = None
    communities: int  # communities and villages registered in the tambon
    communities_surveyed: int  # of them, with a finished survey round of their own
    households_surveyed: int
    households_in_area: int | None = None  # the tambon's households, when a round gave it
    whole_tambon_surveyed: bool
    as_of: datetime

    def aggregate_id(self) -> str:
        return self.subdistrict_code


# --- welfare: community welfare funds (กองทุนสวัสดิการชุมชน) ---------------------------


class WelfareAreaMixin(BaseModel):
    """Where the fund lies: its tambon's (or municipality seat's) official codes."""

    welfare_fund_id: uuid.UUID
    province_code: str
    district_code: str
    subdistrict_code: str
    region_code: str | None = None  # the regional office (BVE, N, CW, NE, S)


class WelfareFundEvent(WelfareAreaMixin, EventData):
    """A fund and its books. Every event carries the totals after it and ``sequence``,
    the number of movements booked so far (0 when registered), so a consumer keeps the
    totals of the highest sequence it has seen and never adds amounts."""

    topic = topics.WELFARE_FUNDS
    aggregate_type = "welfare_fund"
    kind: str  # tambon or municipality
    name: str
    sequence: int
    contributions_satang: int
    agency_match_satang: int
    local_match_satang: int
    other_income_satang: int
    benefits_paid_satang: int
    balance_satang: int

    def aggregate_id(self) -> str:
        return str(self.welfare_fund_id)


class WelfareFundRegistered(WelfareFundEvent):
    event_type = "welfare_fund.registered"
    registered_on: date


class WelfareFundBalanceChanged(WelfareFundEvent):
    event_type = "welfare_fund.balance_changed"
    movement_id: uuid.UUID
    # contribution, agency_match, local_match, other_income (in); benefit (out)
    movement_kind: str
    amount_satang: int  # always positive; ``change_satang`` has the sign
    change_satang: int
    occurred_on: date
    reference: str


class WelfareMemberEvent(WelfareAreaMixin, EventData):
    """A membership; never the national ID (personal data stays in welfare)."""

    topic = topics.WELFARE_MEMBERS
    aggregate_type = "welfare_member"
    member_id: uuid.UUID
    status: str  # active, lapsed, left, deceased
    joined_on: date

    def aggregate_id(self) -> str:
        return str(self.member_id)


class WelfareMemberJoined(WelfareMemberEvent):
    event_type = "welfare_member.joined"


class WelfareMemberStatusChanged(WelfareMemberEvent):
    event_type = "welfare_member.status_changed"
    previous_status: str
    ended_on: date | None = None


class WelfareBenefitPaid(WelfareAreaMixin, EventData):
    """A benefit paid from a fund to (or for) a member: people helped, money paid."""

    topic = topics.WELFARE_BENEFITS
    aggregate_type = "welfare_claim"
    event_type = "welfare_benefit.paid"
    claim_id: uuid.UUID
    member_id: uuid.UUID
    benefit_kind: str
    event_date: date
    amount_satang: int
    paid_on: date

    def aggregate_id(self) -> str:
        return str(self.claim_id)


class WelfareMatchApproved(WelfareAreaMixin, EventData):
    """A match of members' contributions approved: the agency's is paid by finance from
    a budget, once per ``match_request_id``; a local administration's was received."""

    topic = topics.WELFARE_MATCHES
    aggregate_type = "welfare_match"
    event_type = "welfare_match.approved"
    match_request_id: uuid.UUID
    matcher: str  # agency or local_administration
    period_from: date
    period_to: date
    amount_satang: int
    approved_at: datetime
    approved_by: str

    def aggregate_id(self) -> str:
        return str(self.match_request_id)


class WelfareMatchPaymentEvent(WelfareAreaMixin, EventData):
    """Finance's payment of the agency's match of a welfare fund's contributions (one per
    ``match_request_id`` welfare approved): waiting for a WELFARE_MATCH budget, with the
    reason, then paid from one. Published when it waits (again, when the reason changes)
    and once when it is paid; welfare shows it on the match request."""

    topic = topics.FINANCE_WELFARE_MATCHES
    aggregate_type = "welfare_match_payment"
    match_request_id: uuid.UUID
    amount_satang: int
    fiscal_year: int | None = None  # B.E.: the budget year that pays it

    def aggregate_id(self) -> str:
        return str(self.match_request_id)


class WelfareMatchWaiting(WelfareMatchPaymentEvent):
    event_type = "welfare_match.waiting_for_budget"
    reason: str  # no WELFARE_MATCH budget covers the fund, or too little is free


class WelfareMatchPaid(WelfareMatchPaymentEvent):
    event_type = "welfare_match.paid"
    paid_at: datetime
    budget_id: uuid.UUID | None = None


def _all_subclasses(cls: type[EventData]) -> list[type[EventData]]:
    found: list[type[EventData]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


EVENT_TYPES: dict[str, type[EventData]] = {
    sub.event_type: sub
    for sub in _all_subclasses(EventData)
    if isinstance(sub.__dict__.get("event_type"), str)
}


def event_model(event_type: str) -> type[EventData]:
    return EVENT_TYPES[event_type]

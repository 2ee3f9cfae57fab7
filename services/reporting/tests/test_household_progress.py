"""Projectors as plain functions on a row, and the subscriptions that feed them."""

import uuid
from datetime import UTC, datetime, timedelta

from reporting_factories import Household

from baan_shared import registry
from baan_shared.events import EVENT_TYPES
from baan_shared.events.catalog import (
    HouseholdApproved,
    HouseMilestoneReached,
    HousePlanned,
)
from reporting.handlers import SUBSCRIPTIONS
from reporting.projections import household_progress as progress
from reporting.projections.models import HouseholdProgress

T0 = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)


def _row() -> HouseholdProgress:
    return HouseholdProgress(
        household_id=uuid.uuid4(), programme="CANAL", province_code="10", last_event_time=T0
    )


def _approval(fiscal_year: int) -> HouseholdApproved:
    return HouseholdApproved(
        **Household(programme="CANAL", province_code="10").area(),
        fiscal_year=fiscal_year,
        household_size=3,
        need="rebuild",
        estimated_cost_satang=14_700_000,
        approved_at=T0,
        approved_by="committee",
    )


def test_every_event_in_the_catalogue_is_projected() -> None:
    # Households, houses and grants feed household_progress; budgets and loans, money;
    # welfare's funds, members and benefits the welfare projections: every event of every
    # stream reporting reads (welfare's match requests are finance's, not read here).
    read = set(registry.service("reporting").consumes)
    on_read_streams = {name for name, data in EVENT_TYPES.items() if data.topic in read}
    assert set(SUBSCRIPTIONS.handlers) == on_read_streams
    assert {"household.approved", "house.completed", "grant.disbursed"} <= on_read_streams
    assert {"welfare_fund.balance_changed", "welfare_benefit.paid"} <= on_read_streams


def test_the_latest_approval_names_the_fiscal_year_whatever_the_order() -> None:
    first, second = (T0, _approval(2568)), (T0 + timedelta(days=400), _approval(2569))
    for order in ([first, second], [second, first]):
        row = _row()
        for at, data in order:
            progress.apply_approved(row, data, at)
        assert row.fiscal_year == 2569
        assert row.approved_at == second[0]


def test_the_row_follows_the_house_planned_last() -> None:
    h = Household()
    old = HousePlanned(**h.area(), house_id=uuid.uuid4(), work_type="repair")
    new = HousePlanned(**h.area(), house_id=uuid.uuid4(), work_type="rebuild")
    for order in (
        [(T0, old), (T0 + timedelta(days=1), new)],
        [(T0 + timedelta(days=1), new), (T0, old)],
    ):
        row = _row()
        for at, data in order:
            progress.apply_house_planned(row, data, at)
        assert row.house_id == new.house_id


def test_progress_percent_only_grows() -> None:
    h = Household()
    row = _row()
    for percent in (60, 30):
        milestone = HouseMilestoneReached(
            **h.area(),
            house_id=h.house_id,
            milestone="walls",
            percent=percent,
            reached_on=T0.date(),
        )
        progress.apply_milestone_reached(row, milestone, T0)
    assert row.progress_percent == 60

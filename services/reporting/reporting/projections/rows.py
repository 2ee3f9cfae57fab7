"""``household_progress`` and ``grant_progress`` rows as plain Python objects.

The batch projector reads a batch's rows with one Core SELECT, folds the batch's
events into these (slotted dataclasses: an attribute set is a plain store, not
SQLModel's validating ``__setattr__`` and the ORM's change tracking, which were
most of a replay's Python time) and writes them back with one upsert. The
``apply_*`` functions of ``household_progress`` and ``summaries.contribution`` take
these and the ORM models alike.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeAlias

from sqlalchemy import Table

from reporting.projections.models import GrantProgress, HouseholdProgress, Stage


@dataclass(slots=True)
class HouseholdRow:
    """One ``household_progress`` row (its columns, in the table's order)."""

    household_id: uuid.UUID
    programme: str
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    community_id: uuid.UUID | None
    household_size: int | None
    fiscal_year: int | None
    house_id: uuid.UUID | None
    stage: Stage
    surveyed_at: datetime | None
    approved_at: datetime | None
    rejected_at: datetime | None
    waitlisted_at: datetime | None
    planned_at: datetime | None
    ready_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    grant_rejected_at: datetime | None
    approval_dated: datetime | None
    start_dated: datetime | None
    completion_dated: datetime | None
    progress_percent: int | None
    grant_amount_satang: int
    disbursed_satang: int
    last_event_time: datetime
    updated_at: datetime


@dataclass(slots=True)
class GrantRow:
    """One ``grant_progress`` row (its columns, in the table's order)."""

    grant_id: uuid.UUID
    household_id: uuid.UUID
    programme: str | None
    province_code: str | None
    district_code: str | None
    subdistrict_code: str | None
    fiscal_year: int | None
    amount_satang: int
    disbursed_satang: int
    tranches_paid: int
    approved_at: datetime | None
    rejected_at: datetime | None
    last_event_time: datetime


Household: TypeAlias = HouseholdProgress | HouseholdRow
"""A household's row as the projectors fill it: the ORM model or the plain one."""
Grant: TypeAlias = GrantProgress | GrantRow

HOUSEHOLDS: Table = HouseholdProgress.__table__
GRANTS: Table = GrantProgress.__table__


def _same_columns(table: Table, row: type[Any]) -> None:
    columns = [c.name for c in table.columns]
    fields = list(row.__dataclass_fields__)
    if columns != fields:
        raise TypeError(f"{row.__name__} has {fields}, {table.name} has {columns}")


# Read by position (``row(*values)``): a column added to a model must be added here.
_same_columns(HOUSEHOLDS, HouseholdRow)
_same_columns(GRANTS, GrantRow)


HOUSEHOLD_COLUMNS = tuple(HouseholdRow.__dataclass_fields__)
GRANT_COLUMNS = tuple(GrantRow.__dataclass_fields__)
_household_values = attrgetter(*HOUSEHOLD_COLUMNS)
_grant_values = attrgetter(*GRANT_COLUMNS)


def household_values(row: HouseholdRow) -> dict[str, Any]:
    """The row's columns, for an INSERT."""
    return dict(zip(HOUSEHOLD_COLUMNS, _household_values(row), strict=True))


def grant_values(row: GrantRow) -> dict[str, Any]:
    """The row's columns, for an INSERT."""
    return dict(zip(GRANT_COLUMNS, _grant_values(row), strict=True))


def household_tuple(row: HouseholdRow) -> tuple[Any, ...]:
    """The row's columns in the table's order."""
    values: tuple[Any, ...] = _household_values(row)
    return values


def grant_tuple(row: GrantRow) -> tuple[Any, ...]:
    """The row's columns in the table's order."""
    values: tuple[Any, ...] = _grant_values(row)
    return values

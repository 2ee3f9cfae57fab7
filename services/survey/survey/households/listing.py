"""How household lists are filtered, sorted and paged (list, export, and their cursors).

Cursor pagination is keyset pagination on (sort key, id): a page starts after
the last row's key and id, so rows inserted or re-sorted meanwhile are neither
skipped nor repeated within a sort. The cursor carries the sort it was made
for; using it with another sort is refused rather than silently misread.
"""

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import Float, and_, case, cast, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from baan_shared.errors import Unprocessable, field_error
from baan_shared.reference import Programme
from survey.households import priority
from survey.households.models import Household, HouseholdStatus

SORTABLE = (
    "created_at",
    "updated_at",
    "head_name",
    "monthly_income_satang",
    "estimated_cost_satang",
    "household_size",
    "subdistrict_code",
    "priority",
)
SORT_DESCRIPTION = (
    "One of " + ", ".join(SORTABLE) + "; prefix with - for descending (e.g. -priority). "
    "priority is the ranking's need score (most need first with -priority)."
)


@dataclass(frozen=True)
class HouseholdFilters:
    """The filters every household list shares (the list, its export)."""

    status: HouseholdStatus | None = None
    programme: Programme | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    community_id: uuid.UUID | None = None
    survey_round_id: uuid.UUID | None = None
    possible_duplicate: bool | None = None
    text: str | None = None


def household_filters(
    status_: Annotated[HouseholdStatus | None, Query(alias="status")] = None,
    programme: Programme | None = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    community_id: uuid.UUID | None = None,
    survey_round_id: uuid.UUID | None = None,
    possible_duplicate: bool | None = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Text in name, village, notes")
    ] = None,
) -> HouseholdFilters:
    return HouseholdFilters(
        status=status_,
        programme=programme,
        province_code=province_code,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
        community_id=community_id,
        survey_round_id=survey_round_id,
        possible_duplicate=possible_duplicate,
        text=q,
    )


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.key


def parse_sort(value: str) -> Sort:
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in SORTABLE:
        reason = f"cannot sort by {key!r}; sort by one of {', '.join(SORTABLE)} (- for descending)"
        raise Unprocessable(reason, errors=[field_error("query.sort", reason)])
    return Sort(key, descending)


def sort_query(
    sort: Annotated[str, Query(description=SORT_DESCRIPTION, max_length=40)] = "created_at",
) -> Sort:
    return parse_sort(sort)


@dataclass(frozen=True)
class Cursor:
    sort: str
    value: Any
    last_id: uuid.UUID


def encode_cursor(sort: Sort, value: Any, last_id: uuid.UUID) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort.text, value, str(last_id)], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: Sort) -> Cursor | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_text, value, last_id = json.loads(raw)
        decoded = Cursor(str(sort_text), value, uuid.UUID(last_id))
        if sort.key in ("created_at", "updated_at"):
            decoded = Cursor(decoded.sort, datetime.fromisoformat(value), decoded.last_id)
    except (ValueError, TypeError) as exc:
        raise Unprocessable(
            "cursor is not one this API issued",
            errors=[field_error("query.cursor", "malformed cursor", "cursor")],
        ) from exc
    if decoded.sort != sort.text:
        reason = f"this cursor pages a list sorted by {decoded.sort}, not {sort.text}"
        raise Unprocessable(reason, errors=[field_error("query.cursor", reason, "cursor")])
    return decoded


_CONDITION_NEED = case(
    *(
        (col(Household.house_condition) == condition, need)
        for condition, need in priority.CONDITION_NEED.items()
        if condition is not None
    ),
    else_=priority.CONDITION_NEED[None],
)


def priority_expression(
    vulnerable_members: ColumnElement[Any], weights: Mapping[Programme, priority.Weights]
) -> ColumnElement[float]:
    """The ranking's need score in SQL (see priority.py), so lists can sort and page by it.

    Each household is weighed by its programme's saved weights, as in the ranking.
    """
    size = cast(func.coalesce(col(Household.household_size), 1), Float)
    per_person = cast(col(Household.monthly_income_satang), Float) / size
    reference = float(priority.INCOME_REFERENCE_PER_PERSON_SATANG)
    income = case((per_person >= reference, 0.0), else_=1.0 - per_person / reference)
    vulnerable = case(
        (cast(vulnerable_members, Float) >= size, 1.0),
        else_=cast(vulnerable_members, Float) / size,
    )

    def scored(w: priority.Weights) -> ColumnElement[float]:
        weighted = w.income * income + w.condition * _CONDITION_NEED + w.vulnerable * vulnerable
        return weighted / w.total

    default = priority.Weights()
    if not weights:
        return scored(default)
    return case(
        *((col(Household.programme) == code, scored(w)) for code, w in weights.items()),
        else_=scored(default),
    )


def sort_column(sort: Sort, priority_score: ColumnElement[float]) -> ColumnElement[Any]:
    if sort.key == "priority":
        return priority_score
    column: ColumnElement[Any] = getattr(Household, sort.key)
    return column


def after_cursor(key: ColumnElement[Any], sort: Sort, cursor: Cursor) -> ColumnElement[bool]:
    """Rows after the cursor's (key, id) in the list's order."""
    if sort.descending:
        return or_(
            key < cursor.value, and_(key == cursor.value, col(Household.id) < cursor.last_id)
        )
    return or_(key > cursor.value, and_(key == cursor.value, col(Household.id) > cursor.last_id))

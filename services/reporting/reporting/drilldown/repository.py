"""The SQL of the drill-down: the same conditions the reports count with.

Each report's WHERE comes from ``projections.repository`` (``household_conditions``
for progress and the funnel, ``achieved_conditions`` for targets and the query API),
and so does this list's: a figure and its list cannot drift apart.
"""

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from reporting.drilldown.schemas import Measure
from reporting.projections.models import (
    APPROVED_OR_BEYOND,
    MAIN_PATH,
    GrantProgress,
    HouseholdProgress,
    Stage,
)
from reporting.projections.repository import (
    AreaFilter,
    achieved_conditions,
    covered,
    household_conditions,
    stage_of_households,
)

UNKNOWN = "unknown"
"""A district or sub-district filter for households whose area is not known."""

_ACHIEVED = {
    Measure.APPROVED_IN_PERIOD: 0,
    Measure.STARTED_IN_PERIOD: 1,
    Measure.COMPLETED_IN_PERIOD: 2,
}


@dataclass(frozen=True)
class HouseholdFilter:
    where: AreaFilter
    """Programme, province, fiscal year (of approval), half, as-of and the caller."""
    measure: Measure = Measure.HOUSEHOLDS
    stage: Stage | None = None
    province_codes: Collection[str] | None = None
    """A region's provinces."""
    district_code: str | None = None
    subdistrict_code: str | None = None
    achieved_between: tuple[datetime, datetime] | None = None
    """For the in-period measures: the period (or month) a milestone fell in."""


def _area_code(column: Any, code: str) -> ColumnElement[bool]:
    return col(column).is_(None) if code == UNKNOWN else col(column) == code


def _conditions(found: HouseholdFilter) -> list[ColumnElement[bool]]:
    if found.measure in _ACHIEVED:
        assert found.achieved_between is not None
        conditions = household_conditions(
            AreaFilter(
                programme=found.where.programme,
                province_code=found.where.province_code,
                principal=found.where.principal,
            )
        )
        starts_at, ends_at = found.achieved_between
        conditions.append(achieved_conditions(starts_at, ends_at)[_ACHIEVED[found.measure]])
    else:
        conditions = household_conditions(found.where)
    stage = stage_of_households(found.where)
    if found.measure == Measure.APPROVED:
        conditions.append(stage.in_(list(APPROVED_OR_BEYOND)))
    if found.stage is not None:
        if found.measure == Measure.REACHED and found.stage == MAIN_PATH[0]:
            pass  # every household heard of was surveyed
        elif found.measure == Measure.REACHED and found.stage in MAIN_PATH:
            conditions.append(stage.in_(list(MAIN_PATH[MAIN_PATH.index(found.stage) :])))
        else:
            conditions.append(stage == found.stage)
    if found.province_codes is not None:
        conditions.append(col(HouseholdProgress.province_code).in_(list(found.province_codes)))
    if found.district_code is not None:
        conditions.append(_area_code(HouseholdProgress.district_code, found.district_code))
    if found.subdistrict_code is not None:
        conditions.append(_area_code(HouseholdProgress.subdistrict_code, found.subdistrict_code))
    return conditions


async def count(session: AsyncSession, found: HouseholdFilter) -> int:
    query = select(func.count()).select_from(HouseholdProgress).where(*_conditions(found))
    return int((await session.exec(query)).one())


async def page(
    session: AsyncSession, found: HouseholdFilter, *, after: uuid.UUID | None, limit: int
) -> Sequence[tuple[HouseholdProgress, str]]:
    """Up to ``limit`` households after the cursor by id, each with its stage then."""
    household_id = col(HouseholdProgress.household_id)
    conditions = _conditions(found)
    if after is not None:
        conditions.append(household_id > after)
    query = (
        select(HouseholdProgress, stage_of_households(found.where))
        .where(*conditions)
        .order_by(household_id)
        .limit(limit)
    )
    return [(row[0], str(row[1])) for row in (await session.exec(query)).all()]


async def household(
    session: AsyncSession, household_id: uuid.UUID, principal: Principal | None
) -> HouseholdProgress | None:
    """The household, if it lies in the caller's areas (the area rule is in the query,
    as for the lists: another area's household is not found, like a random id)."""
    query = select(HouseholdProgress).where(
        col(HouseholdProgress.household_id) == household_id, *covered(principal)
    )
    return (await session.exec(query)).first()


async def grants(session: AsyncSession, household_id: uuid.UUID) -> Sequence[GrantProgress]:
    query = (
        select(GrantProgress)
        .where(col(GrantProgress.household_id) == household_id)
        .order_by(col(GrantProgress.approved_at), col(GrantProgress.grant_id))
    )
    return (await session.exec(query)).all()

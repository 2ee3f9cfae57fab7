"""All SQL of the long-term targets: their versions, and the planned and reached
households per fiscal year that they are measured against."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from reporting.cumulative.models import HistoricalAchievement
from reporting.long_term_targets.models import LongTermTarget
from reporting.plans.models import PlannedLine
from reporting.projections.models import HouseholdProgress


async def versions(session: AsyncSession, code: str) -> list[LongTermTarget]:
    """Every version of the target, newest first."""
    query = (
        select(LongTermTarget)
        .where(LongTermTarget.code == code)
        .order_by(col(LongTermTarget.version).desc())
    )
    return list((await session.exec(query)).all())


async def in_force(session: AsyncSession) -> list[LongTermTarget]:
    """The newest version of every target, by code."""
    newest = (
        select(LongTermTarget.code, func.max(LongTermTarget.version).label("version"))
        .group_by(col(LongTermTarget.code))
        .subquery()
    )
    query = (
        select(LongTermTarget)
        .join(
            newest,
            (col(LongTermTarget.code) == newest.c.code)
            & (col(LongTermTarget.version) == newest.c.version),
        )
        .order_by(col(LongTermTarget.code))
    )
    return list((await session.exec(query)).all())


def _programmes(column: Any, programmes: list[str]) -> list[Any]:
    return [column.in_(programmes)] if programmes else []


async def planned_by_year(
    session: AsyncSession, first: int, last: int, programmes: list[str]
) -> dict[int, int]:
    """Households in adopted (not superseded) tambon plans, per fiscal year."""
    query = (
        select(PlannedLine.fiscal_year, func.sum(PlannedLine.households))
        .where(
            PlannedLine.fiscal_year >= first,
            PlannedLine.fiscal_year <= last,
            col(PlannedLine.superseded).is_(False),
            *_programmes(col(PlannedLine.programme), programmes),
        )
        .group_by(col(PlannedLine.fiscal_year))
    )
    return {year: int(total or 0) for year, total in (await session.exec(query)).all()}


async def historical_by_year(
    session: AsyncSession, first: int, last: int, programmes: list[str]
) -> dict[int, dict[str, tuple[int, int]]]:
    """Historical records' households and persons per fiscal year and programme."""
    query = (
        select(
            HistoricalAchievement.fiscal_year,
            HistoricalAchievement.programme,
            func.sum(HistoricalAchievement.households),
            func.sum(HistoricalAchievement.persons),
        )
        .where(
            HistoricalAchievement.fiscal_year >= first,
            HistoricalAchievement.fiscal_year <= last,
            *_programmes(col(HistoricalAchievement.programme), programmes),
        )
        .group_by(col(HistoricalAchievement.fiscal_year), col(HistoricalAchievement.programme))
    )
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for year, programme, households, persons in (await session.exec(query)).all():
        found[year][programme] = (int(households or 0), int(persons or 0))
    return found


async def completed_between(
    session: AsyncSession, starts_at: datetime, ends_at: datetime, programmes: list[str]
) -> dict[str, tuple[int, int]]:
    """Households whose house was completed in the span (and their persons), per
    programme, dated as /v1/reports/cumulative dates them."""
    completed: Any = func.coalesce(
        col(HouseholdProgress.completion_dated), col(HouseholdProgress.completed_at)
    )
    programme = col(HouseholdProgress.programme)
    query = (
        select(
            programme,
            func.count(),
            func.sum(func.coalesce(col(HouseholdProgress.household_size), 0)),
        )
        .where(completed >= starts_at, completed < ends_at, *_programmes(programme, programmes))
        .group_by(programme)
    )
    return {
        name: (int(households or 0), int(persons or 0))
        for name, households, persons in (await session.exec(query)).all()
    }

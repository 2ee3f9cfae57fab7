"""All SQL of the long view: historical records, and what the platform counted."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from reporting.cumulative.models import HistoricalAchievement, PlaceKind
from reporting.projections.models import HouseholdProgress


async def existing(
    session: AsyncSession, keys: list[tuple[str, int, str, str]]
) -> dict[tuple[str, int, str, str], HistoricalAchievement]:
    found = {}
    years = sorted({key[1] for key in keys})
    query = select(HistoricalAchievement).where(col(HistoricalAchievement.fiscal_year).in_(years))
    wanted = set(keys)
    for row in (await session.exec(query)).all():
        key = (row.programme, row.fiscal_year, str(row.place_kind), row.place_key)
        if key in wanted:
            found[key] = row
    return found


async def count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(HistoricalAchievement))).one()


@dataclass
class Places:
    households: int = 0
    persons: int = 0
    places: dict[PlaceKind, set[str]] = field(default_factory=lambda: defaultdict(set))


async def historical(
    session: AsyncSession, from_year: int, to_year: int, principal: Principal
) -> dict[str, Places]:
    columns: list[Any] = [
        HistoricalAchievement.programme,
        HistoricalAchievement.place_kind,
        HistoricalAchievement.place_key,
        func.sum(HistoricalAchievement.households),
        func.sum(HistoricalAchievement.persons),
    ]
    query = select(*columns).where(
        HistoricalAchievement.fiscal_year >= from_year,
        HistoricalAchievement.fiscal_year <= to_year,
    )
    if not principal.all_areas:
        # Records without a province are the country's: not within any one area.
        query = query.where(
            area_filter(principal, province=col(HistoricalAchievement.province_code))
        )
    query = query.group_by(
        col(HistoricalAchievement.programme),
        col(HistoricalAchievement.place_kind),
        col(HistoricalAchievement.place_key),
    )
    result: dict[str, Places] = defaultdict(Places)
    for programme, kind, key, households, persons in (await session.exec(query)).all():
        places = result[programme]
        places.households += int(households or 0)
        places.persons += int(persons or 0)
        places.places[PlaceKind(kind)].add(key)
    return result


async def platform(
    session: AsyncSession, starts_at: datetime, ends_at: datetime, principal: Principal
) -> dict[str, Places]:
    """Households whose house was completed in the span, per programme, with the distinct
    sub-districts and communities they live in (a homeless centre is a community)."""
    completed: Any = func.coalesce(
        col(HouseholdProgress.completion_dated), col(HouseholdProgress.completed_at)
    )
    where = [
        completed >= starts_at,
        completed < ends_at,
        area_filter(
            principal,
            province=HouseholdProgress.province_code,
            district=HouseholdProgress.district_code,
            subdistrict=HouseholdProgress.subdistrict_code,
        ),
    ]
    programme = col(HouseholdProgress.programme)
    result: dict[str, Places] = defaultdict(Places)
    totals = select(
        programme,
        func.count(),
        func.sum(func.coalesce(col(HouseholdProgress.household_size), 0)),
    ).where(*where)
    for name, households, persons in (await session.exec(totals.group_by(programme))).all():
        result[name].households = int(households or 0)
        result[name].persons = int(persons or 0)
    for kind, column in (
        (PlaceKind.SUBDISTRICT, col(HouseholdProgress.subdistrict_code)),
        (PlaceKind.COMMUNITY, col(HouseholdProgress.community_id)),
    ):
        query = select(programme, column).where(*where, column.is_not(None)).distinct()
        for name, place in (await session.exec(query)).all():
            result[name].places[kind].add(str(place))
    return result

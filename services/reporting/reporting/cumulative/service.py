"""The long view: historical records added to what the platform counted.

Each record is one programme × fiscal year × place (a community, a tambon, a centre,
or a label where the help has no place, as emergency help). Loading a record with
the same key replaces it, so a file loaded twice counts once. The report counts
places distinct over both sources (a tambon by its official code, a community by
its key: the platform's community id when the record names it), and households or
persons by the programme's unit (the homeless programme counts persons).
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.clock import utcnow
from baan_shared.errors import Forbidden, Unprocessable, field_error
from baan_shared.reference import Programme
from reporting.cumulative import repository
from reporting.cumulative.models import HistoricalAchievement, PlaceKind
from reporting.cumulative.repository import Places
from reporting.cumulative.schemas import (
    CumulativeReport,
    CumulativeRow,
    HistoricalAchievementSet,
    HistoricalAchievementsLoaded,
    HistoricalAchievementsSet,
    Reached,
)
from reporting.geography import AreaLevel, area_names, office_map
from reporting.periods import FiscalPeriod

COUNTS_PERSONS = frozenset({Programme.HOMELESS.value})
"""Programmes whose reach is counted in persons, not households (DOMAIN.md)."""


def _problems(index: int, item: HistoricalAchievementSet) -> list[dict[str, Any]]:
    at = f"body.items.{index}"
    found = []
    provinces = office_map().provinces
    if item.place_kind == PlaceKind.SUBDISTRICT:
        name, _ = area_names(AreaLevel.SUBDISTRICT, item.place_key)
        if not item.place_key.isdigit() or len(item.place_key) != 6 or name is None:
            found.append(
                {
                    "field": f"{at}.place_key",
                    "value": item.place_key,
                    "reason": "a tambon is named by its official 6-digit code; no sub-district "
                    "has this one",
                    "code": "unknown-area",
                }
            )
        elif item.province_code is not None and item.province_code != item.place_key[:2]:
            found.append(
                {
                    "field": f"{at}.province_code",
                    "value": item.province_code,
                    "reason": f"tambon {item.place_key} is in province {item.place_key[:2]}",
                    "code": "area",
                }
            )
    if item.province_code is not None and item.province_code not in provinces:
        found.append(
            {
                "field": f"{at}.province_code",
                "value": item.province_code,
                "reason": "unknown province code (official 2-digit code, e.g. 57)",
                "code": "unknown-area",
            }
        )
    return found


def _key(item: HistoricalAchievementSet) -> tuple[str, int, str, str]:
    return (item.programme.value, item.fiscal_year, item.place_kind.value, item.place_key)


async def load(
    session: AsyncSession, body: HistoricalAchievementsSet, principal: Principal
) -> HistoricalAchievementsLoaded:
    if not principal.all_areas:
        raise Forbidden(
            f"client {principal.client_id!r} is bound to areas; only a national client "
            "loads historical achievements",
            errors=[field_error("body.items", "national clients only", "area")],
        )
    problems: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    for index, item in enumerate(body.items):
        problems += _problems(index, item)
        key = _key(item)
        if key in seen:
            problems.append(
                {
                    "field": f"body.items.{index}",
                    "value": "/".join(map(str, key)),
                    "reason": f"same programme, year and place as body.items.{seen[key]}",
                    "code": "duplicate",
                }
            )
        seen.setdefault(key, index)
    if problems:
        raise Unprocessable("Some records are not valid; nothing was loaded", errors=problems)
    rows = await repository.existing(session, list(seen))
    now = utcnow()
    for item in body.items:
        row = rows.get(_key(item))
        values = item.model_dump(mode="json")
        if item.place_kind == PlaceKind.SUBDISTRICT:
            values["province_code"] = item.place_key[:2]
        if row is None:
            row = HistoricalAchievement(**values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        row.updated_at = now
        session.add(row)
    await session.flush()
    return HistoricalAchievementsLoaded(
        loaded=len(body.items), records=await repository.count(session)
    )


def _reached(places: Places, centres_from_communities: bool) -> Reached:
    communities = places.places[PlaceKind.COMMUNITY]
    return Reached(
        communities=0 if centres_from_communities else len(communities),
        tambons=len(places.places[PlaceKind.SUBDISTRICT]),
        centres=len(places.places[PlaceKind.CENTRE])
        + (len(communities) if centres_from_communities else 0),
        households=places.households,
        persons=places.persons,
    )


async def cumulative(
    session: AsyncSession, from_year: int, to_year: int, principal: Principal
) -> CumulativeReport:
    if to_year < from_year:
        reason = f"the last fiscal year comes before the first ({from_year})"
        raise Unprocessable(
            reason,
            errors=[field_error("query.to_year", reason, "range", value=to_year)],
        )
    history = await repository.historical(session, from_year, to_year, principal)
    counted = await repository.platform(
        session,
        FiscalPeriod(from_year).starts_at,
        FiscalPeriod(to_year).ends_at,
        principal,
    )
    rows = []
    for programme in Programme:
        past, ours = history.get(programme.value), counted.get(programme.value)
        if past is None and ours is None:
            continue
        past, ours = past or Places(), ours or Places()
        homeless = programme.value in COUNTS_PERSONS
        # A homeless centre is registered on the platform as a community of its own.
        centres = past.places[PlaceKind.CENTRE] | (
            ours.places[PlaceKind.COMMUNITY] if homeless else set()
        )
        communities = past.places[PlaceKind.COMMUNITY] | (
            set() if homeless else ours.places[PlaceKind.COMMUNITY]
        )
        households = past.households + ours.households
        persons = past.persons + ours.persons
        rows.append(
            CumulativeRow(
                programme=programme.value,
                unit="persons" if homeless else "households",
                reached=persons if homeless else households,
                communities=len(communities),
                tambons=len(
                    past.places[PlaceKind.SUBDISTRICT] | ours.places[PlaceKind.SUBDISTRICT]
                ),
                centres=len(centres),
                households=households,
                persons=persons,
                historical=_reached(past, centres_from_communities=False),
                platform=_reached(ours, centres_from_communities=homeless),
            )
        )
    return CumulativeReport(
        from_year=from_year, to_year=to_year, rows=rows, total=sum(row.reached for row in rows)
    )

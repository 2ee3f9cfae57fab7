"""All SQL about households."""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, false, func, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.reference import Programme
from survey.households import priority
from survey.households.listing import (
    Cursor,
    HouseholdFilters,
    Sort,
    after_cursor,
    priority_expression,
    sort_column,
)
from survey.households.models import (
    Household,
    HouseholdEdit,
    HouseholdMember,
    HouseholdStatus,
    HouseholdTransition,
)


async def get(
    session: AsyncSession, household_id: uuid.UUID, *, for_update: bool = False
) -> Household | None:
    query = select(Household).where(Household.id == household_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def approved_with_national_id(
    session: AsyncSession, national_id: str, *, excluding: uuid.UUID
) -> Household | None:
    query = select(Household).where(
        Household.national_id == national_id,
        Household.status == HouseholdStatus.APPROVED,
        Household.id != excluding,
    )
    return (await session.exec(query)).first()


async def get_many(
    session: AsyncSession, household_ids: list[uuid.UUID], *, for_update: bool = False
) -> list[Household]:
    """These households, locked in id order so two meetings' batches cannot deadlock."""
    query = (
        select(Household).where(col(Household.id).in_(household_ids)).order_by(col(Household.id))
    )
    if for_update:
        query = query.with_for_update()
    return list((await session.exec(query)).all())


async def approved_by_national_id(
    session: AsyncSession, national_ids: list[str]
) -> dict[str, Household]:
    """The approved household for each of these national IDs that has one."""
    if not national_ids:
        return {}
    query = select(Household).where(
        col(Household.national_id).in_(national_ids),
        Household.status == HouseholdStatus.APPROVED,
    )
    return {h.national_id: h for h in (await session.exec(query)).all()}


def _vulnerable_counts() -> Any:
    """Per household, how many members are elderly, young, disabled or chronically ill."""
    return (
        select(HouseholdMember.household_id, func.count().label("n"))
        .where(
            or_(
                col(HouseholdMember.age) >= 60,
                col(HouseholdMember.age) < 6,
                col(HouseholdMember.disability),
                col(HouseholdMember.chronic_illness),
            )
        )
        .group_by(col(HouseholdMember.household_id))
        .subquery()
    )


def _filtered(query: Any, filters: HouseholdFilters) -> Any:
    if filters.status is not None:
        query = query.where(Household.status == filters.status)
    if filters.programme is not None:
        query = query.where(Household.programme == filters.programme)
    if filters.province_code is not None:
        query = query.where(Household.province_code == filters.province_code)
    if filters.district_code is not None:
        query = query.where(Household.district_code == filters.district_code)
    if filters.subdistrict_code is not None:
        query = query.where(Household.subdistrict_code == filters.subdistrict_code)
    if filters.community_id is not None:
        query = query.where(Household.community_id == filters.community_id)
    if filters.survey_round_id is not None:
        query = query.where(Household.survey_round_id == filters.survey_round_id)
    if filters.possible_duplicate is not None:
        query = query.where(Household.possible_duplicate == filters.possible_duplicate)
    if filters.text:
        query = query.where(
            or_(
                col(Household.head_name).contains(filters.text, autoescape=True),
                col(Household.village).contains(filters.text, autoescape=True),
                col(Household.notes).contains(filters.text, autoescape=True),
            )
        )
    return query


async def page(
    session: AsyncSession,
    filters: HouseholdFilters,
    *,
    sort: Sort,
    after: Cursor | None,
    limit: int,
    principal: Principal,
    weights: Mapping[Programme, priority.Weights] | None = None,
) -> list[tuple[Household, Any]]:
    """A page of households in ``sort`` order, each with its sort key for the next cursor."""
    vulnerable = _vulnerable_counts()
    score = priority_expression(func.coalesce(vulnerable.c.n, 0), weights or {})
    key = sort_column(sort, score)
    id_order = col(Household.id).desc() if sort.descending else col(Household.id).asc()
    query = select(Household, key.label("sort_key"))
    if sort.key == "priority":
        query = query.outerjoin(vulnerable, vulnerable.c.household_id == Household.id)
    query = _filtered(query, filters).where(
        area_filter(
            principal,
            province=Household.province_code,
            district=Household.district_code,
            subdistrict=Household.subdistrict_code,
        )
    )
    if after is not None:
        query = query.where(after_cursor(key, sort, after))
    query = query.order_by(key.desc() if sort.descending else key.asc(), id_order).limit(limit)
    return [(household, value) for household, value in (await session.exec(query)).all()]


async def transitions(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdTransition]:
    query = (
        select(HouseholdTransition)
        .where(HouseholdTransition.household_id == household_id)
        # Time-ordered ids: the order decisions were entered, even when a committee
        # meeting's date is earlier than a decision entered before it.
        .order_by(col(HouseholdTransition.id))
    )
    return list((await session.exec(query)).all())


async def get_with_members(
    session: AsyncSession, household_id: uuid.UUID
) -> tuple[Household, list[HouseholdMember]] | None:
    """The household and its members in survey order, in one statement (one round trip
    on the hot read path, not two)."""
    query = (
        select(Household, HouseholdMember)
        .outerjoin(HouseholdMember, col(HouseholdMember.household_id) == col(Household.id))
        .where(Household.id == household_id)
        .order_by(col(HouseholdMember.position))
    )
    rows = (await session.exec(query)).all()
    if not rows:
        return None
    return rows[0][0], [member for _, member in rows if member is not None]


async def members(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdMember]:
    query = (
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household_id)
        .order_by(col(HouseholdMember.position))
    )
    return list((await session.exec(query)).all())


async def member(
    session: AsyncSession, household_id: uuid.UUID, member_id: uuid.UUID
) -> HouseholdMember | None:
    query = select(HouseholdMember).where(
        HouseholdMember.id == member_id, HouseholdMember.household_id == household_id
    )
    return (await session.exec(query)).first()


async def edits(session: AsyncSession, household_id: uuid.UUID) -> list[HouseholdEdit]:
    query = (
        select(HouseholdEdit)
        .where(HouseholdEdit.household_id == household_id)
        .order_by(col(HouseholdEdit.id))
    )
    return list((await session.exec(query)).all())


async def possible_duplicates(
    session: AsyncSession, household: Household, principal: Principal | None = None
) -> list[Household]:
    """Other households with the same head name and address but another national ID.

    Without a ``principal`` (the service flagging look-alikes) every area counts;
    a caller sees only the look-alikes in its own areas.
    """
    if household.duplicate_key is None:
        return []
    query = (
        select(Household)
        .where(
            Household.duplicate_key == household.duplicate_key,
            Household.national_id != household.national_id,
            Household.id != household.id,
        )
        .order_by(col(Household.id))
    )
    if principal is not None:
        query = query.where(
            area_filter(
                principal,
                province=Household.province_code,
                district=Household.district_code,
                subdistrict=Household.subdistrict_code,
            )
        )
    return list((await session.exec(query)).all())


async def rankable(
    session: AsyncSession,
    *,
    status: HouseholdStatus,
    programme: Programme | None,
    province_code: str | None,
    subdistrict_code: str | None,
    principal: Principal,
) -> list[tuple[Household, int]]:
    """Households in ``status`` with how many of their members are vulnerable."""
    vulnerable = _vulnerable_counts()
    query = (
        select(Household, func.coalesce(vulnerable.c.n, 0))
        .outerjoin(vulnerable, vulnerable.c.household_id == Household.id)
        .where(Household.status == status)
        .where(
            area_filter(
                principal,
                province=Household.province_code,
                district=Household.district_code,
                subdistrict=Household.subdistrict_code,
            )
        )
    )
    if programme is not None:
        query = query.where(Household.programme == programme)
    if province_code is not None:
        query = query.where(Household.province_code == province_code)
    if subdistrict_code is not None:
        query = query.where(Household.subdistrict_code == subdistrict_code)
    return [(household, int(n)) for household, n in (await session.exec(query)).all()]


async def insert_new(
    session: AsyncSession,
    household: dict[str, Any],
    transition: dict[str, Any],
    members: list[dict[str, Any]],
) -> bool:
    """A new household, its first transition and its members; whether it looks like
    another household (same key, another national ID), in which case it and its
    look-alikes are flagged. On PostgreSQL one statement does the flagging, the
    household and its transition (data-modifying CTEs: their foreign key is checked
    at the statement's end); elsewhere a look-up first and plain inserts."""
    connection = await session.connection()
    key = household["duplicate_key"]
    if connection.dialect.name == "postgresql":
        others = (col(Household.duplicate_key) == key) & (
            col(Household.national_id) != household["national_id"]
        )
        first_transition = (
            insert(HouseholdTransition)
            .values(**transition)
            .returning(col(HouseholdTransition.id))
            .cte("first_transition")
        )
        if key is None:  # no key (no name or place to compare): no look-alikes
            statement = insert(Household).values(**household, possible_duplicate=false())
            statement = statement.add_cte(first_transition)
        else:
            flagged = (
                update(Household)
                .where(others, ~col(Household.possible_duplicate))
                .values(possible_duplicate=True)
                .returning(col(Household.id))
                .cte("flagged")
            )
            statement = insert(Household).values(
                **household, possible_duplicate=exists().where(others)
            )
            statement = statement.add_cte(flagged, first_transition)
        statement = statement.returning(col(Household.possible_duplicate))
        possible_duplicate = bool((await connection.execute(statement)).scalar_one())
    else:
        others_found: list[tuple[uuid.UUID, bool]] = []
        if key is not None:
            query = select(Household.id, Household.possible_duplicate).where(
                Household.duplicate_key == key,
                Household.national_id != household["national_id"],
            )
            others_found = [(row[0], row[1]) for row in (await session.exec(query)).all()]
        possible_duplicate = bool(others_found)
        unflagged = [other for other, already in others_found if not already]
        if unflagged:
            await connection.execute(
                update(Household)
                .where(col(Household.id).in_(unflagged))
                .values(possible_duplicate=True)
            )
        await connection.execute(
            insert(Household), {**household, "possible_duplicate": possible_duplicate}
        )
        await connection.execute(insert(HouseholdTransition), transition)
    if members:
        await connection.execute(insert(HouseholdMember), members)
    return possible_duplicate


async def flag_duplicate_keys(session: AsyncSession, keys: list[str]) -> None:
    """Flag every household sharing one of these keys with another national ID."""
    if not keys:
        return
    shared_query = (
        select(Household.duplicate_key)
        .where(col(Household.duplicate_key).in_(keys))
        .group_by(col(Household.duplicate_key))
        .having(func.count(func.distinct(Household.national_id)) > 1)
    )
    # Two statements, not UPDATE ... IN (subquery): PostgreSQL plans the self-referencing
    # form as a scan of the whole table, once per import batch.
    shared = list((await session.exec(shared_query)).all())
    if not shared:
        return
    await (await session.connection()).execute(
        update(Household)
        .where(col(Household.duplicate_key).in_(shared), ~col(Household.possible_duplicate))
        .values(possible_duplicate=True)
    )

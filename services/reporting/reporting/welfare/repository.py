"""All SQL about welfare: the projector's writes and the reports' sums and pages."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Uuid, case, func, or_, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.db import one_of
from reporting.sql import in_areas, satang_sum
from reporting.welfare.models import (
    WelfareBenefit,
    WelfareFund,
    WelfareFundYear,
    WelfareMember,
    WelfareMovement,
)

# --- writing ---------------------------------------------------------------------------


async def _insert_if_missing(
    session: AsyncSession, table: type[Any], values: Mapping[str, Any], keys: list[str]
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row is new."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    result = await (await session.connection()).execute(statement)
    return bool(result.rowcount)


async def lock_fund(
    session: AsyncSession, fund_id: uuid.UUID, first_seen: Mapping[str, Any]
) -> WelfareFund:
    """The fund's summary row, made from ``first_seen`` (its area) if this is the first
    event about it (a member's may come before the fund's own); locked."""
    await _insert_if_missing(
        session,
        WelfareFund,
        {"welfare_fund_id": fund_id, "name": "", "kind": "", **first_seen},
        ["welfare_fund_id"],
    )
    query = select(WelfareFund).where(WelfareFund.welfare_fund_id == fund_id).with_for_update()
    return (await session.exec(query.execution_options(populate_existing=True))).one()


async def lock_fund_year(
    session: AsyncSession, fund: WelfareFund, fiscal_year: int
) -> WelfareFundYear:
    await _insert_if_missing(
        session,
        WelfareFundYear,
        {
            "welfare_fund_id": fund.welfare_fund_id,
            "fiscal_year": fiscal_year,
            "province_code": fund.province_code,
            "district_code": fund.district_code,
            "subdistrict_code": fund.subdistrict_code,
        },
        ["welfare_fund_id", "fiscal_year"],
    )
    query = (
        select(WelfareFundYear)
        .where(
            WelfareFundYear.welfare_fund_id == fund.welfare_fund_id,
            WelfareFundYear.fiscal_year == fiscal_year,
        )
        .with_for_update()
    )
    return (await session.exec(query.execution_options(populate_existing=True))).one()


async def lock_funds(
    session: AsyncSession, first_seen: Mapping[uuid.UUID, Mapping[str, Any]]
) -> dict[uuid.UUID, WelfareFund]:
    """What ``lock_fund`` does for each of ``first_seen``'s funds, in two statements: the
    missing rows inserted and all of them locked, in key order (two batches about the
    same funds cannot deadlock)."""
    ids = sorted(first_seen)
    rows = [{"welfare_fund_id": i, "name": "", "kind": "", **first_seen[i]} for i in ids]
    await insert_new(session, WelfareFund, rows, ["welfare_fund_id"])
    query = (
        select(WelfareFund)
        .where(col(WelfareFund.welfare_fund_id).in_(ids))
        .order_by(col(WelfareFund.welfare_fund_id))
        .with_for_update()
    )
    found = (await session.exec(query.execution_options(populate_existing=True))).all()
    return {fund.welfare_fund_id: fund for fund in found}


async def lock_fund_years(
    session: AsyncSession,
    funds: Mapping[uuid.UUID, WelfareFund],
    keys: Sequence[tuple[uuid.UUID, int]],
) -> dict[tuple[uuid.UUID, int], WelfareFundYear]:
    """What ``lock_fund_year`` does for each (fund, fiscal year) of ``keys``, in two
    statements, locked in key order."""
    keys = sorted(set(keys))
    rows = [
        {
            "welfare_fund_id": fund_id,
            "fiscal_year": fiscal_year,
            "province_code": funds[fund_id].province_code,
            "district_code": funds[fund_id].district_code,
            "subdistrict_code": funds[fund_id].subdistrict_code,
        }
        for fund_id, fiscal_year in keys
    ]
    await insert_new(session, WelfareFundYear, rows, ["welfare_fund_id", "fiscal_year"])
    key = tuple_(col(WelfareFundYear.welfare_fund_id), col(WelfareFundYear.fiscal_year))
    query = (
        select(WelfareFundYear)
        .where(key.in_(keys))
        .order_by(col(WelfareFundYear.welfare_fund_id), col(WelfareFundYear.fiscal_year))
        .with_for_update()
    )
    found = (await session.exec(query.execution_options(populate_existing=True))).all()
    return {(year.welfare_fund_id, year.fiscal_year): year for year in found}


async def record_movement(session: AsyncSession, values: Mapping[str, Any]) -> bool:
    """True when the movement is new (a replayed one is never counted again)."""
    return await _insert_if_missing(session, WelfareMovement, values, ["movement_id"])


async def record_benefit(session: AsyncSession, values: Mapping[str, Any]) -> bool:
    return await _insert_if_missing(session, WelfareBenefit, values, ["claim_id"])


async def benefits_of(
    session: AsyncSession, member_id: uuid.UUID, fiscal_year: int | None = None
) -> int:
    """How many benefits the member was paid (in that fiscal year)."""
    query = select(func.count()).where(WelfareBenefit.member_id == member_id)
    if fiscal_year is not None:
        query = query.where(WelfareBenefit.fiscal_year == fiscal_year)
    return int((await session.exec(query)).one())


async def lock_member(session: AsyncSession, member_id: uuid.UUID) -> WelfareMember | None:
    query = select(WelfareMember).where(WelfareMember.member_id == member_id).with_for_update()
    return (await session.exec(query)).first()


async def existing(session: AsyncSession, key: Any, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` are already in ``key``'s table (``key``: its id column)."""
    found: set[uuid.UUID] = set()
    for among in await one_of(session, key, sorted(set(ids)), Uuid()):
        found.update((await session.exec(select(key).where(among))).all())
    return found


async def benefit_years(
    session: AsyncSession, member_ids: Sequence[uuid.UUID]
) -> set[tuple[uuid.UUID, int]]:
    """The fiscal years in which each of ``member_ids`` was paid a benefit."""
    found: set[tuple[uuid.UUID, int]] = set()
    key = col(WelfareBenefit.member_id)
    for among in await one_of(session, key, sorted(set(member_ids)), Uuid()):
        query = select(key, col(WelfareBenefit.fiscal_year)).where(among).distinct()
        found.update((member, year) for member, year in (await session.exec(query)).all())
    return found


async def insert_new(
    session: AsyncSession, table: type[Any], rows: Sequence[Mapping[str, Any]], keys: list[str]
) -> None:
    """Rows known to be new, as one executemany (SQLAlchemy sends it as multi-row
    INSERTs from one cached statement; ``.values(rows)`` compiled a statement of its own
    per call, about 0.7 ms a row); one that is not new after all is left alone."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=keys)
    await (await session.connection()).execute(statement, list(rows))


# --- reading ---------------------------------------------------------------------------


def _where(
    table: Any,
    principal: Principal | None,
    province_codes: list[str] | None,
    district_code: str | None = None,
    subdistrict_code: str | None = None,
) -> list[ColumnElement[bool]]:
    conditions = [in_areas(principal, table)]
    if province_codes is not None:
        conditions.append(col(table.province_code).in_(province_codes))
    if district_code is not None:
        conditions.append(col(table.district_code) == district_code)
    if subdistrict_code is not None:
        conditions.append(col(table.subdistrict_code) == subdistrict_code)
    return conditions


FUND_TOTALS = (
    "contributions_satang",
    "agency_match_satang",
    "local_match_satang",
    "other_income_satang",
    "benefits_paid_satang",
    "balance_satang",
)


async def fund_sums(
    session: AsyncSession,
    *,
    area: str,
    principal: Principal | None,
    province_codes: list[str] | None,
) -> list[dict[str, Any]]:
    """Per official area (``area``: a code column's name): funds, members, people helped,
    benefits and the books' totals now, from the funds' summary rows."""
    key = getattr(WelfareFund, area)
    columns: list[Any] = [
        key,
        func.count(),
        satang_sum(WelfareFund.members),
        satang_sum(WelfareFund.people_helped),
        satang_sum(WelfareFund.benefits),
        *(satang_sum(getattr(WelfareFund, name)) for name in FUND_TOTALS),
    ]
    query = select(*columns).where(*_where(WelfareFund, principal, province_codes))
    rows = (await session.exec(query.group_by(key))).all()
    names = ("area_code", "funds", "members", "people_helped", "benefits", *FUND_TOTALS)
    return [dict(zip(names, row, strict=True)) for row in rows]


YEAR_FLOWS = (
    "contributions_satang",
    "agency_match_satang",
    "local_match_satang",
    "other_income_satang",
    "benefits_paid_satang",
    "members_joined",
    "members_ended",
    "people_helped",
    "benefits",
)


async def year_sums(
    session: AsyncSession,
    *,
    area: str,
    fiscal_year: int,
    principal: Principal | None,
    province_codes: list[str] | None,
) -> list[dict[str, Any]]:
    """Per official area: the flows of ``fiscal_year`` and the flows of every year up to
    it (``*_to_date``: the balance and members at the year's end)."""
    key = getattr(WelfareFundYear, area)
    year = col(WelfareFundYear.fiscal_year)
    columns: list[Any] = [key]
    for name in YEAR_FLOWS:
        column = getattr(WelfareFundYear, name)
        columns.append(satang_sum(case((year == fiscal_year, column), else_=0)))
    for name in YEAR_FLOWS:
        columns.append(satang_sum(getattr(WelfareFundYear, name)))
    query = (
        select(*columns)
        .where(*_where(WelfareFundYear, principal, province_codes))
        .where(year <= fiscal_year)
    )
    rows = (await session.exec(query.group_by(key))).all()
    names = ("area_code", *YEAR_FLOWS, *(f"{n}_to_date" for n in YEAR_FLOWS))
    return [dict(zip(names, row, strict=True)) for row in rows]


async def funds_registered_by(
    session: AsyncSession,
    *,
    area: str,
    fiscal_year: int,
    principal: Principal | None,
    province_codes: list[str] | None,
) -> dict[str, int]:
    key = getattr(WelfareFund, area)
    query = (
        select(key, func.count())
        .where(*_where(WelfareFund, principal, province_codes))
        .where(
            or_(
                col(WelfareFund.registered_fiscal_year).is_(None),
                col(WelfareFund.registered_fiscal_year) <= fiscal_year,
            )
        )
    )
    rows = (await session.exec(query.group_by(key))).all()
    return {str(code): int(n) for code, n in rows}


async def funds_page(
    session: AsyncSession,
    *,
    principal: Principal | None,
    province_codes: list[str] | None,
    district_code: str | None,
    subdistrict_code: str | None,
    registered_by: int | None,
    after: uuid.UUID | None,
    limit: int,
) -> tuple[int, list[WelfareFund]]:
    conditions = _where(WelfareFund, principal, province_codes, district_code, subdistrict_code)
    if registered_by is not None:
        year = col(WelfareFund.registered_fiscal_year)
        conditions.append(or_(year.is_(None), year <= registered_by))
    count = (
        await session.exec(select(func.count()).select_from(WelfareFund).where(*conditions))
    ).one()
    query = select(WelfareFund).where(*conditions)
    if after is not None:
        query = query.where(col(WelfareFund.welfare_fund_id) > after)
    query = query.order_by(col(WelfareFund.welfare_fund_id)).limit(limit)
    return int(count), list((await session.exec(query)).all())


def _members_where(
    measure: str,
    fiscal_year: int | None,
    fund_id: uuid.UUID | None,
    conditions: list[ColumnElement[bool]],
) -> Any:
    """Members counted (holding at the fiscal year's end, or now) or helped."""
    if measure == "people_helped":
        helped = select(WelfareBenefit.member_id)
        if fiscal_year is not None:
            helped = helped.where(WelfareBenefit.fiscal_year == fiscal_year)
        if fund_id is not None:
            helped = helped.where(WelfareBenefit.welfare_fund_id == fund_id)
        conditions = [*conditions, col(WelfareMember.member_id).in_(helped)]
    elif fiscal_year is None:
        conditions = [*conditions, col(WelfareMember.status).in_(["active", "lapsed"])]
    if fund_id is not None:
        conditions = [*conditions, col(WelfareMember.welfare_fund_id) == fund_id]
    return conditions


async def members_page(
    session: AsyncSession,
    *,
    measure: str,
    fiscal_year: int | None,
    year_end: Any,
    fund_id: uuid.UUID | None,
    principal: Principal | None,
    province_codes: list[str] | None,
    district_code: str | None,
    subdistrict_code: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> tuple[int, list[WelfareMember]]:
    conditions = _where(WelfareMember, principal, province_codes, district_code, subdistrict_code)
    conditions = _members_where(measure, fiscal_year, fund_id, conditions)
    if measure == "members" and fiscal_year is not None:
        conditions = [
            *conditions,
            col(WelfareMember.joined_on) <= year_end,
            or_(col(WelfareMember.ended_on).is_(None), col(WelfareMember.ended_on) > year_end),
        ]
    count = (
        await session.exec(select(func.count()).select_from(WelfareMember).where(*conditions))
    ).one()
    query = select(WelfareMember).where(*conditions)
    if after is not None:
        query = query.where(col(WelfareMember.member_id) > after)
    query = query.order_by(col(WelfareMember.member_id)).limit(limit)
    return int(count), list((await session.exec(query)).all())

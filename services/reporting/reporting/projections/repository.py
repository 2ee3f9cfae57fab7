"""All SQL about the projections: upserts for the projectors, aggregates for the reports.

Events of one household arrive on three streams that several consumers may
apply at once, so a projector never assumes its row exists: it inserts the row
if missing (``ON CONFLICT DO NOTHING``, on PostgreSQL and SQLite alike) and
then locks it, which serialises the events of one household. The reports
aggregate in the database (``GROUP BY`` with ``CASE``), never row by row.
"""

import functools
import typing
import uuid
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, case, func
from sqlalchemy import Enum as SAEnum
from sqlalchemy import select as select_core
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.clock import utcnow
from baan_shared.db import one_of, update_rows
from reporting.periods import Month
from reporting.projections import rows, summaries
from reporting.projections.models import (
    APPROVED_OR_BEYOND,
    COUNTRY_LEVEL,
    MAIN_PATH,
    NO_CODE,
    NO_COMMUNITY,
    PROVINCE_LEVEL,
    SUBDISTRICT_LEVEL,
    AchievementSummary,
    BudgetMoney,
    GrantProgress,
    HouseholdProgress,
    LoanMoney,
    PlaceSummary,
    ProgressSummary,
    ProjectionState,
    ReachSummary,
    Stage,
)
from reporting.projections.rows import GrantRow, HouseholdRow
from reporting.projections.stage import latest
from reporting.projections.stage_sql import heard_of_by, stage_at
from reporting.projections.summaries import COUNTS_AS_APPROVED, COUNTS_AS_STARTED
from reporting.sql import in_areas, satang_sum

APPROVED_OR_BEYOND_ORDERED = MAIN_PATH[1:]

# --- writing ---------------------------------------------------------------------------


def _insert_if_missing(
    session: AsyncSession, table: type[Any], values: Mapping[str, Any], keys: list[str]
) -> Insert:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


async def _insert_many_if_missing(
    session: AsyncSession, table: type[Any], rows: list[dict[str, Any]], keys: list[str]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING of many rows: one Core executemany on the
    session's connection (a statement compiled once, not one giant VALUES list)."""
    if session.get_bind().dialect.name == "postgresql" and len(keys) == 1 and rows:
        columns = list(rows[0])
        values = [tuple(row[c] for c in columns) for row in rows]
        await _upsert_arrays(session, table.__table__, keys[0], columns, values, update=False)
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table.__table__).on_conflict_do_nothing(index_elements=keys)
    connection = await session.connection()
    await connection.execute(statement, rows)


_PG = postgresql.dialect()
_ARRAY_TYPES: dict[str, dict[str, str]] = {}


def _array_types(table: Table) -> dict[str, str]:
    """Each column's PostgreSQL array type (``VARCHAR(32)[]``), for ``unnest``."""
    if table.name not in _ARRAY_TYPES:
        _ARRAY_TYPES[table.name] = {
            c.name: f"{c.type.compile(dialect=_PG)}[]" for c in table.columns
        }
    return _ARRAY_TYPES[table.name]


async def _upsert_arrays(
    session: AsyncSession,
    table: Table,
    key: str,
    columns: list[str],
    values: list[tuple[Any, ...]],
    *,
    update: bool,
    returning: bool = False,
) -> list[Any]:
    """PostgreSQL: ``values`` (tuples of ``columns``, each key once) inserted, or on
    ``key``'s conflict left alone or (``update``) overwritten, in one statement with
    one array parameter per column (``INSERT ... SELECT * FROM unnest(...)``): the
    driver encodes the arrays, where an executemany bound every value of every row
    through SQLAlchemy. The table is the one SQLAlchemy would write to (through the
    connection's schema_translate_map, as the rebuild's shadow tables are). With
    ``returning``: the keys of the rows inserted."""
    if not values:
        return []
    # The defaults of the columns left out, as an INSERT would fill them in.
    defaults = [c for c in table.columns if c.name not in columns and c.default is not None]
    if defaults:
        if not all(c.default.is_scalar for c in defaults):  # type: ignore[union-attr]
            raise ValueError(f"{table.name}: a left-out column has a default to compute")
        columns = [*columns, *(c.name for c in defaults)]
        constants = tuple(c.default.arg for c in defaults)  # type: ignore[union-attr]
        values = [(*row, *constants) for row in values]
    connection = await session.connection()
    sync = connection.sync_connection
    translate = sync.get_execution_options().get("schema_translate_map") if sync else None
    schema = translate.get(table.schema, table.schema) if translate else table.schema
    name = f'"{schema}"."{table.name}"' if schema else f'"{table.name}"'
    types = _array_types(table)
    arrays = ", ".join(f"${n}::{types[c]}" for n, c in enumerate(columns, start=1))
    names = ", ".join(f'"{c}"' for c in columns)
    statement = (
        f'INSERT INTO {name} ({names}) SELECT * FROM unnest({arrays}) ON CONFLICT ("{key}") '
    )
    if update:
        statement += "DO UPDATE SET " + ", ".join(
            f'"{c}" = EXCLUDED."{c}"' for c in columns if c != key
        )
    else:
        statement += "DO NOTHING"
    if returning:
        statement += f' RETURNING "{key}"'
    enums = _enum_columns(table)
    parameters = tuple(
        [None if v is None else v.value for v in column] if c in enums else list(column)
        for c, column in zip(columns, zip(*values, strict=True), strict=True)
    )
    result = await connection.exec_driver_sql(statement, parameters)
    return [row[0] for row in result.all()] if returning else []


@functools.cache
def _enum_columns(table: Table) -> frozenset[str]:
    """Columns stored by an enum's value (``db.enum_type``)."""
    return frozenset(c.name for c in table.columns if isinstance(c.type, SAEnum))


async def _insert_households_if_missing(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> set[uuid.UUID]:
    """INSERT ... ON CONFLICT DO NOTHING of households; the ids this statement created
    (RETURNING names only the rows inserted, not those another transaction had: the
    summary rows count a household from its creation on, exactly once)."""
    table = HouseholdProgress.__table__
    if session.get_bind().dialect.name == "postgresql":
        columns = list(rows[0]) if rows else []
        created_ids = await _upsert_arrays(
            session,
            table,
            "household_id",
            columns,
            [tuple(row[c] for c in columns) for row in rows],
            update=False,
            returning=True,
        )
        return set(created_ids)
    statement = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["household_id"])
        .returning(table.c.household_id)
    )
    connection = await session.connection()
    created = await connection.execute(statement, rows)
    return {row[0] for row in created.all()}


async def lock_household(
    session: AsyncSession, household_id: uuid.UUID, *, first_seen: Mapping[str, Any]
) -> tuple[HouseholdProgress, bool]:
    """The household's row, created from ``first_seen`` if this is its first event; locked.
    True if this call created it."""
    values = {
        "household_id": household_id,
        "stage": Stage.SURVEYED,
        "updated_at": utcnow(),
        **first_seen,
    }
    created = await _insert_households_if_missing(session, [values])
    query = (
        select(HouseholdProgress)
        .where(HouseholdProgress.household_id == household_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).one(), household_id in created


async def _create_missing_households(
    session: AsyncSession, ids: list[uuid.UUID], first_seen: Mapping[uuid.UUID, Mapping[str, Any]]
) -> set[uuid.UUID]:
    """Each of ``ids`` created from its ``first_seen`` if missing; the ids created."""
    now = utcnow()
    values = [
        {"household_id": hid, "stage": Stage.SURVEYED, "updated_at": now, **first_seen[hid]}
        for hid in ids
    ]
    return await _insert_households_if_missing(session, values)


async def lock_households(
    session: AsyncSession, first_seen: Mapping[uuid.UUID, Mapping[str, Any]]
) -> tuple[dict[uuid.UUID, HouseholdProgress], set[uuid.UUID]]:
    """Many households' rows at once, each created from its ``first_seen`` if missing;
    locked in key order (two batches sharing households then never deadlock). With
    them, the ids of those this call created."""
    ids = sorted(first_seen)
    created = await _create_missing_households(session, ids, first_seen)
    query = (
        select(HouseholdProgress)
        .where(col(HouseholdProgress.household_id).in_(ids))
        .order_by(col(HouseholdProgress.household_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.household_id: row for row in (await session.exec(query)).all()}, created


async def lock_grants_of(
    session: AsyncSession, first_seen: Mapping[uuid.UUID, Mapping[str, Any]]
) -> list[GrantProgress]:
    """Every grant of the households these grants belong to (their money is the sum),
    the named ones created if missing; locked in key order."""
    values = [{"grant_id": gid, **first_seen[gid]} for gid in sorted(first_seen)]
    await _insert_many_if_missing(session, GrantProgress, values, ["grant_id"])
    households = {v["household_id"] for v in first_seen.values()}
    query = (
        select(GrantProgress)
        .where(col(GrantProgress.household_id).in_(households))
        .order_by(col(GrantProgress.grant_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(query)).all())


def _dialect(session: AsyncSession) -> Any:
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


async def household_rows(
    session: AsyncSession, first_seen: Mapping[uuid.UUID, Mapping[str, Any]]
) -> tuple[dict[uuid.UUID, HouseholdRow], set[uuid.UUID]]:
    """``lock_households`` without ORM objects: the rows as plain ``HouseholdRow``s,
    read with one Core SELECT (locked in key order), and the ids this call created.

    The rows are read first and only the missing ones inserted (then read): past its
    first event a household exists, so most batches need no insert at all."""
    ids = sorted(first_seen)
    found = await _locked_rows(session, rows.HOUSEHOLDS, "household_id", ids, "household_id")
    households = {r[0]: HouseholdRow(*r) for r in found}
    missing = [hid for hid in ids if hid not in households]
    if not missing:
        return households, set()
    # Created here or, meanwhile, by another transaction: read and locked either way.
    created = await _create_missing_households(session, missing, first_seen)
    found = await _locked_rows(session, rows.HOUSEHOLDS, "household_id", missing, "household_id")
    households.update((r[0], HouseholdRow(*r)) for r in found)
    return households, created


async def households_if_any(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, HouseholdRow]:
    """Those of ``ids`` whose rows exist, as plain ``HouseholdRow``s (locked)."""
    found = await _locked_rows(session, rows.HOUSEHOLDS, "household_id", ids, "household_id")
    return {r[0]: HouseholdRow(*r) for r in found}


async def grants_of_households(
    session: AsyncSession, household_ids: list[uuid.UUID]
) -> list[GrantRow]:
    """Every grant of these households, as plain ``GrantRow``s (locked)."""
    found = await _locked_rows(session, rows.GRANTS, "household_id", household_ids, "grant_id")
    return [GrantRow(*r) for r in found]


async def grant_rows_of(
    session: AsyncSession, first_seen: Mapping[uuid.UUID, Mapping[str, Any]]
) -> list[GrantRow]:
    """``lock_grants_of`` without ORM objects: every grant of these grants' households
    as plain ``GrantRow``s, the named ones created if missing; locked in key order."""
    values = [{"grant_id": gid, **first_seen[gid]} for gid in sorted(first_seen)]
    await _insert_many_if_missing(session, GrantProgress, values, ["grant_id"])
    households = {v["household_id"] for v in first_seen.values()}
    found = await _locked_rows(session, rows.GRANTS, "household_id", households, "grant_id")
    return [GrantRow(*r) for r in found]


async def _locked_rows(
    session: AsyncSession, table: Table, column: str, keys: Iterable[Any], order: str
) -> list[tuple[Any, ...]]:
    """``table``'s rows whose ``column`` is one of ``keys``, as column tuples, locked in
    ``order`` (every batch locks in the same order, so two never wait on each other)."""
    found: list[tuple[Any, ...]] = []
    # On PostgreSQL one array parameter: one statement, prepared once, however many
    # keys (an IN list is a new statement for every count, parsed and planned again).
    for among in await one_of(session, table.c[column], list(keys), table.c[column].type):
        query = select_core(table).where(among).order_by(table.c[order]).with_for_update()
        connection = await session.connection()
        found.extend(tuple(row) for row in await connection.execute(query))
    return found


def _write_back(session: AsyncSession, table: Table, key: str) -> Any:
    statement = _dialect(session).insert(table)
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != key},
    )


async def write_households(
    session: AsyncSession,
    households: Iterable[HouseholdRow],
    *,
    read: Mapping[uuid.UUID, tuple[Any, ...]] | None = None,
) -> None:
    """Write plain household rows back: one statement for all of them. Given the rows
    as they were ``read`` (``rows.household_tuple``, keyed by id), on PostgreSQL only
    the rows that changed, and of them only the columns that changed in any (an
    approval moves a handful of a row's 28 columns: the driver then encodes that many
    arrays, not all); otherwise every column (INSERT ... ON CONFLICT DO UPDATE)."""
    if session.get_bind().dialect.name == "postgresql":
        every = [rows.household_tuple(row) for row in households]
        columns = list(rows.HOUSEHOLD_COLUMNS)
        if read is None:
            await _upsert_arrays(
                session, rows.HOUSEHOLDS, "household_id", columns, every, update=True
            )
            return
        changed = [now for now in every if read.get(now[0]) != now]
        if not changed:
            return
        then = list(zip(*(read.get(now[0]) or (None,) * len(now) for now in changed), strict=True))
        now_ = list(zip(*changed, strict=True))
        moved = [i for i in range(1, len(columns)) if then[i] != now_[i]]
        await update_rows(
            session,
            rows.HOUSEHOLDS,
            columns[0],
            [columns[i] for i in moved],
            list(zip(*(now_[i] for i in (0, *moved)), strict=True)),
        )
        return
    values = [rows.household_values(row) for row in households]
    if values:
        connection = await session.connection()
        await connection.execute(_write_back(session, rows.HOUSEHOLDS, "household_id"), values)


async def write_grants(session: AsyncSession, grants: Iterable[GrantRow]) -> None:
    """Write plain grant rows back, like ``write_households``."""
    if session.get_bind().dialect.name == "postgresql":
        every = [rows.grant_tuple(grant) for grant in grants]
        columns = list(rows.GRANT_COLUMNS)
        await _upsert_arrays(session, rows.GRANTS, "grant_id", columns, every, update=True)
        return
    values = [rows.grant_values(grant) for grant in grants]
    if values:
        connection = await session.connection()
        await connection.execute(_write_back(session, rows.GRANTS, "grant_id"), values)


async def lock_grant(
    session: AsyncSession, grant_id: uuid.UUID, *, household_id: uuid.UUID, seen_at: datetime
) -> GrantProgress:
    values = {"grant_id": grant_id, "household_id": household_id, "last_event_time": seen_at}
    await session.exec(_insert_if_missing(session, GrantProgress, values, ["grant_id"]))
    query = (
        select(GrantProgress)
        .where(GrantProgress.grant_id == grant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).one()


async def _lock(
    session: AsyncSession, table: type[Any], key: str, value: Any, first_seen: Mapping[str, Any]
) -> Any:
    await session.exec(_insert_if_missing(session, table, {key: value, **first_seen}, [key]))
    query = (
        select(table)
        .where(getattr(table, key) == value)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).one()


async def lock_budget(
    session: AsyncSession, budget_id: uuid.UUID, *, first_seen: Mapping[str, Any]
) -> BudgetMoney:
    budget: BudgetMoney = await _lock(session, BudgetMoney, "budget_id", budget_id, first_seen)
    return budget


async def lock_loan(
    session: AsyncSession, loan_id: uuid.UUID, *, first_seen: Mapping[str, Any]
) -> LoanMoney:
    loan: LoanMoney = await _lock(session, LoanMoney, "loan_id", loan_id, first_seen)
    return loan


async def grant_money(session: AsyncSession, household_id: uuid.UUID) -> tuple[int, int]:
    """(approved, disbursed) satang over all of a household's grants."""
    query = select(
        func.coalesce(func.sum(GrantProgress.amount_satang), 0),
        func.coalesce(func.sum(GrantProgress.disbursed_satang), 0),
    ).where(GrantProgress.household_id == household_id)
    approved, disbursed = (await session.exec(query)).one()
    return int(approved), int(disbursed)


async def save(session: AsyncSession, *rows: Any) -> None:
    session.add_all(rows)
    await session.flush()


# A batch of events applied in one transaction (the rebuild's catch-up) moves each
# stream's high-water mark once at its end instead of once per event: the mark is
# one row per stream, so per-event updates were a third of a replay's statements.
_batched_marks: ContextVar[dict[tuple[str, str], tuple[datetime, int]] | None] = ContextVar(
    "batched_marks", default=None
)


@asynccontextmanager
async def high_water_marks_per_batch(session: AsyncSession) -> AsyncIterator[None]:
    """Within this block ``record_applied`` only collects; the marks are written at its end."""
    marks: dict[tuple[str, str], tuple[datetime, int]] = {}
    token = _batched_marks.set(marks)
    try:
        yield
    finally:
        _batched_marks.reset(token)
    for (projection, stream), (event_time, count) in marks.items():
        await _move_mark(session, projection, stream, event_time, count)


async def record_applied(
    session: AsyncSession,
    *,
    projection: str,
    stream: str,
    event_time: datetime,
    events: int = 1,
) -> None:
    """Move the projection's high-water mark on ``stream``: the ``as_of`` of its reports
    (``events`` applied, the latest at ``event_time``)."""
    marks = _batched_marks.get()
    if marks is not None:
        seen, count = marks.get((projection, stream), (event_time, 0))
        marks[(projection, stream)] = (max(seen, event_time), count + events)
        return
    await _move_mark(session, projection, stream, event_time, events)


async def _move_mark(
    session: AsyncSession, projection: str, stream: str, event_time: datetime, events: int
) -> None:
    now = utcnow()
    values = {
        "projection": projection,
        "stream": stream,
        "last_event_time": event_time,
        "last_applied_at": now,
        "events_applied": 0,
    }
    await session.exec(
        _insert_if_missing(session, ProjectionState, values, ["projection", "stream"])
    )
    query = (
        select(ProjectionState)
        .where(ProjectionState.projection == projection, ProjectionState.stream == stream)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    state = (await session.exec(query)).one()
    state.last_event_time = latest(state.last_event_time, event_time) or event_time
    state.last_applied_at = now
    state.events_applied += events
    await save(session, state)


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaFilter:
    programme: str | None = None
    province_code: str | None = None
    fiscal_year: int | None = None
    principal: Principal | None = None
    """The caller: only households in its areas count (None: internal, every area)."""
    approved_from: datetime | None = None
    approved_before: datetime | None = None
    """A half of the fiscal year: only households the committee approved (as it dated
    the approval) at or after ``approved_from`` and before ``approved_before``."""
    stage_at: datetime | None = None
    """Where households stood at this moment (None: now): only households heard of by
    then count, each at the stage it was at then."""


@dataclass(frozen=True)
class AreaCounts:
    """Households of one programme in one province, by stage, and their money."""

    programme: str
    province_code: str
    surveyed: int
    approved: int
    ready_to_build: int
    under_construction: int
    completed: int
    waitlisted: int
    rejected: int
    cancelled: int
    grant_approved_satang: int
    grant_disbursed_satang: int


def household_conditions(where: AreaFilter) -> list[ColumnElement[bool]]:
    """The households a progress or funnel report counts (and its drill-down lists)."""
    conditions = covered(where.principal)
    if where.programme is not None:
        conditions.append(col(HouseholdProgress.programme) == where.programme)
    if where.province_code is not None:
        conditions.append(col(HouseholdProgress.province_code) == where.province_code)
    if where.fiscal_year is not None:
        conditions.append(col(HouseholdProgress.fiscal_year) == where.fiscal_year)
    if where.approved_from is not None and where.approved_before is not None:
        approved = _dated(HouseholdProgress.approval_dated, HouseholdProgress.approved_at)
        conditions.append(_in(approved, where.approved_from, where.approved_before))
    if where.stage_at is not None:
        conditions.append(heard_of_by(where.stage_at))
    return conditions


def stage_of_households(where: AreaFilter) -> ColumnElement[Any]:
    """The stage a report counts a household at: now, or at ``where.stage_at``."""
    if where.stage_at is None:
        return typing.cast(ColumnElement[Any], col(HouseholdProgress.stage))
    return stage_at(where.stage_at)


def _households_in(stages: Collection[Stage]) -> ColumnElement[Any]:
    return func.sum(case((col(HouseholdProgress.stage).in_(list(stages)), 1), else_=0))


def summary_level(principal: Principal | None, district_code: str | None = None) -> str:
    """Which summary rows a query sums: the province rows when the caller's areas are
    whole provinces (or the country) and no district is asked for; else the
    sub-district rows, which the caller's areas filter like households."""
    if district_code is None and (
        principal is None or principal.all_areas or all(len(a) == 2 for a in principal.areas)
    ):
        return PROVINCE_LEVEL
    return SUBDISTRICT_LEVEL


def _summary_areas(principal: Principal | None, table: Any, level: str) -> list[Any]:
    conditions: list[Any] = [col(table.area_level) == level]
    if principal is not None:
        if level == PROVINCE_LEVEL:
            conditions.append(area_filter(principal, province=col(table.province_code)))
        else:
            conditions.append(
                area_filter(
                    principal,
                    province=col(table.province_code),
                    district=col(table.district_code),
                    subdistrict=col(table.subdistrict_code),
                )
            )
    return conditions


def _progress_summary_conditions(where: AreaFilter) -> list[Any] | None:
    """The summary rows behind ``where``; None when summaries cannot answer it (stages at
    a past moment, or approval dates that are not a half of the fiscal year asked)."""
    if where.stage_at is not None:
        return None
    conditions = _summary_areas(where.principal, ProgressSummary, summary_level(where.principal))
    if where.programme is not None:
        conditions.append(col(ProgressSummary.programme) == where.programme)
    if where.province_code is not None:
        conditions.append(col(ProgressSummary.province_code) == where.province_code)
    # One kind of row only: each household is in its half's, its year's and every
    # year's rows (``summaries.EVERY``).
    half = summaries.EVERY
    if where.approved_from is not None and where.approved_before is not None:
        if where.fiscal_year is None:
            return None
        half = summaries.approval_half(where.fiscal_year, where.approved_from)
        if half == 0 or summaries.half_bounds(where.fiscal_year, half) != (
            where.approved_from,
            where.approved_before,
        ):
            return None
    year = summaries.EVERY if where.fiscal_year is None else where.fiscal_year
    conditions.append(col(ProgressSummary.fiscal_year) == year)
    conditions.append(col(ProgressSummary.approval_half) == half)
    return conditions


async def counts_by_area(session: AsyncSession, where: AreaFilter) -> list[AreaCounts]:
    conditions = _progress_summary_conditions(where)
    if conditions is not None:
        return await _counts_by_area_from_summaries(session, conditions)
    return await counts_by_area_from_households(session, where)


async def _counts_by_area_from_summaries(
    session: AsyncSession, conditions: list[Any]
) -> list[AreaCounts]:
    summary = ProgressSummary
    programme, province = col(summary.programme), col(summary.province_code)
    households = func.sum(col(summary.households))
    columns: list[Any] = [
        programme,
        province,
        households,
        func.sum(sum((col(getattr(summary, s.value)) for s in APPROVED_OR_BEYOND_ORDERED), 0)),
        *(
            func.sum(col(getattr(summary, s.value)))
            for s in (
                Stage.READY_TO_BUILD,
                Stage.UNDER_CONSTRUCTION,
                Stage.COMPLETED,
                Stage.WAITLISTED,
                Stage.REJECTED,
                Stage.CANCELLED,
            )
        ),
        satang_sum(summary.grant_amount_satang),
        satang_sum(summary.disbursed_satang),
    ]
    query = (
        select(*columns)
        .where(*conditions)
        .group_by(programme, province)
        .having(households > 0)
        .order_by(programme, province)
    )
    rows = (await session.exec(query)).all()
    return [AreaCounts(row[0], row[1], *(int(n or 0) for n in row[2:])) for row in rows]


async def counts_by_area_from_households(
    session: AsyncSession, where: AreaFilter
) -> list[AreaCounts]:
    """The progress report's counts over every household (the summaries' oracle)."""
    programme, province = col(HouseholdProgress.programme), col(HouseholdProgress.province_code)
    columns: list[Any] = [
        programme,
        province,
        func.count(),
        _households_in(APPROVED_OR_BEYOND),
        _households_in([Stage.READY_TO_BUILD]),
        _households_in([Stage.UNDER_CONSTRUCTION]),
        _households_in([Stage.COMPLETED]),
        _households_in([Stage.WAITLISTED]),
        _households_in([Stage.REJECTED]),
        _households_in([Stage.CANCELLED]),
        satang_sum(HouseholdProgress.grant_amount_satang),
        satang_sum(HouseholdProgress.disbursed_satang),
    ]
    query = (
        select(*columns)
        .where(*household_conditions(where))
        .group_by(programme, province)
        .order_by(programme, province)
    )
    rows = (await session.exec(query)).all()
    return [AreaCounts(row[0], row[1], *(int(n or 0) for n in row[2:])) for row in rows]


async def households_by_stage(session: AsyncSession, where: AreaFilter) -> dict[Stage, int]:
    conditions = _progress_summary_conditions(where)
    if conditions is None:
        return await households_by_stage_from_households(session, where)
    columns = [func.sum(col(getattr(ProgressSummary, stage.value))) for stage in Stage]
    row = (await session.exec(select(*columns).where(*conditions))).one()
    return {stage: int(n) for stage, n in zip(Stage, row, strict=True) if n}


async def households_by_stage_from_households(
    session: AsyncSession, where: AreaFilter
) -> dict[Stage, int]:
    """The funnel's counts over every household (the summaries' oracle)."""
    # Grouped outside a subquery: PostgreSQL cannot match a CASE with bound parameters
    # in the SELECT list to the same CASE in GROUP BY (each gets its own placeholders).
    inner = (
        select(stage_of_households(where).label("stage_then"))
        .where(*household_conditions(where))
        .subquery()
    )
    stage = inner.c.stage_then
    query = select(stage, func.count()).group_by(stage)
    return {Stage(row[0]): int(row[1]) for row in (await session.exec(query)).all()}


async def stream_states(session: AsyncSession) -> list[ProjectionState]:
    """Every projection's high-water mark per stream (each stream feeds one projection)."""
    query = select(ProjectionState).order_by(col(ProjectionState.stream))
    return list((await session.exec(query)).all())


# --- achievements in a period ------------------------------------------------------------
# What counts as achieved in a period, by the date the source gave each milestone
# (a committee's meeting, the day building started or ended):
# approved: the (latest) approval falls in it and the household was not set aside since
#   (waitlisted, rejected); a house cancelled later still counts as approved;
# started: construction started in it and was not cancelled since;
# completed: the house was completed in it.

ACHIEVEMENTS = ("approved", "started", "completed")


@dataclass(frozen=True)
class AchievementFilter:
    starts_at: datetime
    ends_at: datetime
    programme: str | None = None
    province_codes: Collection[str] | None = None
    district_code: str | None = None
    principal: Principal | None = None
    """The caller: only households in its areas count (None: internal, every area)."""


def covered(principal: Principal | None) -> list[ColumnElement[bool]]:
    """The caller's areas as a WHERE clause on the households (ADR 0003): filtering in
    the query, before any GROUP BY, so no total can include another area's households."""
    if principal is None:
        return []
    return [
        area_filter(
            principal,
            province=HouseholdProgress.province_code,
            district=HouseholdProgress.district_code,
            subdistrict=HouseholdProgress.subdistrict_code,
        )
    ]


@dataclass(frozen=True)
class Achieved:
    """Households (and distinct sub-districts, distinct communities, and persons) that
    reached each milestone in the period; ``*_reached``: distinct sub-districts and
    communities with a household that reached any of them (coverage)."""

    programme: str
    area_code: str | None
    approved: int
    started: int
    completed: int
    approved_subdistricts: int
    started_subdistricts: int
    completed_subdistricts: int
    approved_communities: int
    started_communities: int
    completed_communities: int
    approved_persons: int
    started_persons: int
    completed_persons: int
    subdistricts_reached: int = 0
    communities_reached: int = 0


def _in(moment: ColumnElement[Any], starts_at: datetime, ends_at: datetime) -> ColumnElement[bool]:
    return (moment >= starts_at) & (moment < ends_at)


def _dated(dated: Any, recorded: Any) -> ColumnElement[Any]:
    # Rows projected before the dates were kept have only the event time.
    return func.coalesce(col(dated), col(recorded))


def achieved_conditions(starts_at: datetime, ends_at: datetime) -> list[ColumnElement[bool]]:
    stage = col(HouseholdProgress.stage)
    approved = _dated(HouseholdProgress.approval_dated, HouseholdProgress.approved_at)
    started = _dated(HouseholdProgress.start_dated, HouseholdProgress.started_at)
    completed = _dated(HouseholdProgress.completion_dated, HouseholdProgress.completed_at)
    return [
        _in(approved, starts_at, ends_at) & stage.in_(COUNTS_AS_APPROVED),
        _in(started, starts_at, ends_at) & stage.in_(COUNTS_AS_STARTED),
        _in(completed, starts_at, ends_at),
    ]


def _achievement_where(where: AchievementFilter) -> list[ColumnElement[bool]]:
    conditions = covered(where.principal)
    if where.programme is not None:
        conditions.append(col(HouseholdProgress.programme) == where.programme)
    if where.province_codes is not None:
        conditions.append(col(HouseholdProgress.province_code).in_(list(where.province_codes)))
    if where.district_code is not None:
        conditions.append(col(HouseholdProgress.district_code) == where.district_code)
    reached = achieved_conditions(where.starts_at, where.ends_at)
    conditions.append(reached[0] | reached[1] | reached[2])
    return conditions


MAX_SUMMED_MONTHS = 240
"""Periods longer than this (20 years) are counted over the households."""


def whole_months(starts_at: datetime, ends_at: datetime) -> list[date] | None:
    """The calendar months (Thai time, their first days) that make up [starts_at,
    ends_at); None if the period is not made of whole months."""
    months: list[date] = []
    month = Month(summaries.month_of(starts_at))
    if month.starts_at != starts_at:
        return None
    while month.starts_at < ends_at and len(months) <= MAX_SUMMED_MONTHS:
        months.append(month.first_day)
        month = Month(summaries.month_of(month.ends_at))
    if month.starts_at != ends_at or len(months) > MAX_SUMMED_MONTHS:
        return None
    return months


async def achieved_by_area(
    session: AsyncSession, where: AchievementFilter, group_by: str
) -> list[Achieved]:
    """Achievements per programme × area; ``group_by`` is province, district or subdistrict.
    From the place summaries when the period is whole calendar months (Thai time)."""
    months = whole_months(where.starts_at, where.ends_at)
    if months is None:
        return await achieved_by_area_from_households(session, where, group_by)
    length, firsts = _place_periods(months)
    if len(firsts) == 1:
        return await _achieved_by_area_from_reach(session, where, group_by, length, firsts[0])
    return await _achieved_by_area_from_places(session, where, group_by, months)


def _place_periods(months: list[date]) -> tuple[int, list[date]]:
    """The place rows that make up these months: one of a fiscal year or a half of it,
    else one per month (``summaries.periods_of``)."""
    first = months[0]
    for length in (12, 6):
        if len(months) == length and summaries.periods_of(first)[2 if length == 12 else 1] == (
            first,
            length,
        ):
            return length, [first]
    return 1, months


async def _achieved_by_area_from_reach(
    session: AsyncSession, where: AchievementFilter, group_by: str, length: int, first: date
) -> list[Achieved]:
    """Achievements per programme × area in one period (a month, a half or a fiscal
    year: ``summaries.periods_of``) from ``reach_summary``: a few rows per area."""
    reach = ReachSummary
    level = summary_level(where.principal, where.district_code)
    if group_by != "province":
        level = SUBDISTRICT_LEVEL
    conditions = _summary_areas(where.principal, reach, level)
    conditions += [col(reach.months) == length, col(reach.month) == first]
    if where.programme is not None:
        conditions.append(col(reach.programme) == where.programme)
    if where.province_codes is not None:
        conditions.append(col(reach.province_code).in_(list(where.province_codes)))
    if where.district_code is not None:
        conditions.append(col(reach.district_code) == where.district_code)
    area = col(getattr(reach, f"{group_by}_code"))
    measure = col(reach.measure)

    def of(name: str, value: Any) -> Any:
        return func.sum(case((measure == name, value), else_=0))

    columns: list[Any] = [
        col(reach.programme),
        area,
        *(of(m, col(reach.households)) for m in ACHIEVEMENTS),
        *(of(m, col(reach.subdistricts)) for m in ACHIEVEMENTS),
        *(of(m, col(reach.communities)) for m in ACHIEVEMENTS),
        *(of(m, col(reach.persons)) for m in ACHIEVEMENTS),
        of(summaries.ANY, col(reach.subdistricts)),
        of(summaries.ANY, col(reach.communities)),
    ]
    query = (
        select(*columns)
        .where(*conditions)
        .group_by(col(reach.programme), area)
        # Areas with a place that reached anything, as over the places.
        .having(of(summaries.ANY, col(reach.places)) > 0)
        .order_by(col(reach.programme), area)
    )
    rows = (await session.exec(query)).all()
    return [Achieved(row[0], row[1] or None, *(int(n or 0) for n in row[2:])) for row in rows]


async def _achieved_by_area_from_places(
    session: AsyncSession, where: AchievementFilter, group_by: str, months: list[date]
) -> list[Achieved]:
    """Each place's (community's) households per measure in the period, then per
    programme × area: sums, and distinct places with a household (n > 0)."""
    place = PlaceSummary
    length, firsts = _place_periods(months)
    conditions: list[Any] = [
        col(place.months) == length,
        col(place.month).in_(firsts),
        in_areas(where.principal, place),
    ]
    if where.programme is not None:
        conditions.append(col(place.programme) == where.programme)
    if where.province_codes is not None:
        conditions.append(col(place.province_code).in_(list(where.province_codes)))
    if where.district_code is not None:
        conditions.append(col(place.district_code) == where.district_code)
    keys: list[Any] = [
        col(place.programme),
        col(place.province_code),
        col(place.district_code),
        col(place.subdistrict_code),
        col(place.community_id),
        col(place.measure),
    ]
    sums: list[Any] = [
        func.sum(col(place.households)).label("n"),
        func.sum(col(place.persons)).label("p"),
    ]
    # Summed over the periods and slots first: a slot may hold a negative count (a
    # household that left a cell in another partition's batch), a place's sum never.
    inner = select(*keys, *sums).where(*conditions).group_by(*keys).subquery()
    area = inner.c[f"{group_by}_code"]
    subdistrict = case((inner.c.subdistrict_code != NO_CODE, inner.c.subdistrict_code))
    community = case((inner.c.community_id != NO_COMMUNITY, inner.c.community_id))

    def of(measure: str, value: Any) -> Any:
        return case((inner.c.measure == measure, value))

    columns: list[Any] = [
        inner.c.programme,
        area,
        *(func.sum(of(m, inner.c.n)) for m in ACHIEVEMENTS),
        *(func.count(func.distinct(of(m, subdistrict))) for m in ACHIEVEMENTS),
        *(func.count(func.distinct(of(m, community))) for m in ACHIEVEMENTS),
        *(func.sum(of(m, inner.c.p)) for m in ACHIEVEMENTS),
        func.count(func.distinct(subdistrict)),
        func.count(func.distinct(community)),
    ]
    query = (
        select(*columns)
        .where(inner.c.n > 0)
        .group_by(inner.c.programme, area)
        .order_by(inner.c.programme, area)
    )
    rows = (await session.exec(query)).all()
    return [Achieved(row[0], row[1] or None, *(int(n or 0) for n in row[2:])) for row in rows]


async def achieved_by_area_from_households(
    session: AsyncSession, where: AchievementFilter, group_by: str
) -> list[Achieved]:
    """Achievements per programme × area over every household (the summaries' oracle)."""
    area = {
        "province": col(HouseholdProgress.province_code),
        "district": col(HouseholdProgress.district_code),
        "subdistrict": col(HouseholdProgress.subdistrict_code),
    }[group_by]
    programme = col(HouseholdProgress.programme)
    subdistrict = col(HouseholdProgress.subdistrict_code)
    community = col(HouseholdProgress.community_id)
    persons = func.coalesce(col(HouseholdProgress.household_size), 0)
    reached = achieved_conditions(where.starts_at, where.ends_at)
    columns: list[Any] = [
        programme,
        area,
        *(func.sum(case((cond, 1), else_=0)) for cond in reached),
        *(func.count(func.distinct(case((cond, subdistrict), else_=None))) for cond in reached),
        *(func.count(func.distinct(case((cond, community), else_=None))) for cond in reached),
        *(func.sum(case((cond, persons), else_=0)) for cond in reached),
        # The WHERE keeps households that reached any milestone in the period.
        func.count(func.distinct(subdistrict)),
        func.count(func.distinct(community)),
    ]
    query = (
        select(*columns)
        .where(*_achievement_where(where))
        .group_by(programme, area)
        .order_by(programme, area)
    )
    rows = (await session.exec(query)).all()
    return [Achieved(row[0], row[1], *(int(n or 0) for n in row[2:])) for row in rows]


async def achieved_by_month(
    session: AsyncSession, where: AchievementFilter, months: list[tuple[datetime, datetime]]
) -> list[tuple[int, int, int]]:
    """(approved, started, completed) households in each month, one query for all months:
    from the achievement summaries when the months are calendar months (Thai time), for
    a national caller asking for every province from the country's ``reach_summary``
    rows (the same households, a row per programme, measure and month)."""
    firsts = [summaries.month_of(starts_at) for starts_at, _ends_at in months]
    if not months or any(
        (Month(first).starts_at, Month(first).ends_at) != bounds
        for first, bounds in zip(firsts, months, strict=True)
    ):
        return await achieved_by_month_from_households(session, where, months)
    national = (where.principal is None or where.principal.all_areas) and (
        where.province_codes is None and where.district_code is None
    )
    summary: Any = AchievementSummary
    if national:  # the country's rows: a few per month, however many provinces count
        summary = ReachSummary
        conditions = [col(summary.area_level) == COUNTRY_LEVEL, col(summary.months) == 1]
    else:
        level = summary_level(where.principal, where.district_code)
        conditions = _summary_areas(where.principal, summary, level)
    conditions.append(col(summary.month).in_(sorted(set(firsts))))
    if where.programme is not None:
        conditions.append(col(summary.programme) == where.programme)
    if where.province_codes is not None:
        conditions.append(col(summary.province_code).in_(list(where.province_codes)))
    if where.district_code is not None:
        conditions.append(col(summary.district_code) == where.district_code)
    query = (
        select(col(summary.month), col(summary.measure), func.sum(col(summary.households)))
        .where(*conditions)
        .group_by(col(summary.month), col(summary.measure))
    )
    found = {(row[0], row[1]): int(row[2] or 0) for row in (await session.exec(query)).all()}
    return [
        (
            found.get((first, "approved"), 0),
            found.get((first, "started"), 0),
            found.get((first, "completed"), 0),
        )
        for first in firsts
    ]


async def achieved_by_month_from_households(
    session: AsyncSession, where: AchievementFilter, months: list[tuple[datetime, datetime]]
) -> list[tuple[int, int, int]]:
    """The monthly series over every household (the summaries' oracle)."""
    columns: list[Any] = []
    for starts_at, ends_at in months:
        columns += [
            func.sum(case((cond, 1), else_=0)) for cond in achieved_conditions(starts_at, ends_at)
        ]
    row = (await session.exec(select(*columns).where(*_achievement_where(where)))).one()
    values = [int(n or 0) for n in row]
    return [(values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), 3)]

"""Summary rows kept beside the households: what each household adds to them, and the
deltas a change of households makes.

A household's *contribution* is a pure function of its row: one progress cell per
area level (its programme, area, fiscal year, approval half and stage; its money)
and one achievement cell per milestone it counts for (programme, area, measure,
month). A projector takes the contributions of the rows it locked before applying
events (nothing for a row it has just created) and after, and adds the difference
to the summary tables with one upsert per table (``col = col + excluded.col``, in
key order so two batches never deadlock). Integers only: counts and satang. Each
partition's batches add to rows of their own (``slot``): every batch touches its
province's rows, and sharing them made each partition wait for the others' commits.

``recompute`` builds them set-based from a household table (one INSERT ... SELECT
... GROUP BY per table and level). The full rebuild replays into shadow tables with
the deltas ``deferred`` (no summary work per batch), recomputes the shadow summaries
once at the end of the replay, and applies the last events inside the swap with the
deltas on again. The migration that added the tables fills them the same way.
"""

import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.bus.consumer import consumed_from
from reporting.periods import BANGKOK, FiscalPeriod, PeriodKind
from reporting.projections.models import (
    APPROVED_OR_BEYOND,
    NO_CODE,
    PROVINCE_LEVEL,
    SUBDISTRICT_LEVEL,
    AchievementSummary,
    HouseholdProgress,
    ProgressSummary,
    Stage,
    as_utc,
)

# What counts as achieved in a month (see ``repository``'s achievements): approved and
# not set aside since; started and not cancelled since; completed.
COUNTS_AS_APPROVED = [*APPROVED_OR_BEYOND, Stage.CANCELLED]
COUNTS_AS_STARTED = [Stage.UNDER_CONSTRUCTION, Stage.COMPLETED]
MEASURES = ("approved", "started", "completed")

PROGRESS: Table = ProgressSummary.__table__
ACHIEVEMENT: Table = AchievementSummary.__table__
PROGRESS_KEY = (
    "area_level",
    "programme",
    "province_code",
    "district_code",
    "subdistrict_code",
    "fiscal_year",
    "approval_half",
)
STAGE_COLUMNS = tuple(stage.value for stage in Stage)
PROGRESS_VALUES = ("households", *STAGE_COLUMNS, "grant_amount_satang", "disbursed_satang")
ACHIEVEMENT_KEY = (
    "area_level",
    "programme",
    "province_code",
    "district_code",
    "subdistrict_code",
    "measure",
    "month",
)
ACHIEVEMENT_VALUES = ("households", "persons")

_deferred: ContextVar[bool] = ContextVar("summaries_deferred", default=False)


@contextmanager
def deferred() -> Iterator[None]:
    """Within this block the projectors leave the summary rows alone: the caller
    recomputes them (``recompute``) before anyone reads them."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def kept() -> bool:
    """Whether the projectors keep the summary rows now (not ``deferred``)."""
    return not _deferred.get()


SLOTS = 8
"""Rows per summary cell at most: a report sums up to this many per cell."""


def slot() -> int:
    """The slot this task's deltas go to: one per partition of a stream (0 outside a
    consumer), so a stream's partitions, applied concurrently, never share a row."""
    source = consumed_from()
    if source is None:
        return 0
    topic, partition = source
    return (zlib.crc32(topic.encode()) + partition) % SLOTS


EVERY = -1
"""A progress row's ``fiscal_year`` or ``approval_half`` that sums all of them: each
household counts in its year's half, its whole year (half EVERY) and every year (both
EVERY), so a report over all years reads one row per programme and area, and a
report over one year one row per programme, area and year."""

Cell = tuple[str, tuple[Any, ...]]
"""A summary row: its table's name and its key."""
Contribution = dict[Cell, tuple[int, ...]]


@lru_cache(maxsize=256)
def _halves(fiscal_year: int) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    first, second = (
        FiscalPeriod(fiscal_year, PeriodKind.H1),
        FiscalPeriod(fiscal_year, PeriodKind.H2),
    )
    return (first.starts_at, first.ends_at), (second.starts_at, second.ends_at)


def half_bounds(fiscal_year: int, half: int) -> tuple[datetime, datetime]:
    """[start, end) of half 1 or 2 of ``fiscal_year``."""
    return _halves(fiscal_year)[half - 1]


def approval_half(fiscal_year: int | None, approved: datetime | None) -> int:
    """1 or 2: the half of ``fiscal_year`` the approval is dated in; 0 if none or outside."""
    if fiscal_year is None or approved is None:
        return 0
    for half, (starts_at, ends_at) in enumerate(_halves(fiscal_year), start=1):
        if starts_at <= approved < ends_at:
            return half
    return 0


def month_of(moment: datetime) -> date:
    """The first day of the month ``moment`` falls in, Thai time."""
    return moment.astimezone(BANGKOK).date().replace(day=1)


def _areas(row: HouseholdProgress) -> list[tuple[str, str, str, str]]:
    district, subdistrict = row.district_code or NO_CODE, row.subdistrict_code or NO_CODE
    return [
        (PROVINCE_LEVEL, row.province_code, NO_CODE, NO_CODE),
        (SUBDISTRICT_LEVEL, row.province_code, district, subdistrict),
    ]


def contribution(row: HouseholdProgress) -> Contribution:
    """What one household adds to the summary rows."""
    stage = Stage(row.stage)
    approved = as_utc(row.approval_dated or row.approved_at)
    started = as_utc(row.start_dated or row.started_at)
    completed = as_utc(row.completion_dated or row.completed_at)
    half = approval_half(row.fiscal_year, approved)
    progress = (
        1,
        *(1 if stage.value == name else 0 for name in STAGE_COLUMNS),
        row.grant_amount_satang or 0,
        row.disbursed_satang or 0,
    )
    milestones: list[tuple[str, date]] = []
    if approved is not None and stage in COUNTS_AS_APPROVED:
        milestones.append(("approved", month_of(approved)))
    if started is not None and stage in COUNTS_AS_STARTED:
        milestones.append(("started", month_of(started)))
    if completed is not None:
        milestones.append(("completed", month_of(completed)))
    persons = (1, row.household_size or 0)
    cells: Contribution = {}
    for level, province, district, subdistrict in _areas(row):
        area = (level, row.programme, province, district, subdistrict)
        year = row.fiscal_year or 0
        for period in ((year, half), (year, EVERY), (EVERY, EVERY)):
            cells[(PROGRESS.name, (*area, *period))] = progress
        for measure, month in milestones:
            cells[(ACHIEVEMENT.name, (*area, measure, month))] = persons
    return cells


class Deltas:
    """The change a transaction makes to the summary rows, summed per row."""

    def __init__(self) -> None:
        self.cells: dict[Cell, list[int]] = {}

    def add(self, cells: Contribution, sign: int) -> None:
        for cell, values in cells.items():
            total = self.cells.setdefault(cell, [0] * len(values))
            for i, value in enumerate(values):
                total[i] += sign * value

    def change(self, before: Contribution | None, after: Contribution) -> None:
        """A household went from ``before`` (None: it did not exist) to ``after``."""
        if before == after:
            return
        if before is not None:
            self.add(before, -1)
        self.add(after, +1)

    async def write(self, session: AsyncSession) -> None:
        """Add the deltas to this task's slot of the summary rows: one upsert per table,
        in key order."""
        connection = await session.connection()
        into = {"slot": slot()}
        for table, keys, values in (
            (PROGRESS, PROGRESS_KEY, PROGRESS_VALUES),
            (ACHIEVEMENT, ACHIEVEMENT_KEY, ACHIEVEMENT_VALUES),
        ):
            rows = [
                {
                    **dict(zip(keys, key, strict=True)),
                    **into,
                    **dict(zip(values, delta, strict=True)),
                }
                for (name, key), delta in sorted(self.cells.items())
                if name == table.name and any(delta)
            ]
            if rows:
                await connection.execute(_upsert(session, table, (*keys, "slot"), values), rows)
        self.cells.clear()


def _upsert(session: AsyncSession, table: Table, keys: Iterable[str], values: Iterable[str]) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in values},
    )


def contributions(rows: Mapping[Any, HouseholdProgress]) -> dict[Any, Contribution]:
    return {key: contribution(row) for key, row in rows.items()}


# --- set-based, from the household table --------------------------------------------------


def _local(dialect: str) -> dict[str, str]:
    """SQL for a timestamp column ``{c}`` in Thai time: its year, month, first of month."""
    if dialect == "postgresql":
        local = "({c} AT TIME ZONE 'Asia/Bangkok')"
        return {
            "year": f"CAST(EXTRACT(YEAR FROM {local}) AS INTEGER)",
            "month": f"CAST(EXTRACT(MONTH FROM {local}) AS INTEGER)",
            "first": f"CAST(date_trunc('month', {local}) AS DATE)",
        }
    local = "datetime({c}, '+7 hours')"  # Thailand has kept UTC+7, without summer time
    return {
        "year": f"CAST(strftime('%Y', {local}) AS INTEGER)",
        "month": f"CAST(strftime('%m', {local}) AS INTEGER)",
        "first": f"date({local}, 'start of month')",
    }


def recompute_sql(dialect: str, households: str = "household_progress") -> list[str]:
    """DELETE and INSERT ... SELECT ... GROUP BY statements that make both summary
    tables (beside ``households``) the sums of ``households``' rows."""
    local = _local(dialect)
    prefix = households.rpartition(".")[0]
    progress_table = f"{prefix}.progress_summary" if prefix else "progress_summary"
    achievement_table = f"{prefix}.achievement_summary" if prefix else "achievement_summary"

    def at(kind: str, column: str) -> str:
        return local[kind].format(c=column)

    approved = "COALESCE(approval_dated, approved_at)"
    started = "COALESCE(start_dated, started_at)"
    completed = "COALESCE(completion_dated, completed_at)"
    half = (
        f"CASE WHEN {approved} IS NULL OR fiscal_year IS NULL THEN 0 "
        f"WHEN {at('year', approved)} + 543 "
        f"+ CASE WHEN {at('month', approved)} >= 10 THEN 1 ELSE 0 END <> fiscal_year THEN 0 "
        f"WHEN {at('month', approved)} >= 10 OR {at('month', approved)} <= 3 THEN 1 ELSE 2 END"
    )
    stages = ", ".join(
        f"SUM(CASE WHEN stage = '{name}' THEN 1 ELSE 0 END)" for name in STAGE_COLUMNS
    )
    levels = {
        PROVINCE_LEVEL: ("''", "''"),
        SUBDISTRICT_LEVEL: ("COALESCE(district_code, '')", "COALESCE(subdistrict_code, '')"),
    }
    as_approved = ", ".join(f"'{s.value}'" for s in COUNTS_AS_APPROVED)
    as_started = ", ".join(f"'{s.value}'" for s in COUNTS_AS_STARTED)
    statements = [f"DELETE FROM {progress_table}", f"DELETE FROM {achievement_table}"]
    periods = {  # the year and half columns of each kind of row, and what they group by
        "fy, half": ("fy, half", ", fy, half"),
        "fy, every": (f"fy, {EVERY}", ", fy"),
        "every": (f"{EVERY}, {EVERY}", ""),
    }
    for level, (district, subdistrict) in levels.items():
        for year_half, group_by in periods.values():
            statements.append(
                f"INSERT INTO {progress_table} ({', '.join(PROGRESS_KEY + PROGRESS_VALUES)}) "
                f"SELECT '{level}', programme, province_code, d, s, {year_half}, COUNT(*), "
                f"{stages}, SUM(grant_amount_satang), SUM(disbursed_satang) FROM ("
                f"SELECT *, {district} AS d, {subdistrict} AS s, "
                f"COALESCE(fiscal_year, 0) AS fy, {half} AS half FROM {households}) AS h "
                f"GROUP BY programme, province_code, d, s{group_by}"
            )
        milestones = " UNION ALL ".join(
            f"SELECT programme, province_code, {district} AS d, {subdistrict} AS s, "
            f"'{measure}' AS measure, {at('first', moment)} AS month, "
            f"COALESCE(household_size, 0) AS persons FROM {households} "
            f"WHERE {moment} IS NOT NULL{condition}"
            for measure, moment, condition in (
                ("approved", approved, f" AND stage IN ({as_approved})"),
                ("started", started, f" AND stage IN ({as_started})"),
                ("completed", completed, ""),
            )
        )
        statements.append(
            f"INSERT INTO {achievement_table} ({', '.join(ACHIEVEMENT_KEY + ACHIEVEMENT_VALUES)}) "
            f"SELECT '{level}', programme, province_code, d, s, measure, month, COUNT(*), "
            f"SUM(persons) FROM ({milestones}) AS m "
            "GROUP BY programme, province_code, d, s, measure, month"
        )
    return statements


async def recompute(connection: AsyncConnection, households: str = "household_progress") -> None:
    """Make the summary tables the sums of ``households`` (set-based, in SQL)."""
    for statement in recompute_sql(connection.dialect.name, households):
        await connection.execute(text(statement))

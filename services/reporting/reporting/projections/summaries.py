"""Summary rows kept beside the households: what each household adds to them, and the
deltas a change of households makes.

A household's *contribution* is a pure function of its row: one progress cell per
area level (its programme, area, fiscal year, approval half and stage; its money),
one achievement cell per milestone it counts for (programme, area, measure, month)
and three place cells per milestone (its community, measure, and the month, half and
fiscal year it falls in), plus a place's ``any`` cell per period (its milestones of
every measure). A grant's is one grant cell per area level and year (its
count and money). A projector takes the contributions of the rows it locked before
applying events (nothing for a row it has just created) and after, and adds the
difference to the summary tables with one upsert per table (``col = col +
excluded.col``, in key order so two batches never deadlock). Integers only: counts and
satang. Each partition's batches add to rows of their own (``slot``): every batch
touches its province's rows, and sharing them made each partition wait for the others'
commits. Place rows are the exception: each place stays in one row, whose upsert
returns its total, so a place reached (0 -> 1 households) or left (back to 0) moves
``reach_summary``'s distinct counts by one in the same transaction (``_reach``).

``recompute`` builds them set-based from a household table and the grant table beside
it (one INSERT ... SELECT ... GROUP BY per table and level). The full rebuild replays
into shadow tables with the deltas ``deferred`` (no summary work per batch), recomputes
the shadow summaries once at the end of the replay, and applies the last events inside
the swap with the deltas on again. The migrations that added the tables fill them the
same way.
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
    COUNTRY_LEVEL,
    NO_CODE,
    NO_COMMUNITY,
    PROVINCE_LEVEL,
    REACH_SLOT,
    SUBDISTRICT_LEVEL,
    AchievementSummary,
    GrantSummary,
    HouseholdProgress,
    PlaceSummary,
    ProgressSummary,
    ReachSummary,
    Stage,
    as_utc,
)
from reporting.projections.rows import Grant, Household

# What counts as achieved in a month (see ``repository``'s achievements): approved and
# not set aside since; started and not cancelled since; completed.
COUNTS_AS_APPROVED = [*APPROVED_OR_BEYOND, Stage.CANCELLED]
COUNTS_AS_STARTED = [Stage.UNDER_CONSTRUCTION, Stage.COMPLETED]
MEASURES = ("approved", "started", "completed")
ANY = "any"
"""A place's and an area's measure that counts every milestone: reached any of them."""

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
PLACE: Table = PlaceSummary.__table__
PLACE_KEY = (
    "programme",
    "province_code",
    "district_code",
    "subdistrict_code",
    "community_id",
    "measure",
    "month",
    "months",
)
PLACE_VALUES = ACHIEVEMENT_VALUES
REACH: Table = ReachSummary.__table__
REACH_KEY = (
    "area_level",
    "programme",
    "province_code",
    "district_code",
    "subdistrict_code",
    "measure",
    "month",
    "months",
)
REACH_VALUES = ("households", "persons", "places", "communities", "subdistricts")
GRANT: Table = GrantSummary.__table__
GRANT_KEY = (
    "area_level",
    "programme",
    "province_code",
    "district_code",
    "subdistrict_code",
    "fiscal_year",
)
GRANT_VALUES = ("grants", "amount_satang", "disbursed_satang")
TABLES: tuple[tuple[Table, tuple[str, ...], tuple[str, ...]], ...] = (
    (PROGRESS, PROGRESS_KEY, PROGRESS_VALUES),
    (ACHIEVEMENT, ACHIEVEMENT_KEY, ACHIEVEMENT_VALUES),
    (PLACE, PLACE_KEY, PLACE_VALUES),
    (GRANT, GRANT_KEY, GRANT_VALUES),
)
"""Every summary table a household's contribution adds to, with its key and values, in
the order a transaction writes them (each table's rows in key order): two transactions
then never deadlock. ``reach_summary`` is written right after ``place_summary``, from
its changes."""
SUMMED: tuple[tuple[Table, tuple[str, ...], tuple[str, ...]], ...] = (
    *TABLES,
    (REACH, REACH_KEY, REACH_VALUES),
)
"""Every summary table: each cell is the sum of its slots."""

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


def _areas(row: Household) -> list[tuple[str, str, str, str]]:
    district, subdistrict = row.district_code or NO_CODE, row.subdistrict_code or NO_CODE
    return [
        (PROVINCE_LEVEL, row.province_code, NO_CODE, NO_CODE),
        (SUBDISTRICT_LEVEL, row.province_code, district, subdistrict),
    ]


Shape = tuple[Any, ...]
"""What of a household's row its contribution depends on: its stage, places, year and
half, the months of the milestones it counts for, its persons and its money. Many
households share one (a committee's decision: one community, one month)."""


def shape(row: Household) -> Shape:
    """The household's ``Shape``."""
    stage = Stage(row.stage)
    approved = as_utc(row.approval_dated or row.approved_at)
    started = as_utc(row.start_dated or row.started_at)
    completed = as_utc(row.completion_dated or row.completed_at)
    return (
        stage,
        row.programme,
        row.province_code,
        row.district_code or NO_CODE,
        row.subdistrict_code or NO_CODE,
        row.community_id or NO_COMMUNITY,
        row.fiscal_year or 0,
        approval_half(row.fiscal_year, approved),
        month_of(approved) if approved is not None and stage in COUNTS_AS_APPROVED else None,
        month_of(started) if started is not None and stage in COUNTS_AS_STARTED else None,
        month_of(completed) if completed is not None else None,
        row.household_size or 0,
        row.grant_amount_satang or 0,
        row.disbursed_satang or 0,
    )


def contribution(row: Household) -> Contribution:
    """What one household adds to the summary rows (shared between households of one
    shape: read it, do not change it)."""
    return _cells(shape(row))


@lru_cache(maxsize=4096)
def _cells(of: Shape) -> Contribution:
    (stage, programme, province, district, subdistrict, community, year, half) = of[:8]
    approved, started, completed, size, granted, disbursed = of[8:]
    progress = (
        1,
        *(1 if stage.value == name else 0 for name in STAGE_COLUMNS),
        granted,
        disbursed,
    )
    milestones = [
        (measure, month)
        for measure, month in (
            ("approved", approved),
            ("started", started),
            ("completed", completed),
        )
        if month is not None
    ]
    persons = (1, size)
    cells: Contribution = {}
    for area in (
        (PROVINCE_LEVEL, programme, province, NO_CODE, NO_CODE),
        (SUBDISTRICT_LEVEL, programme, province, district, subdistrict),
    ):
        for period in ((year, half), (year, EVERY), (EVERY, EVERY)):
            cells[(PROGRESS.name, (*area, *period))] = progress
        for measure, month in milestones:
            cells[(ACHIEVEMENT.name, (*area, measure, month))] = persons
    place = (programme, province, district, subdistrict, community)
    reached: dict[tuple[date, int], int] = {}
    for measure, month in milestones:
        for first, months in periods_of(month):
            cells[(PLACE.name, (*place, measure, first, months))] = persons
            reached[(first, months)] = reached.get((first, months), 0) + 1
    for (first, months), count in reached.items():
        cells[(PLACE.name, (*place, ANY, first, months))] = (count, 0)
    return cells


Difference = tuple[tuple[Cell, int, tuple[tuple[int, int], ...]], ...]
"""The cells a change moves: each with its number of values and the (index, delta) of
those that move."""


@lru_cache(maxsize=4096)
def _difference(before: Shape | None, after: Shape) -> Difference:
    """What a household moving from ``before`` (None: new) to ``after`` changes (cells
    left as they were are left out)."""
    moved = Deltas()
    moved.change(None if before is None else _cells(before), _cells(after))
    return tuple(
        (cell, len(values), tuple((i, v) for i, v in enumerate(values) if v))
        for cell, values in moved.cells.items()
        if any(values)
    )


def periods_of(month: date) -> tuple[tuple[date, int], ...]:
    """The periods a month counts in, as (first day, months): itself, its half of the
    fiscal year (October-March, April-September) and its fiscal year (from October)."""
    year_start = date(month.year if month.month >= 10 else month.year - 1, 10, 1)
    half_start = date(month.year, 4, 1) if 4 <= month.month <= 9 else year_start
    return ((month, 1), (half_start, 6), (year_start, 12))


def grant_contribution(grant: Grant) -> Contribution:
    """What one grant adds to the grant summary rows: nothing until an event has named
    its programme (a grant row is created bare, then filled)."""
    if grant.programme is None:
        return {}
    province = grant.province_code or NO_CODE
    money = (1, grant.amount_satang or 0, grant.disbursed_satang or 0)
    cells: Contribution = {}
    for level, district, subdistrict in (
        (PROVINCE_LEVEL, NO_CODE, NO_CODE),
        (SUBDISTRICT_LEVEL, grant.district_code or NO_CODE, grant.subdistrict_code or NO_CODE),
    ):
        for year in (grant.fiscal_year or 0, EVERY):
            key = (level, grant.programme, province, district, subdistrict, year)
            cells[(GRANT.name, key)] = money
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

    def moved(self, before: Shape | None, after: Shape) -> None:
        """A household went from the shape ``before`` (None: it did not exist) to
        ``after``: ``change`` of their contributions, the difference kept per pair of
        shapes (a batch moves thousands of households of a few shapes the same way)."""
        if before == after:
            return
        cells = self.cells
        for cell, width, moves in _difference(before, after):
            total = cells.get(cell)
            if total is None:
                total = cells[cell] = [0] * width
            for i, value in moves:
                total[i] += value

    async def write(self, session: AsyncSession) -> None:
        """Add the deltas to this task's slot of the summary rows: one upsert per table,
        in key order; the places to their one row each, then what they reached."""
        connection = await session.connection()
        here = slot()
        for table, keys, values in TABLES:
            rows = [
                {
                    **dict(zip(keys, key, strict=True)),
                    "slot": 0 if table is PLACE else here,
                    **dict(zip(values, delta, strict=True)),
                }
                for (name, key), delta in sorted(self.cells.items())
                if name == table.name and any(delta)
            ]
            if not rows:
                continue
            statement = _upsert(session, table, (*keys, "slot"), values)
            if table is PLACE:
                totals = await _totals(connection, statement, keys, "households", rows)
                await _reach(session, rows, totals)
            else:
                await connection.execute(statement, rows)
        self.cells.clear()


async def _totals(
    connection: AsyncConnection,
    statement: Any,
    keys: tuple[str, ...],
    column: str,
    rows: list[dict[str, Any]],
) -> list[int]:
    """Run the upsert ``statement`` for ``rows`` and return each row's ``column`` after
    it, in ``rows``' order. The row stays locked until the transaction ends, so the next
    transaction to move it waits, then sees this one's total."""
    table: Table = statement.table
    result = await connection.execute(
        statement.returning(*(table.c[k] for k in keys), table.c[column]), rows
    )
    found = {tuple(row[:-1]): int(row[-1]) for row in result.all()}
    return [found[tuple(row[k] for k in keys)] for row in rows]


def _moved(total: int, delta: int) -> int:
    """+1 if a count went from 0 to more by ``delta``, -1 if it went back to 0, else 0."""
    return (total > 0) - (total - delta > 0)


async def _reach(session: AsyncSession, places: list[dict[str, Any]], totals: list[int]) -> None:
    """What the places' changes (``places``, each with its ``totals`` after) add to
    ``reach_summary``: their households and persons to their sub-district's and
    province's rows in this task's slot; a place reached (0 -> more households) or left
    (back to 0) moves its areas' places and communities by one; a sub-district whose
    places (its ``REACH_SLOT`` row, locked like a place's) do the same moves its
    province's and the country's sub-districts, and its own."""
    connection = await session.connection()
    width = len(REACH_VALUES)
    slotted: dict[tuple[Any, ...], list[int]] = {}
    shared: dict[tuple[Any, ...], list[int]] = {}

    def add(cells: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], *values: int) -> None:
        total = cells.setdefault(key, [0] * width)
        for i, value in enumerate(values):
            total[i] += value

    def keys(row: Mapping[str, Any]) -> tuple[tuple[Any, ...], ...]:
        """The row's sub-district's key, then its province's and the country's."""
        period = (row["measure"], row["month"], row["months"])
        programme, province = row["programme"], row["province_code"]
        district, subdistrict = row["district_code"], row["subdistrict_code"]
        return (
            (SUBDISTRICT_LEVEL, programme, province, district, subdistrict, *period),
            (PROVINCE_LEVEL, programme, province, NO_CODE, NO_CODE, *period),
            (COUNTRY_LEVEL, programme, NO_CODE, NO_CODE, NO_CODE, *period),
        )

    for row, total in zip(places, totals, strict=True):
        households, persons = row["households"], row["persons"]
        moved = _moved(total, households)
        communities = moved if row["community_id"] != NO_COMMUNITY else 0
        subdistrict, *wider = keys(row)
        add(slotted, subdistrict, households, persons)
        for area in wider:
            add(slotted, area, households, persons, moved, communities)
        if moved:
            add(shared, subdistrict, 0, 0, moved, communities)
    statement = _upsert(session, REACH, (*REACH_KEY, "slot"), REACH_VALUES)

    def rows_of(cells: dict[tuple[Any, ...], list[int]], into: int) -> list[dict[str, Any]]:
        return [
            {
                **dict(zip(REACH_KEY, key, strict=True)),
                "slot": into,
                **dict(zip(REACH_VALUES, values, strict=True)),
            }
            for key, values in sorted(cells.items())
            if any(values)
        ]

    counted = rows_of(shared, REACH_SLOT)
    if counted:
        subdistricts: dict[tuple[Any, ...], list[int]] = {}
        for row, total in zip(
            counted, await _totals(connection, statement, REACH_KEY, "places", counted), strict=True
        ):
            moved = _moved(total, row["places"])
            if moved and row["subdistrict_code"] != NO_CODE:
                subdistrict, *wider = keys(row)
                add(subdistricts, subdistrict, 0, 0, 0, 0, moved)
                for area in wider:
                    add(slotted, area, 0, 0, 0, 0, moved)
        if subdistricts:  # rows this transaction holds already
            await connection.execute(statement, rows_of(subdistricts, REACH_SLOT))
    rows = rows_of(slotted, slot())
    if rows:
        await connection.execute(statement, rows)


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


def _beside(households: str, table: str) -> str:
    """``table`` in the schema ``households`` is in (the live one, or a rebuild's)."""
    prefix = households.rpartition(".")[0]
    return f"{prefix}.{table}" if prefix else table


APPROVED_SQL = "COALESCE(approval_dated, approved_at)"
STARTED_SQL = "COALESCE(start_dated, started_at)"
COMPLETED_SQL = "COALESCE(completion_dated, completed_at)"


def _milestones_sql(dialect: str, households: str, columns: str, parts: bool = False) -> str:
    """One row per household and milestone it counts for: ``columns``, then its measure,
    month (Thai time) and persons; with ``parts`` also the month's year ``y`` and number
    ``mo``."""
    local = _local(dialect)
    first = local["first"]
    as_approved = ", ".join(f"'{s.value}'" for s in COUNTS_AS_APPROVED)
    as_started = ", ".join(f"'{s.value}'" for s in COUNTS_AS_STARTED)
    return " UNION ALL ".join(
        f"SELECT {columns}, '{measure}' AS measure, {first.format(c=moment)} AS month, "
        + (
            f"{local['year'].format(c=moment)} AS y, {local['month'].format(c=moment)} AS mo, "
            if parts
            else ""
        )
        + f"COALESCE(household_size, 0) AS persons FROM {households} "
        f"WHERE {moment} IS NOT NULL{condition}"
        for measure, moment, condition in (
            ("approved", APPROVED_SQL, f" AND stage IN ({as_approved})"),
            ("started", STARTED_SQL, f" AND stage IN ({as_started})"),
            ("completed", COMPLETED_SQL, ""),
        )
    )


def places_and_grants_sql(dialect: str, households: str = "household_progress") -> list[str]:
    """DELETE and INSERT ... SELECT ... GROUP BY statements that make ``place_summary``
    the sums of ``households`` and ``grant_summary`` those of the ``grant_progress``
    beside it."""
    place_table, grant_table = _beside(households, PLACE.name), _beside(households, GRANT.name)
    grants = _beside(households, "grant_progress")
    no_community = (
        f"'{NO_COMMUNITY}'" if dialect == "postgresql" else f"'{NO_COMMUNITY.hex}'"
    )  # how each stores a UUID: native, or 32 hex digits
    place = (
        "programme, province_code, COALESCE(district_code, '') AS d, "
        f"COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, {no_community}) AS c"
    )

    def first_of(year: str, month: str) -> str:
        if dialect == "postgresql":
            return f"make_date({year}, {month}, 1)"
        return f"printf('%04d-%02d-01', {year}, {month})"  # how SQLite stores a date

    # Each milestone in its month, its half and its fiscal year (``periods_of``).
    in_second_half = "m.mo BETWEEN 4 AND 9"
    year_start = first_of("CASE WHEN m.mo >= 10 THEN m.y ELSE m.y - 1 END", "10")
    half_start = f"CASE WHEN {in_second_half} THEN {first_of('m.y', '4')} ELSE {year_start} END"
    period = f"CASE p.months WHEN 1 THEN m.month WHEN 6 THEN {half_start} ELSE {year_start} END"
    milestones = (
        f"(SELECT m.*, {period} AS period_start, p.months FROM "
        f"({_milestones_sql(dialect, households, place, parts=True)}) AS m CROSS JOIN "
        "(SELECT 1 AS months UNION ALL SELECT 6 UNION ALL SELECT 12) AS p) AS mp "
    )
    statements = [
        f"DELETE FROM {place_table}",
        f"INSERT INTO {place_table} ({', '.join(PLACE_KEY + PLACE_VALUES)}) "
        f"SELECT programme, province_code, d, s, c, measure, period_start, months, COUNT(*), "
        f"SUM(persons) FROM {milestones}"
        "GROUP BY programme, province_code, d, s, c, measure, period_start, months",
        # Every milestone of a place in a period, whatever its measure (``ANY``).
        f"INSERT INTO {place_table} ({', '.join(PLACE_KEY + PLACE_VALUES)}) "
        f"SELECT programme, province_code, d, s, c, '{ANY}', period_start, months, COUNT(*), "
        f"0 FROM {milestones}"
        "GROUP BY programme, province_code, d, s, c, period_start, months",
        *reach_sql(dialect, households),
        f"DELETE FROM {grant_table}",
    ]
    levels = {
        PROVINCE_LEVEL: ("''", "''"),
        SUBDISTRICT_LEVEL: ("COALESCE(district_code, '')", "COALESCE(subdistrict_code, '')"),
    }
    for level, (district, subdistrict) in levels.items():
        for year, group_by in (("fy", ", fy"), (str(EVERY), "")):
            statements.append(
                f"INSERT INTO {grant_table} ({', '.join(GRANT_KEY + GRANT_VALUES)}) "
                f"SELECT '{level}', programme, p, d, s, {year}, COUNT(*), SUM(amount_satang), "
                f"SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, "
                f"{district} AS d, {subdistrict} AS s, COALESCE(fiscal_year, 0) AS fy "
                f"FROM {grants} WHERE programme IS NOT NULL) AS g "
                f"GROUP BY programme, p, d, s{group_by}"
            )
    return statements


def reach_sql(dialect: str, households: str = "household_progress") -> list[str]:
    """DELETE and INSERT ... SELECT ... GROUP BY statements that make ``reach_summary``
    (beside ``households``) the sums of the ``place_summary`` beside it: each
    sub-district's places, communities and itself (if it has a code) with a household,
    in ``REACH_SLOT``; each province's, the sums of its sub-districts'; the country's,
    the sums of the provinces'."""
    place_table, reach_table = _beside(households, PLACE.name), _beside(households, REACH.name)
    no_community = f"'{NO_COMMUNITY}'" if dialect == "postgresql" else f"'{NO_COMMUNITY.hex}'"
    columns = ", ".join((*REACH_KEY, "slot", *REACH_VALUES))
    area = "programme, province_code, district_code, subdistrict_code"
    period = "measure, month, months"
    reached = "SUM(CASE WHEN n > 0 THEN 1 ELSE 0 END)"
    return [
        f"DELETE FROM {reach_table}",
        f"INSERT INTO {reach_table} ({columns}) "
        f"SELECT '{SUBDISTRICT_LEVEL}', {area}, {period}, {REACH_SLOT}, SUM(n), SUM(p), "
        f"{reached}, SUM(CASE WHEN n > 0 AND c <> {no_community} THEN 1 ELSE 0 END), "
        f"CASE WHEN subdistrict_code <> '{NO_CODE}' AND {reached} > 0 THEN 1 ELSE 0 END "
        f"FROM (SELECT {area}, community_id AS c, {period}, SUM(households) AS n, "
        f"SUM(persons) AS p FROM {place_table} GROUP BY {area}, community_id, {period}) AS pl "
        f"GROUP BY {area}, {period}",
        f"INSERT INTO {reach_table} ({columns}) "
        f"SELECT '{PROVINCE_LEVEL}', programme, province_code, '{NO_CODE}', '{NO_CODE}', "
        f"{period}, 0, SUM(households), SUM(persons), SUM(places), SUM(communities), "
        f"SUM(subdistricts) FROM {reach_table} WHERE area_level = '{SUBDISTRICT_LEVEL}' "
        f"GROUP BY programme, province_code, {period}",
        f"INSERT INTO {reach_table} ({columns}) "
        f"SELECT '{COUNTRY_LEVEL}', programme, '{NO_CODE}', '{NO_CODE}', '{NO_CODE}', "
        f"{period}, 0, SUM(households), SUM(persons), SUM(places), SUM(communities), "
        f"SUM(subdistricts) FROM {reach_table} WHERE area_level = '{PROVINCE_LEVEL}' "
        f"GROUP BY programme, {period}",
    ]


def recompute_sql(dialect: str, households: str = "household_progress") -> list[str]:
    """DELETE and INSERT ... SELECT ... GROUP BY statements that make every summary
    table (beside ``households``) the sums of ``households``' rows (and of its grants')."""
    local = _local(dialect)
    progress_table = _beside(households, PROGRESS.name)
    achievement_table = _beside(households, ACHIEVEMENT.name)

    def at(kind: str, column: str) -> str:
        return local[kind].format(c=column)

    approved = APPROVED_SQL
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
        milestones = _milestones_sql(
            dialect, households, f"programme, province_code, {district} AS d, {subdistrict} AS s"
        )
        statements.append(
            f"INSERT INTO {achievement_table} ({', '.join(ACHIEVEMENT_KEY + ACHIEVEMENT_VALUES)}) "
            f"SELECT '{level}', programme, province_code, d, s, measure, month, COUNT(*), "
            f"SUM(persons) FROM ({milestones}) AS m "
            "GROUP BY programme, province_code, d, s, measure, month"
        )
    return statements + places_and_grants_sql(dialect, households)


def recompute_steps(dialect: str, households: str = "household_progress") -> list[list[list[str]]]:
    """``recompute_sql``'s statements as steps, each a few chains that may run side by
    side (each in its own transaction, on its own connection): the DELETEs; the places'
    two INSERTs; then the reach (the sums of the places) beside every other table's."""
    deletes: list[str] = []
    places: list[list[str]] = []
    reach: list[str] = []
    others: list[str] = []
    for statement in recompute_sql(dialect, households):
        target = statement.split(" (", 1)[0]
        if statement.startswith("DELETE"):
            deletes.append(statement)
        elif target.endswith(f".{PLACE.name}") or target == f"INSERT INTO {PLACE.name}":
            places.append([statement])
        elif target.endswith(f".{REACH.name}") or target == f"INSERT INTO {REACH.name}":
            reach.append(statement)
        else:
            others.append(statement)
    return [[deletes], places, [reach, others]]


async def recompute(connection: AsyncConnection, households: str = "household_progress") -> None:
    """Make the summary tables the sums of ``households`` (set-based, in SQL)."""
    for statement in recompute_sql(connection.dialect.name, households):
        await connection.execute(text(statement))

"""The set-based PostgreSQL path of an import: a batch's cells checked and written by SQL.

A batch of sheet rows is copied as text into a temporary table (binary COPY)
on a connection of its own, while the import's connection writes the batch
before (two database processes at work), and one statement checks every rule
a valid row meets (the national ID's check digit, area codes by a join on
geothai's tables, coded answers by a join on the accepted answers, amounts,
sizes and lengths) and computes what the row becomes (codes, satang, the
duplicate key). The rows it passes are copied into the import's transaction
and written by ``INSERT … SELECT``: households, their ``surveyed`` transitions
and their ``household.surveyed`` events in the outbox, the payload put
together in SQL from the pieces of the event model's own JSON, so the bytes
are those ``outbox.record_events`` writes.

SQL only says "valid" when it is sure: a cell it cannot judge exactly as
``rules.RowChecker`` does (a character outside ASCII and Thai, an amount in
another notation, anything not plainly valid) makes the row "not passed", and
Python checks that row with ``rules`` as before, which writes the reasons (so
every message is the rules' own) or, if the row is valid after all, registers
it the Python way. Sheets it does not handle (a members sheet, a field filled
by two columns) go the Python way whole.
"""

import functools
import operator
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import column, delete, exists, select, table, text
from sqlalchemy import literal as sql_literal
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.events.catalog import HouseholdSurveyed
from baan_shared.events.envelope import json_text
from baan_shared.observability.tracing import current_traceparent
from survey import SOURCE
from survey.households.duplicates import _TITLES
from survey.households.models import Household, HouseholdStatus
from survey.households.schemas import MAX_HOUSEHOLD_SIZE
from survey.imports import rules
from survey.imports.sheet import HEADERS

# Every household field a sheet can fill, in the staging table's column order.
FIELDS: tuple[str, ...] = tuple(HEADERS)
_STAGE = "pg_temp.survey_import_stage"
_CHECKED = "pg_temp.survey_import_checked"
# Cells SQL judges exactly as Python does: printable ASCII and the Thai block (no
# other spaces, no letters whose lower case or normal form could differ).
_SAFE = "^[ -~\u0e01-\u0e5b]*$"
_CODED = ("programme", "need", "house_condition", "land_tenure")


def handles(columns: Mapping[int, str], *, has_members: bool) -> bool:
    """Whether a sheet with these columns can take the set-based path."""
    fields = list(columns.values())
    if has_members or len(set(fields)) != len(fields):
        return False
    return not any(
        f"{money}_satang" in fields and f"{money}_baht" in fields
        for money in ("monthly_income", "estimated_cost")
    )


def present(columns: Mapping[int, str]) -> list[str]:
    """The fields the sheet has a column for, in staging order."""
    return [field for field in FIELDS if field in columns.values()]


def stage_records(
    columns: Mapping[int, str], rows: Sequence[tuple[int, list[str]]]
) -> list[tuple[Any, ...]]:
    """Each row as the staging table's record: its number, then its cell of each field
    the sheet has (``present``). A row with a NUL character (which PostgreSQL text
    cannot hold) is staged empty: SQL does not pass it, Python reports it."""
    index_of = {field: i for i, field in columns.items()}
    at = [index_of[field] for field in present(columns)]
    width = max(at) + 1
    pick = operator.itemgetter(*at) if len(at) > 1 else (lambda cells: (cells[at[0]],))
    blank = ("",) * len(at)
    records: list[tuple[Any, ...]] = []
    for number, cells in rows:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        picked = pick(cells)
        if "\x00" in "".join(picked):
            picked = blank
        records.append((number, *picked))
    return records


async def _driver(session: AsyncSession) -> Any:
    """The session's asyncpg connection, inside the session's transaction: SQLAlchemy
    begins it on the first statement it sends, so after a commit one is sent first
    (else the staging table would vanish with its statement, and the writes would
    not be the batch's)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if not driver.is_in_transaction():
        await connection.execute(text("SELECT 1"))
    assert driver.is_in_transaction()
    return driver


async def _stage(driver: Any, fields: Sequence[str], records: list[tuple[Any, ...]]) -> None:
    """A fresh staging table (dropped at commit) holding these records."""
    cells = "".join(f", {f} text" for f in fields)
    # A batch's statements are too short to repay JIT compilation (0.1 s each).
    await driver.execute(
        "SET LOCAL jit = off; "
        f"DROP TABLE IF EXISTS {_CHECKED}; DROP TABLE IF EXISTS {_STAGE}; "
        f"CREATE TEMP TABLE survey_import_stage (row integer{cells}) ON COMMIT DROP"
    )
    await driver.copy_records_to_table(
        "survey_import_stage", schema_name="pg_temp", columns=["row", *fields], records=records
    )


@functools.cache
def _areas() -> tuple[str, str, str]:
    """geothai's sub-districts with their district and province, each list as one text
    of codes joined by commas: one parameter each, not one array element per code (an
    array of 7,436 codes cost its encoding in Python at every batch)."""
    _, districts, subdistricts = rules._areas()
    codes = sorted(subdistricts)
    district_of = [subdistricts[s] for s in codes]
    return ",".join(codes), ",".join(district_of), ",".join(districts[d] for d in district_of)


def _answers(answers: Mapping[str, Mapping[str, str]]) -> tuple[list[str], list[str], list[str]]:
    fields, keys, codes = [], [], []
    for field in _CODED:
        for key, code in answers[field].items():
            fields.append(field)
            keys.append(key)
            codes.append(code)
    return fields, keys, codes


def _money(field: str, cells: Mapping[str, str]) -> str:
    """The satang a money field's cells give, or NULL when SQL cannot be sure."""
    baht = f"replace({cells[field + '_baht']}, ',', '')"
    satang = f"replace({cells[field + '_satang']}, ',', '')"
    return (
        f"CASE WHEN {baht} ~ '^[0-9]{{1,13}}([.][0-9]{{1,2}})?$' "
        f"THEN ({baht}::numeric * 100)::bigint "
        f"WHEN {satang} ~ '^[0-9]{{1,16}}$' THEN {satang}::bigint END"
    )


# ``duplicates.normalize_name`` drops the first title (of its list, longest first) a
# name starts with; ``normalize_village`` writes a village number's prefix one way.
_VILLAGE_PREFIXES = ("หมู่ที่", "หมู่", "ม.", "moo")


def _name_key(lowered: str) -> str:
    cases = " ".join(
        f"WHEN starts_with({lowered}, '{t}') THEN substr({lowered}, {len(t) + 1})" for t in _TITLES
    )
    return f"replace(CASE {cases} ELSE {lowered} END, ' ', '')"


def _village_key(lowered: str) -> str:
    cases = " ".join(
        f"WHEN starts_with({lowered}, '{p}') THEN 'หมู่' || substr({lowered}, {len(p) + 1})"
        for p in _VILLAGE_PREFIXES
    )
    return f"coalesce(replace(CASE {cases} ELSE {lowered} END, ' ', ''), '')"


# Cells where empty and missing differ from a value (the rest fail their pattern when empty).
_NULL_WHEN_EMPTY = (
    "programme",
    "head_name",
    "phone",
    "village",
    "need",
    "house_condition",
    "land_tenure",
    "land_parcel_ref",
    "notes",
)


def _checked_sql(fields: Sequence[str]) -> str:
    def cell(field: str) -> str:
        if field not in fields:
            return "NULL::text"
        return f"nullif({field}, '')" if field in _NULL_WHEN_EMPTY else field

    nid = f"replace(replace({cell('national_id')}, '-', ''), ' ', '')"
    # The national ID's first 12 digits as a number: the check digit by arithmetic.
    weighted = " + ".join(f"(s.first_12 / {10**k} % 10) * {k + 2}" for k in range(12))
    check_digit = f"(11 - ({weighted}) % 11) % 10 = s.last_digit"
    joins = "\n".join(
        f"LEFT JOIN answers a_{field} ON a_{field}.field = '{field}' "
        f"AND a_{field}.key = lower(replace(s.{field}, ' ', '') COLLATE \"C\")"
        for field in _CODED
    )
    # One match over the cells whose text SQL compares (lower case, spaces).
    safe = "(" + " || ".join(f"coalesce(s.{f}, '')" for f in ("head_name", "village", *_CODED))
    safe += ') COLLATE "C" ~ $7'
    lengths = " AND ".join(
        f"coalesce(char_length(s.{f}), 0) <= {limit}" for f, limit in rules.MAX_LENGTHS.items()
    )
    texts = ", ".join(
        f"{cell(f)} AS {f}"
        for f in (*_NULL_WHEN_EMPTY, "province_code", "district_code", "subdistrict_code")
    )
    money = {
        f"{m}_{unit}": cell(f"{m}_{unit}")
        for m in ("monthly_income", "estimated_cost")
        for unit in ("baht", "satang")
    }
    return f"""
CREATE TEMP TABLE survey_import_checked ON COMMIT DROP AS
WITH areas AS (
    SELECT * FROM unnest(string_to_array($1, ','), string_to_array($2, ','),
                         string_to_array($3, ',')) AS a(subdistrict, district, province)
), answers AS (
    SELECT * FROM unnest($4::text[], $5::text[], $6::text[]) AS a(field, key, code)
), s AS MATERIALIZED (
    SELECT row, {texts}, nid AS national_id,
           CASE WHEN nid ~ '^[1-8][0-9]{{12}}$' THEN substr(nid, 1, 12)::bigint END AS first_12,
           CASE WHEN nid ~ '^[1-8][0-9]{{12}}$' THEN substr(nid, 13, 1)::int END AS last_digit,
           CASE WHEN size_text ~ '^[0-9]{{1,3}}$' THEN size_text::int END AS household_size,
           {_money("monthly_income", money)} AS monthly_income_satang,
           {_money("estimated_cost", money)} AS estimated_cost_satang,
           lower(btrim({cell("head_name")}, ' ') COLLATE "C") AS name_lowered,
           lower(btrim({cell("village")}, ' ') COLLATE "C") AS village_lowered
    FROM (SELECT *, {nid} AS nid, {cell("household_size")} AS size_text FROM {_STAGE}) x
)
SELECT s.row, s.national_id,
       CASE WHEN s.programme IS NULL THEN $8 ELSE a_programme.code END AS programme,
       s.head_name, s.phone, s.province_code, s.district_code, s.subdistrict_code,
       s.village, s.household_size, s.monthly_income_satang, a_need.code AS need,
       s.estimated_cost_satang, a_house_condition.code AS house_condition,
       a_land_tenure.code AS land_tenure, s.land_parcel_ref, s.notes,
       left(s.subdistrict_code || '|' || {_village_key("s.village_lowered")}
            || '|' || {_name_key("s.name_lowered")}, 400) AS duplicate_key,
       coalesce(
           area.subdistrict IS NOT NULL AND s.first_12 IS NOT NULL AND {check_digit}
           AND (CASE WHEN s.programme IS NULL THEN $8 ELSE a_programme.code END) IS NOT NULL
           AND s.head_name IS NOT NULL AND a_need.code IS NOT NULL
           AND s.household_size BETWEEN 1 AND {MAX_HOUSEHOLD_SIZE}
           AND s.monthly_income_satang <= {rules.MAX_SATANG}
           AND s.estimated_cost_satang <= {rules.MAX_SATANG}
           AND (s.house_condition IS NULL OR a_house_condition.code IS NOT NULL)
           AND (s.land_tenure IS NULL OR a_land_tenure.code IS NOT NULL)
           AND {lengths} AND {safe},
           false) AS passed
FROM s
LEFT JOIN areas area ON area.subdistrict = s.subdistrict_code
    AND area.district = s.district_code AND area.province = s.province_code
{joins}
"""


# One staged row as SQL judged it: (row, passed, national_id, subdistrict_code), a record
# as asyncpg returns it (read by index: no object of our own per row).
Verdict = Sequence[Any]
ROW, PASSED, NATIONAL_ID, SUBDISTRICT_CODE = range(4)

# What ``register`` reads of a checked row, with the types the check gives.
_CHECKED_TYPES = {
    "row": "integer",
    "national_id": "text",
    "programme": "text",
    "head_name": "text",
    "phone": "text",
    "province_code": "text",
    "district_code": "text",
    "subdistrict_code": "text",
    "village": "text",
    "household_size": "integer",
    "monthly_income_satang": "bigint",
    "need": "text",
    "estimated_cost_satang": "bigint",
    "house_condition": "text",
    "land_tenure": "text",
    "land_parcel_ref": "text",
    "notes": "text",
    "duplicate_key": "text",
}


@dataclass
class Judged:
    """A batch as SQL judged it: each row's verdict in sheet order (``Verdict``), and
    the rows it passed as ``register`` reads them: each one's place among them (``n``,
    from 1), then ``_CHECKED_TYPES``, as the bytes of a binary COPY. The bytes go from
    the checking connection to the import's as they are: Python decodes and encodes
    none of these rows' values."""

    verdicts: list[Verdict]
    passed: list[bytes]


def _engine(session: AsyncSession) -> AsyncEngine:
    bind = session.bind
    assert bind is not None, "an import's session is bound to its database"
    return bind.engine if isinstance(bind, AsyncConnection) else bind


async def check(
    session: AsyncSession,
    fields: Sequence[str],
    records: list[tuple[Any, ...]],
    answers: Mapping[str, Mapping[str, str]],
    programme: str | None,
) -> Judged:
    """Stage and check a batch on a connection of its own, outside the import's
    transaction (it writes temporary tables only), so that the import's connection
    writes the batch before meanwhile: two database processes at work, not one."""
    passed: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        passed.append(chunk)

    async with _engine(session).connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        async with driver.transaction():
            await _stage(driver, fields, records)
            await driver.execute(
                _checked_sql(fields), *_areas(), *_answers(answers), _SAFE, programme
            )
            verdicts = await driver.fetch(
                f"SELECT row, passed, national_id, subdistrict_code FROM {_CHECKED} ORDER BY row"
            )
            await driver.copy_from_query(
                f"SELECT (row_number() OVER (ORDER BY row))::integer, {', '.join(_CHECKED_TYPES)} "
                f"FROM {_CHECKED} WHERE passed ORDER BY row",
                output=keep,
                format="binary",
            )
    return Judged(verdicts, passed)


async def _load(session: AsyncSession, judged: Judged, excluded: list[int]) -> None:
    """The rows SQL passed into the import's transaction (a temporary table dropped at
    commit), less the ``excluded`` rows (which Python kept out: a national ID an earlier
    row of the file used, a sub-district outside the round, a row a resumed job did)."""
    driver = await _driver(session)
    columns = ", ".join(f"{c} {t}" for c, t in _CHECKED_TYPES.items())
    await driver.execute(
        "SET LOCAL jit = off; "
        f"DROP TABLE IF EXISTS {_CHECKED}; "
        f"CREATE TEMP TABLE survey_import_checked (n integer, {columns}) ON COMMIT DROP"
    )

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in judged.passed:
            yield chunk

    await driver.copy_to_table(
        "survey_import_checked", schema_name="pg_temp", source=chunks(), format="binary"
    )
    if excluded:
        await driver.execute(f"DELETE FROM {_CHECKED} WHERE row = ANY($1::integer[])", excluded)


def _payload_pieces(now: datetime, community_id: uuid.UUID | None) -> tuple[list[str], list[str]]:
    """The event model's JSON cut where each household's values go: literal texts and,
    between them, the field whose value goes there."""
    sample = HouseholdSurveyed(
        household_id=uuid.UUID(int=0),
        household_size=1,
        surveyed_at=now,
        programme="",
        province_code="",
        district_code="",
        subdistrict_code="",
        community_id=community_id,
    ).model_dump(mode="json")
    marked = sample | {
        field: f"@@{field}@@"
        for field in (
            "household_id",
            "household_size",
            "programme",
            "province_code",
            "district_code",
            "subdistrict_code",
        )
    }
    text = json_text(marked)
    parts = re.split(r'"@@(\w+)@@"', text)
    return parts[0::2], parts[1::2]


# Each field's JSON in SQL (all are codes, digits or UUIDs: nothing to escape).
_JSON_OF = {
    "household_id": "'\"' || n.id::text || '\"'",
    "household_size": "n.household_size::text",
    "programme": "'\"' || n.programme || '\"'",
    "province_code": "'\"' || n.province_code || '\"'",
    "district_code": "'\"' || n.district_code || '\"'",
    "subdistrict_code": "'\"' || n.subdistrict_code || '\"'",
}


def _uuid7(milliseconds: int, sequence: str) -> str:
    """A UUIDv7 in SQL: the batch's time, then the row's place in the batch (so ids keep
    the sheet's order, as ``new_id`` keeps insert order), then 48 random bits drawn once
    per batch and kind of row (time and place already tell the batch's ids apart)."""
    return (
        f"('{milliseconds:012x}7' || lpad(to_hex({sequence} >> 12), 3, '0') || '8' "
        f"|| lpad(to_hex({sequence} & 4095), 3, '0') || '{secrets.token_hex(6)}')::uuid"
    )


_HOUSEHOLD_COLUMNS = (
    "programme",
    "head_name",
    "national_id",
    "phone",
    "province_code",
    "district_code",
    "subdistrict_code",
    "village",
    "household_size",
    "monthly_income_satang",
    "need",
    "estimated_cost_satang",
    "house_condition",
    "land_tenure",
    "land_parcel_ref",
    "notes",
    "duplicate_key",
)


_STAGED = table("survey_import_checked", column("national_id"), schema="pg_temp")


async def _drop_registered(
    session: AsyncSession, survey_round_id: uuid.UUID | None, principal: Principal
) -> int:
    """Take out of the staging table the rows whose national ID is registered already in
    this round (or, without a round, with no round) in the uploader's areas, as
    ``repository.registered_national_ids`` finds them; return how many. A join on the
    staging table: the batch's IDs are not sent again as a parameter."""
    registered = (
        Household.national_id == _STAGED.c.national_id,
        area_filter(
            principal,
            province=Household.province_code,
            district=Household.district_code,
            subdistrict=Household.subdistrict_code,
        ),
        col(Household.survey_round_id).is_(None)
        if survey_round_id is None
        else Household.survey_round_id == survey_round_id,
    )
    # OFFSET 0 keeps the EXISTS a probe of the national ID's index per staged row:
    # without it PostgreSQL plans a hash join that reads the whole table at every batch
    # (100,000 households: 250 ms a batch, against 30-50 ms, load 10).
    probe = select(sql_literal(1)).where(*registered).offset(0)
    connection = await session.connection()
    result = await connection.execute(delete(_STAGED).where(exists(probe)))
    return int(result.rowcount)


async def register(
    session: AsyncSession,
    rows: list[int],
    *,
    judged: Judged,
    now: datetime,
    surveyed_by: str,
    survey_round_id: uuid.UUID | None,
    community_id: uuid.UUID | None,
    principal: Principal,
) -> int:
    """Register the rows numbered ``rows`` that SQL passed (``judged``) and whose national
    ID is not registered yet (``_drop_registered``): households, their transitions and
    events (as ``repository.register_households`` does), and flag likely duplicates.
    The other rows SQL passed are deleted from the import's staging table before
    anything is written. Returns how many households it registered."""
    if not rows:
        return 0
    wanted = set(rows)
    excluded = [v[ROW] for v in judged.verdicts if v[PASSED] and v[ROW] not in wanted]
    await _load(session, judged, excluded)
    registered = len(rows) - await _drop_registered(session, survey_round_id, principal)
    if not registered:
        return 0
    literals, fields = _payload_pieces(now, community_id)
    params: list[Any] = [now, surveyed_by, survey_round_id, community_id]
    pieces: list[str] = []
    for index, literal in enumerate(literals):
        params.append(literal)
        pieces.append(f"${len(params)}::text")
        if index < len(fields):
            pieces.append(_JSON_OF[fields[index]])
    payload = " || ".join(pieces)
    milliseconds = int(now.timestamp() * 1000)
    event = HouseholdSurveyed
    params += [
        event.aggregate_type,
        event.event_type,
        event.topic,
        SOURCE,
        event.dataschema(),
        current_traceparent(),
    ]
    at = len(params) - 5
    columns = ", ".join(_HOUSEHOLD_COLUMNS)
    picked = ", ".join(f"n.{c}" for c in _HOUSEHOLD_COLUMNS)
    sql = f"""
WITH new AS MATERIALIZED (
    SELECT {_uuid7(milliseconds, "c.n")} AS id, c.* FROM {_CHECKED} c
), households AS (
    INSERT INTO households (id, {columns}, survey_round_id, community_id,
                            possible_duplicate, status, created_at, updated_at)
    SELECT n.id, {picked}, $3::uuid, $4::uuid, false, '{HouseholdStatus.SURVEYED.value}',
           $1::timestamptz, $1::timestamptz
    FROM new n
), transitions AS (
    INSERT INTO household_transitions (id, household_id, from_status, to_status, reason,
                                       decided_by, decided_at, recorded_at)
    SELECT {_uuid7(milliseconds, "n.n")}, n.id, NULL, '{HouseholdStatus.SURVEYED.value}',
           NULL, $2::text, $1::timestamptz, $1::timestamptz
    FROM new n
)
INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, source, dataschema,
                    payload, occurred_at, traceparent, attempts)
SELECT {_uuid7(milliseconds, "n.n")}, ${at}, n.id::text, ${at + 1}, ${at + 2}, ${at + 3},
       ${at + 4}, {payload}, $1::timestamptz, ${at + 5}, 0
FROM new n ORDER BY n.n
"""
    driver = await _driver(session)
    await driver.execute(sql, *params)
    # Likely duplicates: a key now shared by two national IDs flags every household on it.
    # Each row just registered holds its key with its own national ID, so its key is
    # shared exactly when one other household holds it with another ID: one index probe
    # that stops at the first such household, not a count of every household per key.
    # OFFSET 0 keeps it a probe per row: without it PostgreSQL hashes the whole table at
    # every batch (100,000 households: 120 ms a batch against 10 ms, load 10).
    await driver.execute(
        f"""
UPDATE households SET possible_duplicate = true
WHERE NOT possible_duplicate AND duplicate_key IN (
    SELECT c.duplicate_key FROM {_CHECKED} c
    WHERE EXISTS (SELECT FROM households h
                  WHERE h.duplicate_key = c.duplicate_key AND h.national_id <> c.national_id
                  OFFSET 0))
"""
    )
    return registered

"""All SQL about imports."""

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import ColumnElement, String, and_, any_, bindparam, delete, insert, or_, text, true
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.clock import utcnow
from baan_shared.events.catalog import HouseholdSurveyed
from baan_shared.events.envelope import json_text
from baan_shared.ids import new_id
from baan_shared.observability.tracing import current_traceparent
from baan_shared.outbox import OutboxMessage
from survey import SOURCE
from survey.households import repository as households
from survey.households.models import (
    Household,
    HouseholdMember,
    HouseholdStatus,
    HouseholdTransition,
)
from survey.imports.models import (
    HouseholdImport,
    HouseholdImportError,
    HouseholdImportFile,
    ImportStatus,
)

UPLOAD_PART_BYTES = 1 << 20
"""A queued job's upload is kept in parts of this size (one row each)."""


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """``WHERE`` clause: the jobs this client may read, its own; a national client or
    an admin reads every job. Jobs name their uploader, not an area, since one sheet
    may span several of a client's areas."""
    if principal.all_areas:
        return true()
    return col(HouseholdImport.client_id) == principal.client_id


async def get(
    session: AsyncSession, import_id: uuid.UUID, principal: Principal | None = None
) -> HouseholdImport | None:
    """The job; with ``principal``, only if that client may read it."""
    query = select(HouseholdImport).where(HouseholdImport.id == import_id)
    if principal is not None:
        query = query.where(readable_by(principal))
    return (await session.exec(query)).first()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    before: uuid.UUID | None,
    limit: int,
    status: ImportStatus | None,
) -> list[HouseholdImport]:
    """The client's jobs, newest first (ids are time-ordered UUIDv7)."""
    query = (
        select(HouseholdImport)
        .where(readable_by(principal))
        .order_by(col(HouseholdImport.id).desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(col(HouseholdImport.id) < before)
    if status is not None:
        query = query.where(HouseholdImport.status == status)
    return list((await session.exec(query)).all())


async def errors(
    session: AsyncSession, import_id: uuid.UUID, *, limit: int | None = None
) -> list[HouseholdImportError]:
    query = (
        select(HouseholdImportError)
        .where(HouseholdImportError.import_id == import_id)
        .order_by(
            col(HouseholdImportError.sheet),
            col(HouseholdImportError.row),
            col(HouseholdImportError.id),
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


async def registered_national_ids(
    session: AsyncSession,
    national_ids: list[str],
    survey_round_id: uuid.UUID | None,
    principal: Principal,
) -> set[str]:
    """Which of these IDs are already registered in this round (or with no round), in
    the uploader's areas: another area's households neither block a row nor reveal
    through the "already present" count that an ID is registered there."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # One array parameter, not one per ID: a batch holds thousands.
        ids = bindparam("ids", national_ids, type_=postgresql.ARRAY(String()))
        among = col(Household.national_id) == any_(ids)
    else:
        among = col(Household.national_id).in_(national_ids)
    query = select(Household.national_id).where(
        among,
        area_filter(
            principal,
            province=Household.province_code,
            district=Household.district_code,
            subdistrict=Household.subdistrict_code,
        ),
    )
    if survey_round_id is None:
        query = query.where(col(Household.survey_round_id).is_(None))
    else:
        query = query.where(Household.survey_round_id == survey_round_id)
    return set((await session.exec(query)).all())


# The columns an import's statements filter on: registered IDs (national ID, round, the
# uploader's areas) and likely duplicates (the key).
_LOOKED_UP = (
    "national_id",
    "survey_round_id",
    "province_code",
    "district_code",
    "subdistrict_code",
    "duplicate_key",
)


async def refresh_statistics(session: AsyncSession) -> None:
    """Let PostgreSQL's planner see the rows this import has written so far.

    The whole import is one transaction, so autovacuum never sees its rows and the
    planner keeps believing the table is as small as before: each batch's look-ups
    would then scan the whole table. ANALYZE inside the transaction samples them.

    Only the columns the import's look-ups filter on, from a sample of 3,000 rows
    instead of 30,000: what the planner needs here is the table's size and that IDs
    and keys are nearly unique, which the small sample tells as well. At 100,000
    households it took 20-30 ms instead of 0.6-0.7 s (load 6), on the connection the
    batches wait for. The rest of the table's statistics are left to autovacuum,
    which analyzes the table after the import commits (it changed more than a tenth).
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # For this transaction only; nothing but ANALYZE reads it.
        await connection.execute(text("SET LOCAL default_statistics_target = 10"))
        await connection.execute(text(f"ANALYZE households ({', '.join(_LOOKED_UP)})"))


async def lock_round(session: AsyncSession, survey_round_id: uuid.UUID | None) -> None:
    """Serialise imports into one round until this transaction ends (PostgreSQL).

    SQLite allows one writer at a time already.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        key = (survey_round_id.int if survey_round_id else 0) & 0x7FFF_FFFF_FFFF_FFFF
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Jobs a worker may take: queued, or running under a claim that expired (its worker
    stopped renewing it: the pod crashed or was rescheduled)."""
    return or_(
        col(HouseholdImport.status) == ImportStatus.QUEUED,
        and_(
            col(HouseholdImport.status) == ImportStatus.RUNNING,
            or_(
                col(HouseholdImport.lease_until).is_(None),
                col(HouseholdImport.lease_until) < now,
            ),
        ),
    )


async def claim_next(session: AsyncSession, worker: str, lease: timedelta) -> uuid.UUID | None:
    """Claim the oldest job no live worker holds, for ``worker`` until now + ``lease``,
    and commit; None if there is none. Two replicas never claim the same job: on
    PostgreSQL the candidate is locked (``SKIP LOCKED``: another replica takes the next
    one), and on either database the claim is an update that holds only while the job
    is still claimable."""
    now = utcnow()
    query = (
        select(HouseholdImport.id).where(_claimable(now)).order_by(col(HouseholdImport.id)).limit(1)
    )
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job_id = (await session.exec(query)).first()
    if job_id is None:
        await session.rollback()
        return None
    claimed = await connection.execute(
        sql_update(HouseholdImport)
        .where(col(HouseholdImport.id) == job_id, _claimable(now))
        .values(status=ImportStatus.RUNNING, claimed_by=worker, lease_until=now + lease)
    )
    await session.commit()
    return job_id if claimed.rowcount == 1 else None


async def renew_lease(
    session: AsyncSession, import_id: uuid.UUID, worker: str, lease: timedelta
) -> bool:
    """Extend ``worker``'s claim on the job and commit; False if another worker holds it."""
    connection = await session.connection()
    renewed = await connection.execute(
        sql_update(HouseholdImport)
        .where(col(HouseholdImport.id) == import_id, col(HouseholdImport.claimed_by) == worker)
        .values(lease_until=utcnow() + lease)
    )
    await session.commit()
    return bool(renewed.rowcount == 1)


async def release(session: AsyncSession, import_id: uuid.UUID, worker: str) -> None:
    """A worker stopping mid-job hands it back (queued) for any replica to resume now."""
    connection = await session.connection()
    await connection.execute(
        sql_update(HouseholdImport)
        .where(
            col(HouseholdImport.id) == import_id,
            col(HouseholdImport.claimed_by) == worker,
            col(HouseholdImport.status) == ImportStatus.RUNNING,
        )
        .values(status=ImportStatus.QUEUED, claimed_by=None, lease_until=None)
    )
    await session.commit()


async def keep_upload(
    session: AsyncSession, import_id: uuid.UUID, sheet: str, file: IO[bytes]
) -> None:
    """Keep an uploaded file with its job, a part at a time (memory stays one part)."""
    connection = await session.connection()
    file.seek(0)
    part = 0
    while chunk := file.read(UPLOAD_PART_BYTES):
        await connection.execute(
            insert(HouseholdImportFile),
            [{"import_id": import_id, "sheet": sheet, "part": part, "data": chunk}],
        )
        part += 1


async def uploaded_sheets(session: AsyncSession, import_id: uuid.UUID) -> set[str]:
    """Which files (households, members) of the job's upload are kept."""
    query = (
        select(HouseholdImportFile.sheet)
        .where(HouseholdImportFile.import_id == import_id)
        .distinct()
    )
    return set((await session.exec(query)).all())


async def upload_parts(
    session: AsyncSession, import_id: uuid.UUID, sheet: str
) -> AsyncIterator[bytes]:
    """A kept file's parts in order, one in memory at a time."""
    parts = (
        await session.exec(
            select(HouseholdImportFile.part)
            .where(HouseholdImportFile.import_id == import_id, HouseholdImportFile.sheet == sheet)
            .order_by(col(HouseholdImportFile.part))
        )
    ).all()
    for part in parts:
        query = select(HouseholdImportFile.data).where(
            HouseholdImportFile.import_id == import_id,
            HouseholdImportFile.sheet == sheet,
            HouseholdImportFile.part == part,
        )
        yield (await session.exec(query)).one()


async def discard_upload(session: AsyncSession, import_id: uuid.UUID) -> None:
    """Drop a job's kept upload (in the session's transaction)."""
    connection = await session.connection()
    await connection.execute(
        delete(HouseholdImportFile).where(col(HouseholdImportFile.import_id) == import_id)
    )


async def add_errors(session: AsyncSession, errors: list[dict[str, Any]]) -> None:
    """The problems of refused rows, in one statement (COPY on PostgreSQL)."""
    rows = [{"id": new_id(), **error} for error in errors]
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await _copy(session, "household_import_errors", list(rows[0]), rows)
    else:
        await connection.execute(insert(HouseholdImportError), rows)


async def _copy(
    session: AsyncSession, table: str, columns: list[str], rows: list[dict[str, Any]]
) -> None:
    """COPY rows into a table on the session's connection, inside its transaction.

    Binary COPY skips SQL parsing and per-row parameter binding: on PostgreSQL it
    writes a batch several times faster than a multi-row INSERT.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table, columns=columns, records=[tuple(row.get(c) for c in columns) for row in rows]
    )


_HOUSEHOLD_COLUMNS = [c.name for c in Household.__table__.columns]
# What the import fills in; the rest (GPS, eligibility, decisions) starts empty.
_COPIED_HOUSEHOLD_COLUMNS = [
    "id",
    "programme",
    "head_name",
    "national_id",
    "phone",
    "province_code",
    "district_code",
    "subdistrict_code",
    "village",
    "survey_round_id",
    "community_id",
    "household_size",
    "monthly_income_satang",
    "need",
    "estimated_cost_satang",
    "house_condition",
    "land_tenure",
    "land_parcel_ref",
    "notes",
    "duplicate_key",
    "possible_duplicate",
    "status",
    "created_at",
    "updated_at",
]


def surveyed_events(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The outbox rows of ``household.surveyed`` for these households.

    Each payload is the event model's JSON (``record_events`` writes the same),
    built from one model's dump with each household's values put in: a model per
    row would cost more than the rest of the import.
    """
    sample = HouseholdSurveyed(
        household_id=uuid.UUID(int=0),
        household_size=1,
        surveyed_at=now,
        programme="",
        province_code="",
        district_code="",
        subdistrict_code="",
    ).model_dump(mode="json")
    common = {
        "aggregatetype": HouseholdSurveyed.aggregate_type,
        "type": HouseholdSurveyed.event_type,
        "topic": HouseholdSurveyed.topic,
        "source": SOURCE,
        "dataschema": HouseholdSurveyed.dataschema(),
        "occurred_at": now,
        "traceparent": current_traceparent(),
        "attempts": 0,
    }
    events = []
    for row in rows:
        household_id = str(row["id"])
        community_id = row["community_id"]
        payload = sample | {
            "household_id": household_id,
            "household_size": row["household_size"],
            "programme": str(row["programme"]),
            "province_code": row["province_code"],
            "district_code": row["district_code"],
            "subdistrict_code": row["subdistrict_code"],
            "community_id": str(community_id) if community_id is not None else None,
        }
        events.append(
            common
            | {
                "id": new_id(),
                "aggregateid": household_id,
                "payload": json_text(payload),
            }
        )
    return events


async def register_households(
    session: AsyncSession, batch: list[dict[str, Any]], *, surveyed_by: str
) -> None:
    """Register checked households (``rules.RowChecker``'s columns plus members) in a
    few statements: each with its members, its ``surveyed`` transition, duplicate
    flags and one ``household.surveyed`` event in the outbox, as
    ``households.service.register`` does for one. COPY on PostgreSQL."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for data in batch:
        row = dict(data)
        household_id = new_id()
        row.update(
            id=household_id,
            status=HouseholdStatus.SURVEYED.value,
            possible_duplicate=False,
            created_at=now,
            updated_at=now,
        )
        rows.append(row)
        members.extend(
            {"id": new_id(), "household_id": household_id, "position": position, **member}
            for position, member in enumerate(row.pop("members"), start=1)
        )
    transitions = [
        {
            "id": new_id(),
            "household_id": row["id"],
            "from_status": None,
            "to_status": HouseholdStatus.SURVEYED.value,
            "reason": None,
            "decided_by": surveyed_by,
            "decided_at": now,
            "recorded_at": now,
        }
        for row in rows
    ]
    events = surveyed_events(rows, now)
    keys = list({row["duplicate_key"] for row in rows})
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await _copy(session, "households", _COPIED_HOUSEHOLD_COLUMNS, rows)
        await _copy(session, "household_transitions", list(transitions[0]), transitions)
        if members:
            await _copy(session, "household_members", list(members[0]), members)
        await _copy(session, "outbox", list(events[0]), events)
        await _flag_duplicate_keys_postgresql(session, keys)
        return
    empty = dict.fromkeys(_HOUSEHOLD_COLUMNS)
    del empty["eligibility_checks"]
    await connection.execute(insert(Household), [empty | row for row in rows])
    await connection.execute(insert(HouseholdTransition), transitions)
    if members:
        await connection.execute(insert(HouseholdMember), members)
    await connection.execute(
        insert(OutboxMessage), [e | {"sent_at": None, "last_error": None} for e in events]
    )
    await households.flag_duplicate_keys(session, keys)


async def _flag_duplicate_keys_postgresql(session: AsyncSession, keys: list[str]) -> None:
    """``households.repository.flag_duplicate_keys`` with one array parameter per
    statement instead of one parameter per key."""
    connection = await session.connection()
    shared = (
        await connection.execute(
            text(
                "SELECT duplicate_key FROM households WHERE duplicate_key = ANY(:keys) "
                "GROUP BY duplicate_key HAVING count(DISTINCT national_id) > 1"
            ).bindparams(bindparam("keys", keys, type_=postgresql.ARRAY(String()))),
        )
    ).scalars()
    found = list(shared)
    if found:
        await connection.execute(
            text(
                "UPDATE households SET possible_duplicate = true "
                "WHERE duplicate_key = ANY(:keys) AND NOT possible_duplicate"
            ).bindparams(bindparam("keys", found, type_=postgresql.ARRAY(String())))
        )

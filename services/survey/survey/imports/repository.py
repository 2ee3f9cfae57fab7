"""All SQL about imports."""

import uuid

from sqlalchemy import ColumnElement, text, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from survey.households.models import Household
from survey.imports.models import HouseholdImport, HouseholdImportError, ImportStatus


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
    query = select(Household.national_id).where(
        col(Household.national_id).in_(national_ids),
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


async def refresh_statistics(session: AsyncSession) -> None:
    """Let PostgreSQL's planner see the rows this import has written so far.

    The whole import is one transaction, so autovacuum never sees its rows and the
    planner keeps believing the table is as small as before: each batch's look-ups
    would then scan the whole table. ANALYZE inside the transaction samples them.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text("ANALYZE households"))


async def lock_round(session: AsyncSession, survey_round_id: uuid.UUID | None) -> None:
    """Serialise imports into one round until this transaction ends (PostgreSQL).

    SQLite allows one writer at a time already.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        key = (survey_round_id.int if survey_round_id else 0) & 0x7FFF_FFFF_FFFF_FFFF
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def unfinished(session: AsyncSession) -> list[HouseholdImport]:
    query = (
        select(HouseholdImport)
        .where(col(HouseholdImport.status).in_([ImportStatus.QUEUED, ImportStatus.RUNNING]))
        .order_by(col(HouseholdImport.id))
    )
    return list((await session.exec(query)).all())


async def next_queued(session: AsyncSession) -> uuid.UUID | None:
    query = (
        select(HouseholdImport.id)
        .where(HouseholdImport.status == ImportStatus.QUEUED)
        .order_by(col(HouseholdImport.id))
        .limit(1)
    )
    return (await session.exec(query)).first()

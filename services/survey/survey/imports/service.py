"""Importing a survey sheet: each household whole or not at all, and a report of the rest.

A file is checked before anything is written (type, encoding, columns): a file
that cannot be read is refused and changes nothing. A small file is then
imported inside the request's transaction. A big one becomes a job
(``HouseholdImport`` with a status) that the service's import worker runs from
a spooled copy: each batch of 500 rows commits with the job's progress and its
resume point (the last sheet row done), so a crash loses at most the batch in
flight, never half a household, and the job resumes from the row after its
resume point when the service starts again.

A national ID already registered in the same round (or, without a round, with
no round) counts as already present and is not imported again: uploading the
same file twice creates no duplicates, and neither does a resumed job.
"""

import asyncio
import contextlib
import dataclasses
import io
import logging
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, unknown_reference
from baan_shared.auth.principal import ALL_AREAS
from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, Forbidden, Unprocessable
from baan_shared.reference import Programme
from survey.households import service as households
from survey.households.schemas import HouseholdCreate, MemberIn
from survey.imports import repository, sheet
from survey.imports.models import HouseholdImport, HouseholdImportError, ImportStatus
from survey.rounds import repository as rounds
from survey.rounds.models import SurveyRound

log = logging.getLogger(__name__)

BATCH_SIZE = 500
YIELD_EVERY_ROWS = 50


def _refused(reason: str, field: str = "body.file") -> Unprocessable:
    return Unprocessable(reason, errors=[{"field": field, "reason": reason, "code": "invalid"}])


@dataclass
class PreparedSheet:
    """A survey sheet whose type, encoding and columns have been checked."""

    fmt: str
    rows: Iterator[tuple[int, list[str]]]
    columns: dict[int, str]
    header_of: dict[str, str]
    members: "MemberRows | None"


def prepare(
    filename: str,
    file: IO[bytes],
    members_file: tuple[str, IO[bytes]] | None,
    *,
    programme_given: bool,
) -> PreparedSheet:
    """Read the file far enough to refuse it whole (SheetRefused) or start importing it."""
    fmt = sheet.detect_format(filename, file.read(8))
    file.seek(0)
    if fmt == "csv":
        sheet.check_utf8(file)
    members = _read_members(fmt, file, members_file)
    header, rows = sheet.read_rows(fmt, file)
    columns = sheet.map_headers(header)
    missing = sheet.missing_columns(set(columns.values()), programme_given=programme_given)
    if missing:
        raise sheet.SheetRefused(f"the sheet has no column for: {', '.join(missing)}")
    header_of = {name: header[i] for i, name in columns.items()}
    for name, text in list(header_of.items()):
        if name.endswith("_baht"):  # validation names the satang field it became
            header_of[name.removesuffix("_baht") + "_satang"] = text
    return PreparedSheet(fmt, rows, columns, header_of, members)


async def _survey_round(
    session: AsyncSession, survey_round_id: uuid.UUID | None, principal: Principal
) -> SurveyRound | None:
    if survey_round_id is None:
        return None
    survey_round = await rounds.get(session, survey_round_id)
    # Another area's round answers like a missing one: its existence is not revealed.
    if survey_round is None or not principal.covers(
        survey_round.province_code, survey_round.district_code, survey_round.subdistrict_code
    ):
        raise unknown_reference("body.survey_round_id", "survey round", survey_round_id)
    return survey_round


# Rows listed in a 403 answer; the rest are counted (a 5 MB sheet can hold 40,000 rows).
MAX_ROWS_LISTED = 1_000
_CODE_LENGTHS = {"province_code": 2, "district_code": 4, "subdistrict_code": 6}


@dataclass(frozen=True)
class RowOutside:
    """A sheet row placed in an area the uploading client does not cover."""

    row: int
    province_code: str
    district_code: str
    subdistrict_code: str

    @property
    def reason(self) -> str:
        return (
            f"province {self.province_code}, district {self.district_code}, sub-district "
            f"{self.subdistrict_code}: outside the client's areas"
        )


class RowsOutsideAreas(Exception):
    """Some rows lie outside the uploader's areas: the whole sheet is refused."""

    def __init__(self, principal: Principal, rows: list[RowOutside], column: str) -> None:
        areas = " ".join(sorted(principal.areas)) or "none"
        super().__init__(
            f"{len(rows)} rows lie outside the areas of client {principal.client_id!r} "
            f"({areas}); nothing was imported"
        )
        self.rows = rows
        self.column = column

    def problem(self) -> Forbidden:
        return Forbidden(
            str(self),
            errors=[
                {
                    "field": "body.file",
                    "sheet": HOUSEHOLDS_SHEET,
                    "row": r.row,
                    "column": self.column,
                    "province_code": r.province_code,
                    "district_code": r.district_code,
                    "subdistrict_code": r.subdistrict_code,
                    "reason": r.reason,
                    "code": "area",
                }
                for r in self.rows[:MAX_ROWS_LISTED]
            ],
            rows_outside_areas=len(self.rows),
        )


def check_rows_in_areas(filename: str, file: IO[bytes], principal: Principal) -> None:
    """Raise RowsOutsideAreas if any row that could be imported lies outside the
    principal's areas. Reads ``file`` to its end (and may close it): pass a copy.

    A row counts when its three codes are well-formed; any other row is invalid and
    never imported, and the import reports it as such.
    """
    if principal.all_areas:
        return
    fmt = sheet.detect_format(filename, file.read(8))
    file.seek(0)
    header, rows = sheet.read_rows(fmt, file)
    columns = sheet.map_headers(header)
    column = next((header[i] for i, f in columns.items() if f == "province_code"), "")
    outside: list[RowOutside] = []
    for number, cells in rows:
        values, _ = _row_values(columns, cells)
        codes = {f: str(values.get(f, "")) for f in _CODE_LENGTHS}
        if not all(v.isdigit() and len(v) == _CODE_LENGTHS[f] for f, v in codes.items()):
            continue
        if not principal.covers(
            codes["province_code"], codes["district_code"], codes["subdistrict_code"]
        ):
            outside.append(RowOutside(number, **codes))
    if outside:
        raise RowsOutsideAreas(principal, outside, column)


def recorded_areas(principal: Principal) -> str:
    return ALL_AREAS if principal.all_areas else " ".join(sorted(principal.areas))


def uploader(job: HouseholdImport) -> Principal | None:
    """The client that uploaded the job, with the areas its token held; None for jobs
    uploaded before partner access recorded them."""
    if job.client_id is None or job.client_areas is None:
        return None
    return Principal.of(job.client_id, areas=job.client_areas.split())


async def import_sheet(
    session: AsyncSession,
    *,
    filename: str,
    file: IO[bytes],
    imported_by: str,
    survey_round_id: uuid.UUID | None,
    programme: Programme | None,
    principal: Principal,
    members_file: tuple[str, IO[bytes]] | None = None,
    spool_dir: Path | None = None,
) -> HouseholdImport:
    """Import now, or (with ``spool_dir``) check the file, keep a copy and queue a job.

    A sheet imported now with any row outside the principal's areas is refused
    whole (403, each row named); a queued job checks its rows when it runs.
    """
    survey_round = await _survey_round(session, survey_round_id, principal)
    try:
        if spool_dir is None and not principal.all_areas:
            # A copy: reading a CSV through a text wrapper closes the file after it.
            copy = io.BytesIO(file.read())
            file.seek(0)
            await asyncio.to_thread(check_rows_in_areas, filename, copy, principal)
        prepared = prepare(filename, file, members_file, programme_given=programme is not None)
    except sheet.SheetRefused as refused:
        raise _refused(str(refused)) from None
    except RowsOutsideAreas as outside:
        raise outside.problem() from None
    job = HouseholdImport(
        filename=filename[:255],
        file_format=prepared.fmt,
        survey_round_id=survey_round_id,
        imported_by=imported_by,
        client_id=principal.client_id,
        client_areas=recorded_areas(principal),
        programme=programme,
        members_filename=members_file[0][:255] if members_file else None,
        status=ImportStatus.RUNNING if spool_dir is None else ImportStatus.QUEUED,
    )
    session.add(job)
    await session.flush()
    if spool_dir is not None:
        path = spool_dir / f"{job.id}.{prepared.fmt}"
        job.spool_path = str(await asyncio.to_thread(_spool, path, file))
        if members_file is not None:
            suffix = Path(members_file[0]).suffix.lower() or ".csv"
            path = spool_dir / f"{job.id}-members{suffix}"
            job.members_spool_path = str(await asyncio.to_thread(_spool, path, members_file[1]))
        session.add(job)
        await session.flush()
        return job
    job.started_at = utcnow()
    try:
        await _import_rows(session, job, prepared, survey_round, principal, commit_batches=False)
    except sheet.SheetRefused as refused:
        raise _refused(str(refused)) from None
    job.status = ImportStatus.DONE
    job.finished_at = utcnow()
    session.add(job)
    await session.flush()
    return job


def _spool(path: Path, file: IO[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(file, out, 1 << 20)
    return path


async def _import_rows(
    session: AsyncSession,
    job: HouseholdImport,
    prepared: PreparedSheet,
    survey_round: SurveyRound | None,
    principal: Principal,
    *,
    commit_batches: bool,
) -> None:
    """Import every row after the job's resume point, batch by batch.

    Rows up to the resume point were done before an interruption: they are read
    again only to know which national IDs the file already used, and which
    members rows they accounted for.
    """
    columns, header_of, members = prepared.columns, prepared.header_of, prepared.members
    round_subdistrict = survey_round.subdistrict_code if survey_round else None
    round_community = survey_round.community_id if survey_round else None
    resume_after = job.resume_after_row
    seen: dict[str, int] = {}
    batch: list[HouseholdCreate] = []
    last_row = [resume_after]
    batches_written = [0]

    def reject(row: int, name: str, reason: str) -> None:
        if row <= resume_after:
            return
        job.rows_invalid += 1
        session.add(
            HouseholdImportError(
                import_id=job.id,
                sheet=HOUSEHOLDS_SHEET,
                row=row,
                column=header_of.get(name, name),
                reason=reason,
            )
        )

    def reject_member(row: int, column: str, reason: str) -> None:
        job.members_invalid += 1
        session.add(
            HouseholdImportError(
                import_id=job.id, sheet=MEMBERS_SHEET, row=row, column=column, reason=reason
            )
        )

    if members is not None and resume_after == 0:
        for row, column, reason in members.errors:
            reject_member(row, column, reason)

    async def write_batch() -> None:
        if batch:
            # One import at a time per round writes, so two uploads of the same file at
            # once cannot both find a national ID absent and both register it.
            await repository.lock_round(session, job.survey_round_id)
            present = await repository.registered_national_ids(
                session, [h.national_id for h in batch], job.survey_round_id, principal
            )
            new = [data for data in batch if data.national_id not in present]
            job.rows_already_present += len(batch) - len(new)
            if new:
                await households.register_batch(session, new, surveyed_by=job.imported_by)
            job.rows_imported += len(new)
            job.members_imported += sum(len(data.members) for data in new)
            batch.clear()
        job.resume_after_row = last_row[0]
        session.add(job)
        await session.flush()
        batches_written[0] += 1
        if batches_written[0] % 10 == 1:
            await repository.refresh_statistics(session)
        if commit_batches:
            await session.commit()

    for number, cells in prepared.rows:
        if commit_batches and number % YIELD_EVERY_ROWS == 0:
            # A job shares the event loop with the API: let waiting requests run.
            await asyncio.sleep(0)
        replaying = number <= resume_after
        if not replaying:
            job.rows_read += 1
            last_row[0] = number
        values, errors = _row_values(columns, cells)
        if job.programme is not None and "programme" not in values:
            values["programme"] = job.programme
        if job.survey_round_id is not None:
            values["survey_round_id"] = job.survey_round_id
            # A community's round registers its households in that community.
            values["community_id"] = round_community
        for name, reason in errors:
            reject(number, name, reason)
        if errors:
            continue
        head_id = str(values.get("national_id", "")).replace("-", "").replace(" ", "")
        if members is not None:
            # Its member rows are accounted for by this row, imported or reported.
            members.claimed.add(head_id)
            bad_rows = members.invalid_rows.get(head_id)
            if bad_rows:
                listed = ", ".join(str(r) for r in bad_rows)
                reject(
                    number,
                    "members",
                    f"its members on sheet {MEMBERS_SHEET} rows {listed} are invalid",
                )
                continue
            values["members"] = members.valid.get(head_id, [])
        try:
            data = HouseholdCreate.model_validate(values)
        except ValidationError as invalid:
            for error in invalid.errors():
                name = str(error["loc"][0]) if error["loc"] else "row"
                reject(number, name, error["msg"])
            continue
        if round_subdistrict is not None and data.subdistrict_code != round_subdistrict:
            reject(number, "subdistrict_code", f"the round surveyed {round_subdistrict}")
            continue
        if data.national_id in seen:
            reject(
                number, "national_id", f"the same national ID is on row {seen[data.national_id]}"
            )
            continue
        seen[data.national_id] = number
        if replaying:
            continue
        batch.append(data)
        if len(batch) >= BATCH_SIZE:
            await write_batch()
    if members is not None:
        for head_id, rows_of_head in members.rows_of.items():
            if head_id not in members.claimed:
                for row in rows_of_head:
                    reject_member(
                        row,
                        members.head_column,
                        "no household row in the sheet has this head's national ID",
                    )
    await write_batch()


async def run_job(session: AsyncSession, job_id: uuid.UUID) -> HouseholdImport:
    """Run (or resume) a queued job from its spooled file; the worker calls this.

    Commits as it goes. A file that turns out unreadable, or any other failure,
    marks the job failed with the reason; rows already committed stay (uploading
    the file again completes it without duplicates).

    First, before any batch commits, every row is checked against the uploader's
    areas as recorded on the job: one row outside them fails the job with each such
    row in its error file, and nothing is imported. A resumed job checks again (the
    same file and areas pass again, so it goes on after its resume point).
    """
    job = await get(session, job_id)
    job.status = ImportStatus.RUNNING
    job.started_at = job.started_at or utcnow()
    session.add(job)
    await session.commit()
    try:
        principal = uploader(job)
        if principal is None:
            raise sheet.SheetRefused(
                "the job does not record which client uploaded it: upload it again"
            )
        survey_round = await _survey_round(session, job.survey_round_id, principal)
        if job.spool_path is None:
            raise sheet.SheetRefused("the job has no uploaded file")
        with _open_spool(job.spool_path) as copy:
            await asyncio.to_thread(check_rows_in_areas, job.spool_path, copy, principal)
        with contextlib.ExitStack() as files:
            file = files.enter_context(_open_spool(job.spool_path))
            members_file = None
            if job.members_spool_path is not None:
                members = files.enter_context(_open_spool(job.members_spool_path))
                members_file = (job.members_spool_path, members)
            prepared = prepare(
                job.spool_path, file, members_file, programme_given=job.programme is not None
            )
            await _import_rows(session, job, prepared, survey_round, principal, commit_batches=True)
        job.status = ImportStatus.DONE
    except RowsOutsideAreas as outside:
        await session.rollback()
        job = await get(session, job_id)
        job.status = ImportStatus.FAILED
        job.failure_reason = str(outside)
        job.rows_invalid = len(outside.rows)
        session.add_all(
            HouseholdImportError(
                import_id=job.id,
                sheet=HOUSEHOLDS_SHEET,
                row=r.row,
                column=outside.column,
                reason=r.reason,
            )
            for r in outside.rows
        )
    except Exception as exc:
        await session.rollback()
        log.exception("import job failed", extra={"import_id": str(job_id)})
        job = await get(session, job_id)
        job.status = ImportStatus.FAILED
        job.failure_reason = (
            str(exc) if isinstance(exc, sheet.SheetRefused) else (f"{type(exc).__name__}: {exc}")
        )
    job.finished_at = utcnow()
    session.add(job)
    await session.commit()
    _discard_spool(job)
    return job


def _open_spool(path: str) -> IO[bytes]:
    return Path(path).open("rb")


def _discard_spool(job: HouseholdImport) -> None:
    for path in (job.spool_path, job.members_spool_path):
        if path:
            Path(path).unlink(missing_ok=True)


async def recover_interrupted(session: AsyncSession) -> list[uuid.UUID]:
    """At start-up: jobs a stopped process left queued or running resume if their file
    is still spooled, else fail with the reason. Returns the jobs to run, oldest first."""
    resumable = []
    for job in await repository.unfinished(session):
        if job.spool_path and await asyncio.to_thread(Path(job.spool_path).exists):
            job.status = ImportStatus.QUEUED
            resumable.append(job.id)
        else:
            job.status = ImportStatus.FAILED
            job.failure_reason = "interrupted, and its uploaded file is gone: upload it again"
            job.finished_at = utcnow()
        session.add(job)
    await session.commit()
    return resumable


def ensure_finished(job: HouseholdImport) -> None:
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise Conflict(
            f"import {job.id} is still {job.status}: its error file is ready when it is done",
            import_status=str(job.status),
        )


HOUSEHOLDS_SHEET = "households"
MEMBERS_SHEET = "members"


@dataclass
class MemberRows:
    """The members sheet, read before the households so each household is written whole."""

    head_column: str
    valid: dict[str, list[dict[str, object]]] = dataclasses.field(default_factory=dict)
    invalid_rows: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    rows_of: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    errors: list[tuple[int, str, str]] = dataclasses.field(default_factory=list)
    # Heads whose household row was seen (imported, present already, or refused).
    claimed: set[str] = dataclasses.field(default_factory=set)


def _read_members(
    fmt: str, households_file: IO[bytes], members_file: tuple[str, IO[bytes]] | None
) -> MemberRows | None:
    """Members from a separate file, or from the workbook's members sheet; None if neither."""
    if members_file is not None:
        name, file = members_file
        member_fmt = sheet.detect_format(name, file.read(8))
        file.seek(0)
        if member_fmt == "csv":
            sheet.check_utf8(file)
        header, rows = sheet.read_rows(member_fmt, file)
    elif fmt == "xlsx":
        found = sheet.read_member_sheet(households_file)
        households_file.seek(0)
        if found is None:
            return None
        header, rows = found
    else:
        return None
    columns = sheet.map_member_headers(header)
    missing = [f for f in sheet.MEMBER_REQUIRED if f not in columns.values()]
    if missing:
        raise sheet.SheetRefused(f"the members sheet has no column for: {', '.join(missing)}")
    header_of = {f: header[i] for i, f in columns.items()}
    members = MemberRows(head_column=header_of["head_national_id"])
    for number, cells in rows:
        values = {
            f: sheet.member_coded(f, cells[i])
            for i, f in columns.items()
            if i < len(cells) and cells[i]
        }
        head_id = str(values.pop("head_national_id", "")).replace("-", "").replace(" ", "")
        if not head_id:
            members.errors.append((number, members.head_column, "the head's national ID is empty"))
            continue
        members.rows_of.setdefault(head_id, []).append(number)
        try:
            member = MemberIn.model_validate(values)
        except ValidationError as invalid:
            for error in invalid.errors():
                name = str(error["loc"][0]) if error["loc"] else "row"
                members.errors.append((number, header_of.get(name, name), error["msg"]))
            members.invalid_rows.setdefault(head_id, []).append(number)
            continue
        members.valid.setdefault(head_id, []).append(member.model_dump())
    return members


def _row_values(
    columns: dict[int, str], cells: list[str]
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    values: dict[str, object] = {}
    errors: list[tuple[str, str]] = []
    for index, field in columns.items():
        text = cells[index] if index < len(cells) else ""
        if not text:
            continue
        if field.endswith("_baht"):
            try:
                values[field.removesuffix("_baht") + "_satang"] = sheet.baht_to_satang(text)
            except ValueError as bad:
                errors.append((field, str(bad)))
        elif field.endswith("_satang"):
            # Money is strictly an integer once validated: a sheet's text is parsed here.
            try:
                values[field] = int(text.replace(",", ""))
            except ValueError:
                errors.append((field, "not a whole number of satang"))
        else:
            values[field] = sheet.coded(field, text)
    return values, errors


async def get(
    session: AsyncSession, import_id: uuid.UUID, principal: Principal | None = None
) -> HouseholdImport:
    """The job; with ``principal``, another client's job answers the same 404 as a
    missing one."""
    job = await repository.get(session, import_id, principal)
    if job is None:
        raise does_not_exist(f"import {import_id}")
    return job

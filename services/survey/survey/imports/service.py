"""Importing a survey sheet: each household whole or not at all, and a report of the rest.

A file is checked before anything is written (type, encoding, columns): a file
that cannot be read is refused and changes nothing. A small file is then
imported inside the request's transaction. A big one becomes a job
(``HouseholdImport`` with a status) kept with its file in the database, which
the import worker of any replica claims and runs (``worker``): each batch of
rows commits with the job's progress and its resume point (the last sheet row
done), so a crash loses at most the batch in flight, never half a household,
and the job resumes from the row after its resume point on whichever replica
claims it next. The rows themselves go through
``run.ImportRun`` (checked by ``rules``, written by ``repository``; on PostgreSQL
checked and written by SQL, ``staging``, with ``rules`` naming the problems).

A national ID already registered in the same round (or, without a round, with
no round) counts as already present and is not imported again: uploading the
same file twice creates no duplicates, and neither does a resumed job.
"""

import asyncio
import contextlib
import io
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, unknown_reference
from baan_shared.auth.principal import ALL_AREAS
from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, Forbidden, Unprocessable
from baan_shared.reference import Programme
from survey.imports import repository, sheet, staging
from survey.imports.models import HouseholdImport, HouseholdImportError, ImportStatus
from survey.imports.rules import Problem, RowChecker, check_member, compact_national_id
from survey.imports.run import (
    HOUSEHOLDS_SHEET,
    MEMBERS_SHEET,
    BatchRows,
    ImportRun,
    MemberRows,
)
from survey.programmes import repository as programmes
from survey.rounds import repository as rounds
from survey.rounds.models import SurveyRound

log = logging.getLogger(__name__)

__all__ = ["HOUSEHOLDS_SHEET", "MEMBERS_SHEET"]

# Rows checked and written together (a job commits once per batch): COPY on
# PostgreSQL pays off in big batches; SQLite writes row by row anyway.
BATCH_SIZE = {"postgresql": 5_000}
DEFAULT_BATCH_SIZE = 1_000
# Rows staged, checked and written together by SQL (PostgreSQL's set-based path).
STAGED_BATCH_SIZE = 10_000


def _refused(reason: str, field: str = "body.file") -> Unprocessable:
    return Unprocessable(reason, errors=[{"field": field, "reason": reason, "code": "invalid"}])


@dataclass
class PreparedSheet:
    """A survey sheet whose type, encoding and columns have been checked."""

    fmt: str
    rows: Iterator[tuple[int, list[str]]]
    columns: dict[int, str]
    header_of: dict[str, str]
    members: MemberRows | None


def prepare(
    filename: str,
    file: IO[bytes],
    members_file: tuple[str, IO[bytes]] | None,
    *,
    programme_given: bool,
) -> PreparedSheet:
    """Read the file far enough to refuse it whole (SheetRefused) or start importing it."""
    fmt = sheet.detect_format(filename, file.read(sheet.HEAD_BYTES))
    file.seek(0)
    if fmt == "csv":
        sheet.check_utf8(file)
    members = _read_members(fmt, file, members_file)
    header, rows = sheet.read_rows(fmt, file)
    columns = sheet.map_headers(header)
    missing = sheet.missing_columns(set(columns.values()), programme_given=programme_given)
    if missing:
        named = ", ".join(f"{field} ({sheet.thai_header(field)})" for field in missing)
        raise sheet.SheetRefused(f"the sheet has no column for: {named}")
    header_of = {name: header[i] for i, name in columns.items()}
    return PreparedSheet(fmt, rows, columns, header_of, members)


async def programme_names(session: AsyncSession) -> dict[str, str]:
    """Each programme's names as ``GET /v1/programmes`` lists them → its code: a sheet
    may name a programme by any of them."""
    names: dict[str, str] = {}
    for rules in await programmes.all_(session):
        names[rules.name_th] = str(rules.code)
        names[rules.name_en] = str(rules.code)
    return names


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

    @property
    def reason_th(self) -> str:
        return (
            f"จังหวัด {self.province_code} อำเภอ {self.district_code} ตำบล "
            f"{self.subdistrict_code}: อยู่นอกพื้นที่ที่ผู้ส่งไฟล์ดูแล"
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
    fmt = sheet.detect_format(filename, file.read(sheet.HEAD_BYTES))
    file.seek(0)
    header, rows = sheet.read_rows(fmt, file)
    columns = sheet.map_headers(header)
    column = next((header[i] for i, f in columns.items() if f == "province_code"), "")
    at = {f: i for i, f in columns.items() if f in _CODE_LENGTHS}
    outside: list[RowOutside] = []
    for number, cells in rows:
        codes = {f: cells[i] if i < len(cells) else "" for f, i in at.items()}
        if len(codes) < len(_CODE_LENGTHS) or not all(
            v.isdigit() and len(v) == _CODE_LENGTHS[f] for f, v in codes.items()
        ):
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
    queue: bool = False,
) -> HouseholdImport:
    """Import now, or (``queue``) check the file, keep it with a queued job.

    A sheet imported now with any row outside the principal's areas is refused
    whole (403, each row named); a queued job checks its rows when it runs.
    """
    survey_round = await _survey_round(session, survey_round_id, principal)
    try:
        if not queue and not principal.all_areas:
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
        status=ImportStatus.QUEUED if queue else ImportStatus.RUNNING,
    )
    session.add(job)
    await session.flush()
    if queue:
        await repository.keep_upload(session, job.id, HOUSEHOLDS_SHEET, file)
        if members_file is not None:
            await repository.keep_upload(session, job.id, MEMBERS_SHEET, members_file[1])
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


async def _import_rows(
    session: AsyncSession,
    job: HouseholdImport,
    prepared: PreparedSheet,
    survey_round: SurveyRound | None,
    principal: Principal,
    *,
    commit_batches: bool,
    counting: "asyncio.Future[int | None] | None" = None,
) -> None:
    """Check and write every row after the job's resume point (``run.ImportRun``);
    ``counting``, the sheet's rows being counted, for the job's ``rows_total``."""
    checker = RowChecker(
        prepared.columns,
        programme_names=await programme_names(session),
        programme=str(job.programme) if job.programme is not None else None,
    )
    batch_rows = BatchRows(
        checker=checker,
        members=prepared.members,
        resume_after=job.resume_after_row,
        round_subdistrict=survey_round.subdistrict_code if survey_round else None,
        round_id=job.survey_round_id,
        community_id=survey_round.community_id if survey_round else None,
    )
    dialect = (await session.connection()).dialect.name
    # On PostgreSQL a sheet's rows are checked and written by SQL (``staging``).
    staged = dialect == "postgresql" and staging.handles(
        prepared.columns, has_members=prepared.members is not None
    )
    await ImportRun(
        session,
        job,
        prepared.rows,
        batch_rows,
        prepared.header_of,
        principal,
        commit_batches=commit_batches,
        batch_size=STAGED_BATCH_SIZE if staged else BATCH_SIZE.get(dialect, DEFAULT_BATCH_SIZE),
        staged_columns=prepared.columns if staged else None,
        counting=counting,
    ).run()


async def run_job(session: AsyncSession, job_id: uuid.UUID, spool_dir: Path) -> HouseholdImport:
    """Run (or resume) a job the worker claimed, from a copy of its kept upload in
    ``spool_dir`` (this replica's own disk, removed when the run ends).

    Commits as it goes. A file that turns out unreadable, or any other failure,
    marks the job failed with the reason; rows already committed stay (uploading
    the file again completes it without duplicates). A job that ends, done or
    failed, drops its kept upload.

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
    counting: asyncio.Future[int | None] | None = None
    copies: list[Path] = []
    try:
        try:
            principal = uploader(job)
            if principal is None:
                raise sheet.SheetRefused(
                    "the job does not record which client uploaded it: upload it again"
                )
            survey_round = await _survey_round(session, job.survey_round_id, principal)
            copies = await _copy_upload(session, job, spool_dir)
            households_path = str(copies[0])
            members_path = str(copies[1]) if len(copies) > 1 else None
            with _open_spool(households_path) as copy:
                await asyncio.to_thread(check_rows_in_areas, households_path, copy, principal)
            if job.rows_total is None:
                # Counted in a pass of its own beside the import, not before it: the job
                # shows its total from the first batch committed after the count ends.
                counting = asyncio.ensure_future(asyncio.to_thread(_count_rows, households_path))
            with contextlib.ExitStack() as files:
                file = files.enter_context(_open_spool(households_path))
                members_file = None
                if members_path is not None:
                    members = files.enter_context(_open_spool(members_path))
                    members_file = (members_path, members)
                prepared = prepare(
                    households_path, file, members_file, programme_given=job.programme is not None
                )
                await _import_rows(
                    session,
                    job,
                    prepared,
                    survey_round,
                    principal,
                    commit_batches=True,
                    counting=counting,
                )
            job.status = ImportStatus.DONE
        except RowsOutsideAreas as outside:
            await session.rollback()
            job = await get(session, job_id)
            job.status = ImportStatus.FAILED
            job.failure_reason = str(outside)
            job.rows_invalid = job.problems_found = len(outside.rows)
            session.add_all(
                HouseholdImportError(
                    import_id=job.id,
                    sheet=HOUSEHOLDS_SHEET,
                    row=r.row,
                    column=outside.column,
                    reason=r.reason,
                    reason_th=r.reason_th,
                    value=r.province_code,
                )
                for r in outside.rows
            )
        except Exception as exc:
            await session.rollback()
            log.exception("import job failed", extra={"import_id": str(job_id)})
            job = await get(session, job_id)
            job.status = ImportStatus.FAILED
            job.failure_reason = (
                str(exc) if isinstance(exc, sheet.SheetRefused) else f"{type(exc).__name__}: {exc}"
            )
        if counting is not None:
            # A failed import leaves the count running: let it end before the file goes.
            await asyncio.wait([counting])
            if counting.exception() is None and job.rows_total is None:
                job.rows_total = counting.result()
        job.finished_at = utcnow()
        session.add(job)
        await repository.discard_upload(session, job.id)
        await session.commit()
        return job
    finally:
        # Stopped or not, this replica's copy goes; the kept upload stays until the end.
        if counting is not None and not counting.done():
            await asyncio.wait([counting])
        for path in copies:
            await asyncio.to_thread(path.unlink, True)


async def _copy_upload(session: AsyncSession, job: HouseholdImport, spool_dir: Path) -> list[Path]:
    """Write the job's kept upload to ``spool_dir``: the sheet's path, then the members
    file's if there is one (the readers need files, and the names keep their type)."""
    kept = await repository.uploaded_sheets(session, job.id)
    if HOUSEHOLDS_SHEET not in kept:
        raise sheet.SheetRefused("interrupted, and its uploaded file is gone: upload it again")
    await asyncio.to_thread(spool_dir.mkdir, parents=True, exist_ok=True)
    paths = [(HOUSEHOLDS_SHEET, spool_dir / f"{job.id}.{job.file_format}")]
    if MEMBERS_SHEET in kept:
        suffix = Path(job.members_filename or "").suffix.lower() or ".csv"
        paths.append((MEMBERS_SHEET, spool_dir / f"{job.id}-members{suffix}"))
    written = []
    for name, path in paths:
        out = await asyncio.to_thread(path.open, "wb")
        written.append(path)
        try:
            async for part in repository.upload_parts(session, job.id, name):
                await asyncio.to_thread(out.write, part)
        finally:
            await asyncio.to_thread(out.close)
    return written


def _count_rows(path: str) -> int | None:
    """The sheet's data rows, for progress (a CSV is counted in a pass of its own)."""
    with _open_spool(path) as file:
        head = file.read(sheet.HEAD_BYTES)
        file.seek(0)
        try:
            fmt = sheet.detect_format(path, head)
            if fmt == "csv":
                return sheet.count_csv_rows(file)
            _, rows = sheet.read_rows(fmt, file)
            return sum(1 for _ in rows)
        except sheet.SheetRefused:
            return None


def _open_spool(path: str) -> IO[bytes]:
    return Path(path).open("rb")


def ensure_finished(job: HouseholdImport) -> None:
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise Conflict(
            f"import {job.id} is still {job.status}: its error file is ready when it is done",
            import_status=str(job.status),
        )


def _read_members(
    fmt: str, households_file: IO[bytes], members_file: tuple[str, IO[bytes]] | None
) -> MemberRows | None:
    """Members from a separate file, or from the workbook's members sheet; None if neither."""
    if members_file is not None:
        name, file = members_file
        member_fmt = sheet.detect_format(name, file.read(sheet.HEAD_BYTES))
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
    members = MemberRows(head_column=header_of["head_national_id"], header_of=header_of)
    for number, cells in rows:
        values = {f: cells[i] for i, f in columns.items() if i < len(cells) and cells[i]}
        head_id = compact_national_id(values.pop("head_national_id", ""))
        if not head_id:
            members.problems.append(
                (
                    number,
                    Problem(
                        "head_national_id",
                        "",
                        "the head's national ID must be filled in",
                        "ต้องกรอกเลขประจำตัวประชาชนของหัวหน้าครัวเรือน",
                    ),
                )
            )
            continue
        members.rows_of.setdefault(head_id, []).append(number)
        member, problems = check_member(values)
        if problems:
            members.problems.extend((number, p) for p in problems)
            members.invalid_rows.setdefault(head_id, []).append(number)
            continue
        members.valid.setdefault(head_id, []).append(member)
    return members


async def get(
    session: AsyncSession, import_id: uuid.UUID, principal: Principal | None = None
) -> HouseholdImport:
    """The job; with ``principal``, another client's job answers the same 404 as a
    missing one."""
    job = await repository.get(session, import_id, principal)
    if job is None:
        raise does_not_exist(f"import {import_id}")
    return job


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    before: uuid.UUID | None,
    limit: int,
    status: ImportStatus | None,
) -> tuple[list[HouseholdImport], uuid.UUID | None]:
    """Up to ``limit`` of the client's jobs, newest first, older than ``before``; and
    the id to continue from (None on the last page)."""
    rows = await repository.page(session, principal, before=before, limit=limit + 1, status=status)
    items = rows[:limit]
    return items, items[-1].id if len(rows) > limit else None


async def errors(
    session: AsyncSession, job: HouseholdImport, *, limit: int | None = None
) -> list[HouseholdImportError]:
    """The job's problems by sheet and row (the first ``limit`` of them)."""
    return await repository.errors(session, job.id, limit=limit)


def progress(job: HouseholdImport) -> tuple[float | None, float | None]:
    """Rows read per second since the job started, and at that rate the seconds left."""
    if job.started_at is None or job.rows_read == 0:
        return None, None
    end = job.finished_at or utcnow()
    seconds = max((end - job.started_at).total_seconds(), 1e-3)
    rate = job.rows_read / seconds
    if job.status != ImportStatus.RUNNING or job.rows_total is None:
        return round(rate, 1), None
    return round(rate, 1), round(max(job.rows_total - job.rows_read, 0) / rate, 1)


def outcome(job: HouseholdImport) -> tuple[str, str]:
    """What happened to the upload, in a sentence in English and in Thai."""
    if job.status == ImportStatus.QUEUED:
        return "Queued: the import starts shortly.", "อยู่ในคิว: จะเริ่มนำเข้าในไม่ช้า"
    if job.status == ImportStatus.RUNNING:
        of = f" of {job.rows_total:,}" if job.rows_total is not None else ""
        of_th = f" จาก {job.rows_total:,}" if job.rows_total is not None else ""
        return (
            f"Running: {job.rows_read:,}{of} rows read.",
            f"กำลังนำเข้า: อ่านแล้ว {job.rows_read:,}{of_th} แถว",
        )
    if job.status == ImportStatus.FAILED:
        return (
            f"Failed, nothing more was imported: {job.failure_reason}",
            f"นำเข้าไม่สำเร็จ: {job.failure_reason}",
        )
    if job.rows_read == 0:
        return (
            "The sheet has no data rows: nothing was imported.",
            "ไฟล์ไม่มีแถวข้อมูล: ไม่มีการนำเข้า",
        )
    if job.rows_already_present == job.rows_read:
        return (
            f"Every row was already imported ({job.rows_read:,} rows): nothing new was added.",
            f"ทุกแถวเคยนำเข้าแล้ว ({job.rows_read:,} แถว): ไม่มีข้อมูลใหม่",
        )
    en = [f"{job.rows_imported:,} households imported"]
    th = [f"นำเข้า {job.rows_imported:,} ครัวเรือน"]
    if job.rows_already_present:
        en.append(f"{job.rows_already_present:,} already imported before")
        th.append(f"เคยนำเข้าแล้ว {job.rows_already_present:,} แถว")
    if job.rows_invalid:
        en.append(
            f"{job.rows_invalid:,} rows not imported for {job.problems_found:,} problems "
            "(see the error file)"
        )
        th.append(
            f"ไม่ได้นำเข้า {job.rows_invalid:,} แถว พบปัญหา {job.problems_found:,} รายการ "
            "(ดูไฟล์รายการข้อผิดพลาด)"
        )
    return "; ".join(en) + ".", " ".join(th)

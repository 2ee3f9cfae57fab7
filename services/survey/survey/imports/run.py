"""One pass over a survey sheet's rows: check them, write the valid ones, report the rest.

``ImportRun`` is the import's steps by name: report the members sheet's
problems, check each row (``rules``, then what needs the whole file: a national
ID used twice, its members, the round's sub-district), write each batch
(already-registered IDs skipped, households, members, transitions, duplicate
flags and ``household.surveyed`` events in the caller's transaction), and at
the end report member rows that no household claimed. Rows are checked in a
worker thread a batch ahead of the batch being written, so the database and
Python work at once. On PostgreSQL the thread only reads a batch ahead: the
batch is staged and checked by SQL (``staging``) on a second connection while
the batch before is written on the import's, and only the rows SQL does not
pass are checked here, by ``rules``.
"""

import asyncio
import itertools
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.clock import utcnow
from baan_shared.collector import old_objects_frozen
from survey.imports import repository, staging
from survey.imports.models import HouseholdImport
from survey.imports.rules import Problem, RowChecker

HOUSEHOLDS_SHEET = "households"
MEMBERS_SHEET = "members"

# The set-based path's first batch holds this many rows, each next one twice as many up to
# the batch size: the database starts writing while the rest is still read and checked.
FIRST_STAGED_ROWS = 1_000


@dataclass
class MemberRows:
    """The members sheet, read before the households so each household is written whole."""

    head_column: str
    header_of: dict[str, str]
    valid: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    invalid_rows: dict[str, list[int]] = field(default_factory=dict)
    rows_of: dict[str, list[int]] = field(default_factory=dict)
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    # Heads whose household row was seen (imported, present already, or refused).
    claimed: set[str] = field(default_factory=set)


@dataclass
class CheckedBatch:
    """Rows checked together: the households to write and the problems to report."""

    households: list[dict[str, Any]] = field(default_factory=list)
    # (sheet row, problems): one entry per refused row.
    refused: list[tuple[int, list[Problem]]] = field(default_factory=list)
    rows_read: int = 0
    last_row: int = 0
    done: bool = False

    def take(self, number: int, household: dict[str, Any] | None, problems: list[Problem]) -> bool:
        """Count sheet row ``number`` in: refused with its problems, or a household to
        write; False when it is neither (a row SQL passed, written by the staged path)."""
        self.rows_read += 1
        self.last_row = number
        if problems:
            self.refused.append((number, problems))
        elif household is not None:
            self.households.append(household)
        else:
            return False
        return True


@dataclass
class BatchRows:
    """What the checker knows across batches: IDs seen and rows skipped on a resume."""

    checker: RowChecker
    members: MemberRows | None
    resume_after: int
    round_subdistrict: str | None
    round_id: uuid.UUID | None
    community_id: uuid.UUID | None
    # National ID (as a number: half the memory of text) → the first row it is on.
    seen: dict[int, int] = field(default_factory=dict)

    def check_batch(self, rows: Iterator[tuple[int, list[str]]], size: int) -> CheckedBatch:
        """Check up to ``size`` rows after the resume point (in a worker thread)."""
        batch = CheckedBatch()
        for number, cells in rows:
            replaying = number <= self.resume_after
            household, problems = self.check_row(number, cells)
            if replaying:
                continue  # checked only to know the IDs and members it used
            batch.take(number, household, problems)
            if batch.rows_read >= size:
                return batch
        batch.done = True
        return batch

    def check_row(
        self, number: int, cells: list[str]
    ) -> tuple[dict[str, Any] | None, list[Problem]]:
        household, problems = self.checker.check(cells)
        national_id = household.get("national_id")
        members = self.members
        if members is not None and national_id is not None:
            # Its member rows are accounted for by this row, imported or reported.
            members.claimed.add(national_id)
            bad_rows = members.invalid_rows.get(national_id)
            if bad_rows:
                listed = ", ".join(str(r) for r in bad_rows)
                problems.append(
                    Problem(
                        "members",
                        listed,
                        f"its members on sheet {MEMBERS_SHEET} rows {listed} are invalid",
                        f"สมาชิกของครัวเรือนนี้ในชีต {MEMBERS_SHEET} แถว {listed} ไม่ถูกต้อง",
                    )
                )
            else:
                household["members"] = members.valid.get(national_id, [])
                size = household.get("household_size")
                count = len(household["members"])
                if size is not None and count > size:
                    problems.append(
                        Problem(
                            "members",
                            str(count),
                            f"{count} members listed but household_size is {size}",
                            f"มีสมาชิก {count} คนแต่จำนวนสมาชิกในครัวเรือนคือ {size}",
                        )
                    )
        if problems:
            return None, problems
        problem = self.place(number, household["subdistrict_code"], national_id)
        if problem is not None:
            return None, [problem]
        household.setdefault("members", [])
        household["survey_round_id"] = self.round_id
        # A community's round registers its households in that community.
        household["community_id"] = self.community_id
        return household, []

    def place(self, number: int, subdistrict: str, national_id: str) -> Problem | None:
        """What a row valid on its own may still break: the round's sub-district, or a
        national ID an earlier row of the file already used."""
        if self.round_subdistrict is not None and subdistrict != self.round_subdistrict:
            return Problem(
                "subdistrict_code",
                subdistrict,
                f"the round surveyed sub-district {self.round_subdistrict} only",
                f"รอบสำรวจนี้สำรวจเฉพาะตำบล {self.round_subdistrict}",
            )
        first = self.seen.setdefault(int(national_id), number)
        if first != number:
            return Problem(
                "national_id",
                national_id,
                f"the same national ID is on row {first}",
                f"เลขประจำตัวประชาชนเดียวกันอยู่ในแถว {first}",
            )
        return None

    def read_batch(
        self, rows: Iterator[tuple[int, list[str]]], size: int, columns: Mapping[int, str]
    ) -> "StagedBatch":
        """Up to ``size`` rows as read, and their staging records (in a worker thread)."""
        read = list(itertools.islice(rows, size))
        return StagedBatch(read, staging.stage_records(columns, read), done=len(read) < size)


@dataclass
class StagedBatch:
    """Rows read together for the set-based path: cells as read, records to stage,
    SQL's judgement of them (``staging.check``), and then the batch as ``check_staged``
    makes it: refused rows and households to write (``checked``), and the rows SQL
    passed that are still to register (``passed``)."""

    rows: list[tuple[int, list[str]]]
    records: list[tuple[Any, ...]]
    done: bool
    judged: staging.Judged | None = None
    checked: CheckedBatch = field(default_factory=CheckedBatch)
    passed: list[int] = field(default_factory=list)


class ImportRun:
    """Import every row after the job's resume point, batch by batch.

    Rows up to the resume point were done before an interruption: they are read
    again only to know which national IDs the file already used, and which
    members rows they accounted for.
    """

    def __init__(
        self,
        session: AsyncSession,
        job: HouseholdImport,
        rows: Iterator[tuple[int, list[str]]],
        batch_rows: BatchRows,
        header_of: dict[str, str],
        principal: Principal,
        *,
        commit_batches: bool,
        batch_size: int,
        staged_columns: Mapping[int, str] | None = None,
        counting: "asyncio.Future[int | None] | None" = None,
    ) -> None:
        self.session = session
        self.job = job
        self.rows = rows
        self.batch_rows = batch_rows
        self.header_of = header_of
        self.principal = principal
        self.commit_batches = commit_batches
        self.batch_size = batch_size
        self.batches_written = 0
        self._pending: list[dict[str, Any]] = []
        # The sheet's columns when its batches take the set-based path (``staging``).
        self.staged_columns = staged_columns
        self._batches_read = 0
        # The sheet's rows, counted beside the import: the job's total once known.
        self.counting = counting

    async def run(self) -> None:
        with old_objects_frozen():
            await self._run()

    async def _run(self) -> None:
        if self.batch_rows.members is not None and self.job.resume_after_row == 0:
            self.report_member_sheet_problems()
        checking = self._check_next()
        try:
            while True:
                batch = await checking
                if not batch.done:
                    # The next batch is checked while this one is written.
                    checking = self._check_next()
                if isinstance(batch, StagedBatch):
                    await self.write(batch.checked, batch.passed, batch.judged)
                else:
                    await self.write(batch)
                if batch.done:
                    break
        finally:
            # A failed write leaves the next batch's check running: let it end before
            # the caller closes the file it reads.
            if not checking.done():
                await asyncio.wait([checking])
        self.report_unclaimed_members()
        await self._flush_problems()
        if self.counting is not None:
            await asyncio.wait([self.counting])
        await self._save_progress()

    def _check_next(self) -> "asyncio.Future[CheckedBatch | StagedBatch]":
        if self.staged_columns is not None:
            return asyncio.ensure_future(self._read_and_judge(self.staged_columns))
        return asyncio.ensure_future(
            asyncio.to_thread(self.batch_rows.check_batch, self.rows, self.batch_size)
        )

    async def _read_and_judge(self, columns: Mapping[int, str]) -> StagedBatch:
        """The next batch read (in a worker thread), judged by SQL on a connection of its
        own (``staging.check``) and then by Python (``check_staged``): all while the batch
        before is written. Batches are judged one after the other, each after the one
        before it, so the national IDs seen so far are those of the rows before."""
        size = min(self.batch_size, FIRST_STAGED_ROWS << min(self._batches_read, 20))
        self._batches_read += 1
        staged = await asyncio.to_thread(self.batch_rows.read_batch, self.rows, size, columns)
        if staged.rows:
            checker = self.batch_rows.checker
            staged.judged = await staging.check(
                self.session,
                staging.present(columns),
                staged.records,
                checker.answers_by_field,
                checker.default_programme,
            )
        self.check_staged(staged)
        return staged

    def check_staged(self, staged: StagedBatch) -> None:
        """After SQL (``staging.check``), what needs the whole file (``place``) for the
        rows SQL passed; the rows it does not pass are checked by ``rules``, which names
        their problems. Fills in ``staged.checked`` as ``check_batch`` would make the
        batch, and ``staged.passed``: the rows SQL passed that are still to register
        (sheet row numbers; ``staged.judged`` holds what they become)."""
        batch = staged.checked
        batch.done = staged.done
        passed = staged.passed
        if staged.judged is None:
            return
        rows = self.batch_rows
        cells_of = dict(staged.rows)
        resume_after = rows.resume_after
        for number, sql_passed, national_id, subdistrict_code in staged.judged.verdicts:
            household = None
            if sql_passed:
                problem = rows.place(number, subdistrict_code, national_id)
                problems = [problem] if problem is not None else []
            else:
                household, problems = rows.check_row(number, cells_of[number])
            if number <= resume_after:
                continue  # checked only to know the IDs it used
            if not batch.take(number, household, problems):
                passed.append(number)

    async def write(
        self,
        batch: CheckedBatch,
        passed: list[int] | None = None,
        judged: staging.Judged | None = None,
    ) -> None:
        """One batch: its refused rows reported, its new households registered, the
        job's progress saved (and committed, for a job)."""
        job = self.job
        job.rows_read += batch.rows_read
        if batch.last_row:
            job.resume_after_row = batch.last_row
        for number, problems in batch.refused:
            self.report(HOUSEHOLDS_SHEET, number, problems)
        job.rows_invalid += len(batch.refused)
        if batch.households or passed:
            await self.register_new(batch.households, passed or [], judged)
        await self._flush_problems()
        await self._save_progress()
        self.batches_written += 1
        if self.batches_written % 10 == 1:
            await repository.refresh_statistics(self.session)
        if self.commit_batches:
            await self.session.commit()

    async def register_new(
        self,
        households: list[dict[str, Any]],
        passed: list[int],
        judged: staging.Judged | None = None,
    ) -> None:
        """Register the batch's households whose national ID is not registered yet:
        ``households`` checked by ``rules``, ``passed`` (sheet row numbers) staged rows
        checked by SQL (``judged``)."""
        job, session = self.job, self.session
        # One import at a time per round writes, so two uploads of the same file at
        # once cannot both find a national ID absent and both register it.
        await repository.lock_round(session, job.survey_round_id)
        new = households
        if households:
            present = await repository.registered_national_ids(
                session, [h["national_id"] for h in households], job.survey_round_id, self.principal
            )
            new = [h for h in households if h["national_id"] not in present]
            if new:
                await repository.register_households(session, new, surveyed_by=job.imported_by)
        registered = 0
        if passed:
            assert judged is not None
            # Those already registered are found and skipped by SQL.
            registered = await staging.register(
                session,
                passed,
                judged=judged,
                now=utcnow(),
                surveyed_by=job.imported_by,
                survey_round_id=self.batch_rows.round_id,
                community_id=self.batch_rows.community_id,
                principal=self.principal,
            )
        job.rows_already_present += len(households) + len(passed) - len(new) - registered
        job.rows_imported += len(new) + registered
        job.members_imported += sum(len(h["members"]) for h in new)

    def report(self, sheet: str, row: int, problems: list[Problem]) -> None:
        """Each problem of one refused row, for the error file."""
        self.job.problems_found += len(problems)
        header_of = self.header_of if sheet == HOUSEHOLDS_SHEET else self._member_headers()
        for problem in problems:
            self._pending.append(
                {
                    "import_id": self.job.id,
                    "sheet": sheet,
                    "row": row,
                    "column": header_of.get(problem.field, problem.field),
                    "reason": problem.reason,
                    "reason_th": problem.reason_th,
                    "value": problem.value or None,
                }
            )

    def _member_headers(self) -> dict[str, str]:
        members = self.batch_rows.members
        return members.header_of if members is not None else {}

    async def _flush_problems(self) -> None:
        if self._pending:
            await repository.add_errors(self.session, self._pending)
            self._pending = []

    async def _save_progress(self) -> None:
        if self.counting is not None and self.counting.done():
            if self.counting.exception() is None:
                self.job.rows_total = self.counting.result()
            self.counting = None
        self.session.add(self.job)
        await self.session.flush()

    def report_member_sheet_problems(self) -> None:
        members = self.batch_rows.members
        assert members is not None
        by_row: dict[int, list[Problem]] = {}
        for row, problem in members.problems:
            by_row.setdefault(row, []).append(problem)
        for row, problems in by_row.items():
            self.report(MEMBERS_SHEET, row, problems)
        self.job.members_invalid += len(by_row)

    def report_unclaimed_members(self) -> None:
        members = self.batch_rows.members
        if members is None:
            return
        for head_id, rows_of_head in members.rows_of.items():
            if head_id in members.claimed:
                continue
            for row in rows_of_head:
                problem = Problem(
                    "head_national_id",
                    head_id,
                    "no household row in the sheet has this head's national ID",
                    "ไม่มีแถวครัวเรือนใดในชีตที่มีเลขประจำตัวประชาชนของหัวหน้าครัวเรือนนี้",
                )
                self.report(MEMBERS_SHEET, row, [problem])
                self.job.members_invalid += 1

"""Importing a survey sheet: every valid row or none, and a report of the rest.

Valid rows are written in batches inside the request's one transaction, so a
failure half-way leaves nothing behind. A national ID already registered in the
same round (or, without a round, with no round) is counted as already present
and not imported again: uploading the same file twice creates no duplicates.
"""

import dataclasses
import uuid
from dataclasses import dataclass
from typing import IO

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.http.errors import NotFound, Unprocessable
from baan_shared.reference import Programme
from survey.households import service as households
from survey.households.schemas import HouseholdCreate, MemberIn
from survey.imports import repository, sheet
from survey.imports.models import HouseholdImport, HouseholdImportError
from survey.rounds import repository as rounds

BATCH_SIZE = 500


def _refused(reason: str, field: str = "body.file") -> Unprocessable:
    return Unprocessable(reason, errors=[{"field": field, "reason": reason, "code": "invalid"}])


async def import_sheet(
    session: AsyncSession,
    *,
    filename: str,
    file: IO[bytes],
    imported_by: str,
    survey_round_id: uuid.UUID | None,
    programme: Programme | None,
    members_file: tuple[str, IO[bytes]] | None = None,
) -> HouseholdImport:
    round_subdistrict = None
    round_community = None
    if survey_round_id is not None:
        survey_round = await rounds.get(session, survey_round_id)
        if survey_round is None:
            raise _refused(f"survey round {survey_round_id} does not exist", "body.survey_round_id")
        round_subdistrict = survey_round.subdistrict_code
        round_community = survey_round.community_id
    try:
        fmt = sheet.detect_format(filename, file.read(8))
        file.seek(0)
        if fmt == "csv":
            sheet.check_utf8(file)
        header, rows = sheet.read_rows(fmt, file)
        members = _read_members(fmt, file, members_file)
    except sheet.SheetRefused as refused:
        raise _refused(str(refused)) from None
    columns = sheet.map_headers(header)
    missing = sheet.missing_columns(set(columns.values()), programme_given=programme is not None)
    if missing:
        raise _refused(f"the sheet has no column for: {', '.join(missing)}")
    header_of = {field: header[i] for i, field in columns.items()}
    for field, text in list(header_of.items()):
        if field.endswith("_baht"):  # validation names the satang field it became
            header_of[field.removesuffix("_baht") + "_satang"] = text

    job = HouseholdImport(
        filename=filename[:255],
        file_format=fmt,
        survey_round_id=survey_round_id,
        imported_by=imported_by,
    )
    session.add(job)
    await session.flush()

    seen: dict[str, int] = {}
    batches_written = [0]
    batch: list[HouseholdCreate] = []

    def reject(row: int, field: str, reason: str) -> None:
        job.rows_invalid += 1
        session.add(
            HouseholdImportError(
                import_id=job.id,
                sheet=HOUSEHOLDS_SHEET,
                row=row,
                column=header_of.get(field, field),
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

    if members is not None:
        for row, column, reason in members.errors:
            reject_member(row, column, reason)

    async def write_batch() -> None:
        present = await repository.registered_national_ids(
            session, [h.national_id for h in batch], survey_round_id
        )
        new = [data for data in batch if data.national_id not in present]
        job.rows_already_present += len(batch) - len(new)
        if new:
            await households.register_batch(session, new, surveyed_by=imported_by)
        job.rows_imported += len(new)
        job.members_imported += sum(len(data.members) for data in new)
        batch.clear()
        batches_written[0] += 1
        if batches_written[0] % 10 == 1:
            await repository.refresh_statistics(session)

    try:
        for number, cells in rows:
            job.rows_read += 1
            values, errors = _row_values(columns, cells)
            if programme is not None and "programme" not in values:
                values["programme"] = programme
            if survey_round_id is not None:
                values["survey_round_id"] = survey_round_id
                # A community's round registers its households in that community.
                values["community_id"] = round_community
            for field, reason in errors:
                reject(number, field, reason)
            if errors:
                continue
            head_id = str(values.get("national_id", "")).replace("-", "").replace(" ", "")
            if members is not None:
                # Its member rows are accounted for by this row, imported or reported.
                members.claimed.add(head_id)
                bad_rows = members.invalid_rows.get(head_id)
                if bad_rows:
                    listed = ", ".join(str(r) for r in bad_rows)
                    reason = f"its members on sheet {MEMBERS_SHEET} rows {listed} are invalid"
                    reject(number, "members", reason)
                    continue
                values["members"] = members.valid.get(head_id, [])
            try:
                data = HouseholdCreate.model_validate(values)
            except ValidationError as invalid:
                for error in invalid.errors():
                    field = str(error["loc"][0]) if error["loc"] else "row"
                    reject(number, field, error["msg"])
                continue
            if round_subdistrict is not None and data.subdistrict_code != round_subdistrict:
                reject(number, "subdistrict_code", f"the round surveyed {round_subdistrict}")
                continue
            if data.national_id in seen:
                reject(
                    number,
                    "national_id",
                    f"the same national ID is on row {seen[data.national_id]}",
                )
                continue
            seen[data.national_id] = number
            batch.append(data)
            if len(batch) >= BATCH_SIZE:
                await write_batch()
        if batch:
            await write_batch()
    except sheet.SheetRefused as refused:
        raise _refused(str(refused)) from None
    if members is not None:
        for head_id, rows_of_head in members.rows_of.items():
            if head_id not in members.claimed:
                for row in rows_of_head:
                    reject_member(
                        row,
                        members.head_column,
                        "no household row in the sheet has this head's national ID",
                    )
    session.add(job)
    await session.flush()
    return job


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
        else:
            values[field] = sheet.coded(field, text)
    return values, errors


async def get(session: AsyncSession, import_id: uuid.UUID) -> HouseholdImport:
    job = await repository.get(session, import_id)
    if job is None:
        raise NotFound(f"import {import_id} does not exist")
    return job

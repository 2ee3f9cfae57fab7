"""Importing a survey sheet: every valid row or none, and a report of the rest.

Valid rows are written in batches inside the request's one transaction, so a
failure half-way leaves nothing behind. A national ID already registered in the
same round (or, without a round, with no round) is counted as already present
and not imported again: uploading the same file twice creates no duplicates.
"""

import uuid
from typing import IO

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.http.errors import NotFound, Unprocessable
from baan_shared.reference import Programme
from survey.households import service as households
from survey.households.schemas import HouseholdCreate
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
                import_id=job.id, row=row, column=header_of.get(field, field), reason=reason
            )
        )

    async def write_batch() -> None:
        present = await repository.registered_national_ids(
            session, [h.national_id for h in batch], survey_round_id
        )
        new = [data for data in batch if data.national_id not in present]
        job.rows_already_present += len(batch) - len(new)
        if new:
            await households.register_batch(session, new, surveyed_by=imported_by)
        job.rows_imported += len(new)
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
    session.add(job)
    await session.flush()
    return job


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

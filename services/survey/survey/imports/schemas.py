"""What the import API returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from survey.imports.models import ImportStatus


class ImportErrorPublic(BaseModel):
    sheet: str = Field(description="households, or members (the members sheet or file)")
    row: int = Field(description="Row in the sheet; the header is row 1")
    column: str = Field(description="The column's header as written in the file")
    value: str | None = Field(
        default=None, description="The cell's value as written; null when the cell is empty"
    )
    reason: str = Field(description="The value and the rule it breaks, in English")
    reason_th: str | None = Field(default=None, description="The same, in Thai")


class HouseholdImportPublic(BaseModel):
    id: uuid.UUID
    status: ImportStatus = Field(description="queued, running, done or failed")
    failure_reason: str | None
    filename: str
    members_filename: str | None
    file_format: str
    survey_round_id: uuid.UUID | None
    imported_by: str
    client_id: str | None = Field(
        description="The partner client that uploaded it (null before partner access)"
    )
    rows_read: int
    rows_imported: int
    rows_already_present: int = Field(
        description="Rows whose national ID is already registered in this round: not imported again"
    )
    rows_invalid: int = Field(description="Rows not imported for a problem, each counted once")
    problems_found: int = Field(
        description="Problems in those rows (a row may have several): the error file's lines"
    )
    rows_total: int | None = Field(
        description="Data rows in the sheet, once a job has counted them (progress: rows_read "
        "of rows_total)"
    )
    rows_per_second: float | None = Field(description="Rows read per second since it started")
    seconds_left: float | None = Field(
        description="At that rate, the time a running job still needs"
    )
    outcome: str = Field(description="What happened, in a sentence (English)")
    outcome_th: str = Field(description="The same, in Thai")
    members_imported: int
    members_invalid: int = Field(description="Member rows reported in the error file")
    resume_after_row: int = Field(description="Progress: the last sheet row done")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    first_errors: list[ImportErrorPublic] = Field(
        description="Up to 20 errors; download all with GET .../errors"
    )


class HouseholdImportsPublic(BaseModel):
    items: list[HouseholdImportPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")

"""What the import API returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from survey.imports.models import ImportStatus


class ImportErrorPublic(BaseModel):
    sheet: str = Field(description="households, or members (the members sheet or file)")
    row: int = Field(description="Row in the sheet; the header is row 1")
    column: str = Field(description="The column's header as written in the file")
    reason: str


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
    rows_invalid: int
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

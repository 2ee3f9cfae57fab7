"""One uploaded survey sheet, and each row it could not import."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from baan_shared.reference import Programme


class ImportStatus(StrEnum):
    QUEUED = "queued"  # checked and kept with its file; no worker runs it yet
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # see failure_reason; rows committed before it stay


class HouseholdImport(SQLModel, table=True):
    """One uploaded survey sheet: a job with its status, progress and resume point."""

    __tablename__ = "household_imports"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    filename: str = Field(max_length=255)
    file_format: str = Field(max_length=8)
    survey_round_id: uuid.UUID | None = Field(default=None, foreign_key="survey_rounds.id")
    imported_by: str = Field(max_length=200)
    # The partner client that uploaded it and the areas its token held then: only
    # that client (or a national one) reads the job, and the worker checks every
    # row against these areas, since the token is long gone when the job runs.
    # Null on jobs uploaded before partner access.
    client_id: str | None = Field(default=None, max_length=255, index=True)
    client_areas: str | None = Field(
        default=None,
        sa_column=Column(Text, nullable=True),
        description="Space-separated area codes, or * for the whole country",
    )
    rows_read: int = 0
    rows_imported: int = 0
    rows_already_present: int = 0
    # Rows refused (each counted once, whatever number of problems it has) ...
    rows_invalid: int = 0
    # ... and the problems found in them, one per line of the error file.
    problems_found: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Data rows in the sheet, counted before the job starts: progress is rows_read of it.
    rows_total: int | None = None
    status: ImportStatus = Field(
        default=ImportStatus.DONE,
        sa_type=enum_type(ImportStatus),
        sa_column_kwargs={"server_default": "done"},
        index=True,
    )
    failure_reason: str | None = Field(default=None, sa_column=Column(Text))
    programme: Programme | None = Field(default=None, sa_type=enum_type(Programme), nullable=True)
    members_filename: str | None = Field(default=None, max_length=255)
    # The worker (any replica) running the job, and until when its claim holds: the
    # worker renews it while it runs; an expired claim lets another replica resume.
    claimed_by: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # The last sheet row whose outcome is committed: a resumed job starts after it.
    resume_after_row: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    started_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    members_imported: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    members_invalid: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class HouseholdImportError(SQLModel, table=True):
    __tablename__ = "household_import_errors"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    import_id: uuid.UUID = Field(foreign_key="household_imports.id", index=True)
    # households or members: which sheet (or file) of the upload the row is on.
    sheet: str = Field(
        default="households", max_length=20, sa_column_kwargs={"server_default": "households"}
    )
    row: int = Field(description="Row number in the sheet; the header is row 1")
    column: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    # The same reason in Thai, and the cell's value as written (null on older errors).
    reason_th: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class HouseholdImportFile(SQLModel, table=True):
    """A queued job's uploaded file, kept in the database in parts of a mebibyte, so that
    whichever replica claims the job reads it (a pod's disk is its own); removed when
    the job ends."""

    __tablename__ = "household_import_files"

    import_id: uuid.UUID = Field(foreign_key="household_imports.id", primary_key=True)
    # households, or members for a separate members file
    sheet: str = Field(max_length=20, primary_key=True)
    part: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))

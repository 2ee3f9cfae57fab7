"""/v1/household-imports: upload a survey sheet; read its summary and its error file."""

import uuid
from typing import Annotated

from fastapi import (
    APIRouter,
    BackgroundTasks,
    File,
    Form,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)

from baan_shared.auth.audit import audit_resource
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.reference import Programme
from survey.access import Reader, Writer
from survey.imports import service, template
from survey.imports.models import HouseholdImport, ImportStatus
from survey.imports.schemas import HouseholdImportPublic, HouseholdImportsPublic, ImportErrorPublic
from survey.settings import SurveySettings
from survey.tables import MEDIA_TYPES, TableFormat, download, write_table

router = APIRouter(
    prefix="/v1/household-imports",
    tags=["imports"],
    responses=problem_responses(
        {
            403: "A row lies outside the client's areas; `errors` names each, nothing imported",
            404: "No such import",
            409: "The import is still running",
            422: "The file cannot be read; nothing was imported",
        }
    ),
)


async def _public(session: SessionDep, job: HouseholdImport) -> HouseholdImportPublic:
    first = await service.errors(session, job, limit=20)
    rate, left = service.progress(job)
    outcome, outcome_th = service.outcome(job)
    return HouseholdImportPublic(
        **job.model_dump(),
        rows_per_second=rate,
        seconds_left=left,
        outcome=outcome,
        outcome_th=outcome_th,
        first_errors=[ImportErrorPublic.model_validate(e, from_attributes=True) for e in first],
    )


_IMPORT_DESCRIPTION = """Import every valid row; report the others by row, column, value and reason.

Thai or English column headers are accepted (below); money columns in baht
(รายได้ต่อเดือน) or satang. A file of the wrong type or encoding, or without the
required columns, is refused with 422 and nothing is imported. A small file is
imported at once (201, `status: done`); a file over
`SURVEY_IMPORT_INLINE_MAX_BYTES` is queued (202, `status: queued`) and
`GET /v1/household-imports/{id}` shows its progress (`rows_read` of `rows_total`,
`rows_per_second`, `seconds_left`).

`rows_invalid` counts the rows not imported; `problems_found` the problems in
them (one line each in the error file, naming the value as written and the rule
it breaks, in English and Thai).

Every row must lie in the client's areas: a small file with any row outside them
is refused whole (403, `errors` names each row and its codes); a queued job with
such rows fails with them in its error file. Either way nothing is imported.

""" + template.guide()


SurveySheet = Annotated[UploadFile, File(description="A .csv (UTF-8) or .xlsx survey sheet")]
MembersSheet = Annotated[
    UploadFile | None,
    File(
        description="Members as a separate .csv or .xlsx, one row per person keyed by the "
        "head's national ID (an .xlsx survey sheet may carry them on a 'members' sheet)"
    ),
]
ProgrammeForm = Annotated[
    Programme | None, Form(description="For rows whose sheet has no programme column")
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=HouseholdImportPublic,
    responses={202: {"description": "A big file: queued as a job; follow Location"}},
    description=_IMPORT_DESCRIPTION,
)
@idempotent
async def import_households(
    request: Request,
    response: Response,
    background: BackgroundTasks,
    session: SessionDep,
    principal: Writer,
    file: SurveySheet,
    imported_by: Annotated[str, Form(min_length=1, max_length=200)],
    survey_round_id: Annotated[uuid.UUID | None, Form()] = None,
    programme: ProgrammeForm = None,
    members_file: MembersSheet = None,
) -> HouseholdImportPublic:
    settings: SurveySettings = request.app.state.runtime.settings
    sizes = [file.size or 0, (members_file.size or 0) if members_file else 0]
    as_job = sum(sizes) > settings.import_inline_max_bytes
    job = await service.import_sheet(
        session,
        filename=file.filename or "upload",
        file=file.file,
        imported_by=imported_by,
        survey_round_id=survey_round_id,
        programme=programme,
        principal=principal,
        members_file=(
            (members_file.filename or "members", members_file.file) if members_file else None
        ),
        queue=as_job,
    )
    audit_resource(request, "household_imports", job.id)
    if as_job:
        response.status_code = status.HTTP_202_ACCEPTED
        response.headers["location"] = f"/v1/household-imports/{job.id}"
        # After the response, hence after the request's transaction committed the job.
        background.add_task(request.app.state.import_worker.wake)
    return await _public(session, job)


@router.get("", response_model=HouseholdImportsPublic)
async def list_imports(
    session: SessionDep,
    principal: Reader,
    status_: Annotated[ImportStatus | None, Query(alias="status")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HouseholdImportsPublic:
    """The client's own uploads, newest first; a national client sees everyone's."""
    items, last = await service.page(
        session, principal, before=decode_cursor(cursor), limit=limit, status=status_
    )
    return HouseholdImportsPublic(
        items=[await _public(session, job) for job in items],
        next_cursor=encode_cursor(last) if last is not None else None,
    )


@router.get(
    "/template",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
async def download_template(
    session: SessionDep, principal: Reader, format: TableFormat = TableFormat.XLSX
) -> Response:
    """A survey sheet to fill in: the accepted Thai headers and an example row; as XLSX
    also a members sheet and a sheet of the coded answers (รหัส) each column accepts."""
    if format == TableFormat.CSV:
        body = template.template_csv()
    else:
        body = template.template_xlsx(await service.programme_names(session))
    return Response(
        body, media_type=MEDIA_TYPES[format], headers=download(format, "survey-sheet-template")
    )


@router.get("/{import_id}", response_model=HouseholdImportPublic)
async def get_import(
    import_id: uuid.UUID, session: SessionDep, principal: Reader
) -> HouseholdImportPublic:
    """One upload of this client (another client's answers 404; a national client's
    token reads every one)."""
    return await _public(session, await service.get(session, import_id, principal))


@router.get(
    "/{import_id}/errors",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
async def download_import_errors(
    import_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    format: TableFormat = TableFormat.CSV,
) -> Response:
    """Every problem of every row that was not imported: row, column, reason (English),
    sheet, the value as written, and the reason in Thai."""
    job = await service.get(session, import_id, principal)
    service.ensure_finished(job)
    errors = await service.errors(session, job)
    body = write_table(
        format,
        # New columns last: files from before them keep their columns' places.
        ["row", "column", "reason", "sheet", "value", "reason_th"],
        ((e.row, e.column, e.reason, e.sheet, e.value, e.reason_th) for e in errors),
    )
    return Response(
        body, media_type=MEDIA_TYPES[format], headers=download(format, f"import-{job.id}-errors")
    )
